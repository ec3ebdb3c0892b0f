import { popularItems } from "../recommend/index.ts";
import { fastRecommendationQuery, PopularQuery, RecommendationList, problems } from "../schemas/common.ts";
import { andThen, type App, conditional, type Deps, finishList, listMerch, listResponse, pick } from "./context.ts";
import { defineRoute } from "./define.ts";

const route = {
  method: "get" as const,
  path: "/v1/popular",
  summary: "Most popular items, overall or in a category",
  schemas: { query: PopularQuery },
  hot: true,
  fast: { query: fastRecommendationQuery },
  responses: {
    200: { description: "Popular items", content: { "application/json": { schema: RecommendationList } } },
    304: { description: "Not modified" },
    ...problems,
  },
};

export function registerPopularRoutes(app: App, deps: Deps): void {
  defineRoute(app, route, (c, { query }) =>
    andThen(pick(c, deps, query.session), (picked) => {
      const cache = conditional(c, picked, false);
      if (cache instanceof Response) return cache;
      return andThen(picked.catalog.popular(), (served) => {
        const m = listMerch(picked, served, query, "popular", query.k);
        const items = finishList(m, query.k, (n) => popularItems(served.artifact, { k: n, category: query.category, filter: m.filter }));
        return listResponse(picked, served, items, "", cache);
      });
    }),
  );
}
