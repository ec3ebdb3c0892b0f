import { z } from "@hono/zod-openapi";
import { readJsonBody } from "../http/body.ts";
import { basketRecommendations, popularItems, type RecommendedItem } from "../recommend/index.ts";
import { BasketBody, fastBasketBody } from "../schemas/bodies.ts";
import { RecommendationList, problemContent, problems } from "../schemas/common.ts";
import type { Catalog } from "../store/catalog.ts";
import { ServedArtifact } from "../store/served.ts";
import { andThen, type App, type Deps, type FilterInput, finishList, listMerch, listResponse, pick, type Picked } from "./context.ts";
import { defineRoute } from "./define.ts";

const BasketList = RecommendationList.extend({
  ignored: z.array(z.string()).openapi({ description: "Basket ids not in the published catalogue (left out)" }),
}).openapi("BasketRecommendations");

const route = {
  method: "post" as const,
  path: "/v1/recommendations",
  summary: "Recommendations for a basket or session (anonymous shoppers)",
  description: "Sums the neighbour lists of the basket's items (most recent weighted highest); never returns basket or excluded items.",
  middleware: [readJsonBody],
  schemas: { body: BasketBody },
  hot: true,
  fast: { body: fastBasketBody },
  responses: {
    200: { description: "Recommendations", content: { "application/json": { schema: BasketList } } },
    413: { description: "Body too large", content: problemContent },
    415: { description: "Body is not JSON", content: problemContent },
    ...problems,
  },
};

/** The basket's known items grouped by the artifact (shard) holding them, in basket order. */
function locateBasket(catalog: Catalog, ids: readonly string[]): Located | Promise<Located> {
  if (catalog instanceof ServedArtifact) {
    // One artifact: every lookup is synchronous and lands in one group.
    const basket: number[] = [];
    let ignored: string[] | undefined;
    for (const id of ids) {
      const index = catalog.itemIndex(id);
      if (index >= 0) basket.push(index);
      else (ignored ??= []).push(id);
    }
    return { groups: basket.length ? [[catalog, basket]] : [], ignored: ignored ?? [] };
  }
  // Items in shards not yet resident are looked up concurrently: a cold basket then costs one
  // round of shard loads, not one per item.
  const lookups = ids.map((id) => catalog.item(id));
  return andThen(lookups.some((l) => l instanceof Promise) ? Promise.all(lookups) : (lookups as Awaited<(typeof lookups)[number]>[]), (located) => {
    const groups = new Map<ServedArtifact, number[]>();
    const ignored: string[] = [];
    located.forEach((hit, i) => {
      if (!hit) {
        ignored.push(ids[i]);
        return;
      }
      let group = groups.get(hit.served);
      if (!group) groups.set(hit.served, (group = []));
      group.push(hit.index);
    });
    return { groups: [...groups], ignored };
  });
}

type BasketInput = z.output<typeof BasketBody>;

/**
 * One history, oldest first: the recently met items, then the basket (the most recent intent).
 * An id given twice keeps its latest place, so it is weighed as recent as it really is.
 */
export function orderedHistory(body: { items: readonly string[]; recent?: readonly string[] }): string[] {
  if (!body.recent || body.recent.length === 0) return body.items as string[];
  const all = [...body.recent, ...body.items];
  const last = new Map<string, number>();
  all.forEach((id, i) => last.set(id, i));
  return all.filter((id, i) => last.get(id) === i);
}

interface Located {
  groups: [ServedArtifact, number[]][];
  ignored: string[];
}

export function registerBasketRoutes(app: App, deps: Deps): void {
  defineRoute(app, route, (c, { body }) =>
    andThen(pick(c, deps, body.session), (picked) =>
      andThen(locateBasket(picked.catalog, orderedHistory(body)), ({ groups, ignored }) => recommend(picked, body, groups, ignored)),
    ),
  );
}

function recommend(picked: Picked, body: BasketInput, groups: Located["groups"], ignored: string[]): Response | Promise<Response> {
  const filterInput: FilterInput = { ...body.filters, exclude: body.exclude, bought: "bought" in body ? body.bought : undefined };
  const ignoredJson = ignored.length === 0 ? ',"ignored":[]' : `,"ignored":${JSON.stringify(ignored)}`;
  if (groups.length === 0) {
    return andThen(picked.catalog.popular(), (served) => {
      const m = listMerch(picked, served, filterInput, "basket", body.k);
      const items = finishList(m, body.k, (n) => popularItems(served.artifact, { k: n, filter: m.filter }));
      return listResponse(picked, served, items, `,"fallback":"popular"${ignoredJson}`, undefined);
    });
  }
  if (groups.length === 1) {
    const [[served, basket]] = groups;
    const m = listMerch(picked, served, filterInput, "basket", body.k);
    const items = finishList(m, body.k, (n) => basketRecommendations(served.artifact, basket, { k: n, exclude: m.filter?.exclude, filter: m.filter }));
    return listResponse(picked, served, items, ignoredJson, undefined);
  }
  // A basket spanning shards: each shard recommends for its part, merged by score and id.
  const basketIds = new Set(orderedHistory(body));
  const merged: { item: RecommendedItem; served: ServedArtifact; id: string }[] = [];
  for (const [served, basket] of groups) {
    // Each shard applies the overlay and the rules to its part before the merge.
    const m = listMerch(picked, served, filterInput, "basket", body.k, undefined, orderedHistory(body));
    for (const item of finishList(m, body.k, (n) => basketRecommendations(served.artifact, basket, { k: n, exclude: m.filter?.exclude, filter: m.filter }))) {
      merged.push({ item, served, id: served.itemId(item.index) });
    }
  }
  merged.sort((a, b) => b.item.score - a.item.score);
  const seen = new Set<string>();
  const top = merged.filter((m) => !basketIds.has(m.id) && !seen.has(m.id) && seen.add(m.id)).slice(0, body.k);
  return listResponse(
    picked,
    top.map((m) => m.served),
    top.map((m) => m.item),
    ignoredJson,
    undefined,
  );
}
