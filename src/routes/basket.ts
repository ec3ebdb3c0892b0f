import { z } from "@hono/zod-openapi";
import { readJsonBody } from "../http/body.ts";
import { basketRecommendations, popularItems, type RecommendedItem } from "../recommend/index.ts";
import { BasketBody } from "../schemas/bodies.ts";
import { RecommendationList, problemContent, problems } from "../schemas/common.ts";
import type { Catalog } from "../store/catalog.ts";
import type { ServedArtifact } from "../store/served.ts";
import { type App, type Deps, type FilterInput, listResponse, pick, toFilter } from "./context.ts";
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
  responses: {
    200: { description: "Recommendations", content: { "application/json": { schema: BasketList } } },
    413: { description: "Body too large", content: problemContent },
    415: { description: "Body is not JSON", content: problemContent },
    ...problems,
  },
};

/** The basket's known items grouped by the artifact (shard) holding them, in basket order. */
async function locateBasket(catalog: Catalog, ids: readonly string[]) {
  const groups = new Map<ServedArtifact, number[]>();
  const ignored: string[] = [];
  // Items in shards not yet resident are looked up concurrently: a cold basket then costs one
  // round of shard loads, not one per item. A single artifact answers synchronously.
  const lookups = ids.map((id) => catalog.item(id));
  const located = lookups.some((l) => l instanceof Promise) ? await Promise.all(lookups) : lookups;
  located.forEach((found, i) => {
    const hit = found as Awaited<(typeof lookups)[number]>;
    if (!hit) {
      ignored.push(ids[i]);
      return;
    }
    let group = groups.get(hit.served);
    if (!group) groups.set(hit.served, (group = []));
    group.push(hit.index);
  });
  return { groups, ignored };
}

export function registerBasketRoutes(app: App, deps: Deps): void {
  defineRoute(app, route, async (c, { body }) => {
    const picked = await pick(c, deps, body.session);
    const { groups, ignored } = await locateBasket(picked.catalog, body.items);
    const filterInput: FilterInput = { ...body.filters, exclude: body.exclude };
    const ignoredJson = `,"ignored":${JSON.stringify(ignored)}`;
    if (groups.size === 0) {
      const served = await picked.catalog.popular();
      const items = popularItems(served.artifact, { k: body.k, filter: toFilter(served, filterInput) });
      return listResponse(picked, served, items, `,"fallback":"popular"${ignoredJson}`, undefined);
    }
    if (groups.size === 1) {
      const [[served, basket]] = groups;
      const filter = toFilter(served, filterInput);
      const items = basketRecommendations(served.artifact, basket, { k: body.k, exclude: filter?.exclude, filter });
      return listResponse(picked, served, items, ignoredJson, undefined);
    }
    // A basket spanning shards: each shard recommends for its part, merged by score and id.
    const basketIds = new Set(body.items);
    const merged: { item: RecommendedItem; served: ServedArtifact; id: string }[] = [];
    for (const [served, basket] of groups) {
      const filter = toFilter(served, filterInput, body.items);
      for (const item of basketRecommendations(served.artifact, basket, { k: body.k, exclude: filter?.exclude, filter })) {
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
  });
}
