import { z } from "@hono/zod-openapi";
import { readJsonBody } from "../http/body.ts";
import { basketRecommendations, popularItems } from "../recommend/index.ts";
import { BasketBody, fastBasketBody } from "../schemas/bodies.ts";
import { RecommendationList, problemContent, problems } from "../schemas/common.ts";
import type { Catalog } from "../store/catalog.ts";
import { ServedArtifact } from "../store/served.ts";
import type { ShardedCatalog } from "../store/sharded.ts";
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

/** The basket's known items in the artifact (or the sharded catalogue's view of them) that holds them all, in basket order. */
export function locateBasket(catalog: Catalog, ids: readonly string[]): LocatedBasketItems | Promise<LocatedBasketItems> {
  if (catalog instanceof ServedArtifact) {
    // One artifact: every lookup is synchronous.
    const basket: number[] = [];
    let ignored: string[] | undefined;
    for (const id of ids) {
      const index = catalog.itemIndex(id);
      if (index >= 0) basket.push(index);
      else (ignored ??= []).push(id);
    }
    return { served: basket.length ? catalog : undefined, basket, ignored: ignored ?? [] };
  }
  // Sharded: one view assembled from the parts holding the basket's items and their neighbours.
  return andThen((catalog as ShardedCatalog).basket(ids), ({ served, indexes, ignored }) => ({ served: indexes.length ? served : undefined, basket: indexes, ignored }));
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

export interface LocatedBasketItems {
  /** Undefined when no basket item is known. */
  served: ServedArtifact | undefined;
  basket: number[];
  ignored: string[];
}

export function registerBasketRoutes(app: App, deps: Deps): void {
  defineRoute(app, route, (c, { body }) =>
    andThen(pick(c, deps, body.session), (picked) =>
      andThen(locateBasket(picked.catalog, orderedHistory(body)), (located) => recommend(picked, body, located)),
    ),
  );
}

function recommend(picked: Picked, body: BasketInput, { served, basket, ignored }: LocatedBasketItems): Response | Promise<Response> {
  const filterInput: FilterInput = { ...body.filters, exclude: body.exclude, bought: "bought" in body ? body.bought : undefined };
  const ignoredJson = ignored.length === 0 ? ',"ignored":[]' : `,"ignored":${JSON.stringify(ignored)}`;
  if (!served) {
    return andThen(picked.catalog.popular(), (popular) => {
      const m = listMerch(picked, popular, filterInput, "basket", body.k);
      const items = finishList(m, body.k, (n) => popularItems(popular.artifact, { k: n, filter: m.filter }));
      return listResponse(picked, popular, items, `,"fallback":"popular"${ignoredJson}`, undefined);
    });
  }
  const m = listMerch(picked, served, filterInput, "basket", body.k);
  const items = finishList(m, body.k, (n) => basketRecommendations(served.artifact, basket, { k: n, exclude: m.filter?.exclude, filter: m.filter }));
  return listResponse(picked, served, items, ignoredJson, undefined);
}
