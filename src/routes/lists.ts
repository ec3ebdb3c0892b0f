/** More kinds of list: trending items (a small KV object, recomputed often) and frequently bought together (an artifact section). */
import { z } from "@hono/zod-openapi";
import { notFoundId } from "../http/problem.ts";
import { newItemSimilar } from "../merch/new-items.ts";
import type { RecommendedItem } from "../recommend/index.ts";
import { togetherItems } from "../recommend/together.ts";
import { popularItems } from "../recommend/index.ts";
import { fastIdParam, fastRecommendationQuery, ItemParam, PopularQuery, RecommendationList, RecommendationQuery, problems } from "../schemas/common.ts";
import { andThen, type App, conditional, type Ctx, type Deps, finishList, listMerch, listResponse, pick, waitUntilOf } from "./context.ts";
import { defineRoute } from "./define.ts";

const TrendingList = RecommendationList.extend({
  computedAt: z.string().nullable().openapi({ description: "When the trending list was computed (null: none published, popular items instead)" }),
}).openapi("TrendingItems");

const trendingRoute = {
  method: "get" as const,
  path: "/v1/trending",
  hot: true,
  fast: { query: fastRecommendationQuery },
  summary: "Trending items: fastest-rising in the last 24 h against the last 7 days",
  description:
    "From shopper events, recomputed by `edgerec trending` (a scheduled job) and published to KV without a retrain. Filters and rules apply; with no trending list published yet, popular items and `\"fallback\": \"popular\"`.",
  schemas: { query: PopularQuery },
  responses: {
    200: { description: "Trending items", content: { "application/json": { schema: TrendingList } } },
    ...problems,
  },
};

const TogetherList = RecommendationList.extend({
  item: z.object({ id: z.string() }),
  source: z.enum(["together", "similar"]).openapi({ description: "together = partners from shared orders/baskets (lift); similar = none known, similar items instead" }),
}).openapi("TogetherItems");

const togetherRoute = {
  method: "get" as const,
  path: "/v1/items/{id}/together",
  hot: true,
  fast: { params: (c: Ctx) => fastIdParam(c.req.param("id")), query: fastRecommendationQuery },
  summary: "Frequently bought together with an item",
  description: "Items that share orders, sessions and review baskets with this one more often than chance (lift, with a minimum support).",
  schemas: { params: ItemParam, query: RecommendationQuery },
  responses: {
    200: { description: "Items bought together", content: { "application/json": { schema: TogetherList } } },
    304: { description: "Not modified" },
    ...problems,
  },
};

export function registerListRoutes(app: App, deps: Deps): void {
  defineRoute(app, trendingRoute, (c, { query }) =>
    andThen(pick(c, deps, query.session), (picked) =>
      andThen(deps.trending.current(c.env ?? {}, waitUntilOf(c)), (doc) =>
        andThen(picked.catalog.popular(), (served) => {
          const k = query.k;
          const m = listMerch(picked, served, query, "trending", k);
          const listed = (n: number) => {
            const items: RecommendedItem[] = [];
            for (const t of doc?.items ?? []) {
              if (items.length >= n) break;
              const index = served.itemIndex(t.id);
              if (index >= 0 && m.accept(index)) items.push({ index, score: t.score, reason: "trending" });
            }
            return items;
          };
          const items = finishList(m, k, listed);
          const computedAt = `,"computedAt":${doc ? JSON.stringify(doc.computedAt) : "null"}`;
          if (items.length === 0) {
            const popular = finishList(m, k, (n) => popularItems(served.artifact, { k: n, category: query.category, filter: m.filter }));
            return listResponse(picked, served, popular, `,"fallback":"popular"${computedAt}`, undefined);
          }
          return listResponse(picked, served, items, computedAt, undefined);
        }),
      ),
    ),
  );

  defineRoute(app, togetherRoute, (c, { params: { id }, query }) =>
    andThen(pick(c, deps, query.session), (picked) => {
      const cache = conditional(c, picked, false);
      if (cache instanceof Response) return cache;
      const head = (source: string) => `,"item":{"id":${JSON.stringify(id)}},"source":"${source}"`;
      return andThen(picked.catalog.item(id), (located) => {
        const k = query.k;
        if (!located) {
          // A product added after training has no baskets yet: its content neighbours stand in.
          return andThen(picked.catalog.popular(), (served) => {
            const e = picked.merch.entryOf(id);
            const view = picked.merch.viewFor(served);
            if (e < 0 || view.indexOfEntry[e] >= 0 || picked.merch.entries[e].removed || picked.merch.entries[e].title === undefined) throw notFoundId("item", id, "path.id");
            const m = listMerch(picked, served, query, "together", k, { id, index: view.n + e });
            return listResponse(picked, served, finishList(m, k, (n) => newItemSimilar(view, e, n, m.accept).items), head("similar"), cache);
          });
        }
        const { served, index } = located;
        const m = listMerch(picked, served, query, "together", k, { id, index });
        let source = "together";
        const items = finishList(m, k, (n) => {
          const result = togetherItems(served.artifact, index, { k: n, filter: m.filter });
          source = result.source;
          return result.items;
        });
        return listResponse(picked, served, items, head(source), cache);
      });
    }),
  );
}
