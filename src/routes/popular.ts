import { createRoute } from "@hono/zod-openapi";
import { popularItems } from "../recommend/index.ts";
import { PopularQuery, RecommendationList, problems } from "../schemas/common.ts";
import { type App, conditional, type Deps, listResponse, pick, toFilter } from "./context.ts";

const route = createRoute({
  method: "get",
  path: "/v1/popular",
  summary: "Most popular items, overall or in a category",
  request: { query: PopularQuery },
  responses: {
    200: { description: "Popular items", content: { "application/json": { schema: RecommendationList } } },
    304: { description: "Not modified" },
    ...problems,
  },
});

export function registerPopularRoutes(app: App, deps: Deps): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const picked = await pick(c, deps, query.session);
    const cache = conditional(c, picked, false);
    if (cache instanceof Response) return cache;
    const items = popularItems(picked.served.artifact, { k: query.k, category: query.category, filter: toFilter(picked.served, query) });
    return listResponse(picked, items, "", cache);
  });
}
