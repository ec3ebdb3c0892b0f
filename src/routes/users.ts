import { createRoute, z } from "@hono/zod-openapi";
import { popularItems, userRecommendations } from "../recommend/index.ts";
import { RecommendationList, RecommendationQuery, UserParam, problems } from "../schemas/common.ts";
import { type App, conditional, type Deps, listResponse, pick, toFilter } from "./context.ts";

const UserList = RecommendationList.extend({
  user: z.string(),
  strategy: z.enum(["precomputed", "vectors", "history", "popular"]).openapi({ description: "How the list was made" }),
}).openapi("UserRecommendations");

const route = createRoute({
  method: "get",
  path: "/v1/users/{id}/recommendations",
  summary: "Recommendations for a user",
  description: 'For a user seen in training; an unknown user gets popular items and `"fallback": "popular"`.',
  request: { params: UserParam, query: RecommendationQuery },
  responses: {
    200: { description: "Recommendations", content: { "application/json": { schema: UserList } } },
    304: { description: "Not modified" },
    ...problems,
  },
});

export function registerUserRoutes(app: App, deps: Deps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const picked = await pick(c, deps, query.session ?? id);
    const cache = conditional(c, picked, true);
    if (cache instanceof Response) return cache;
    const served = picked.served;
    const filter = toFilter(served, query);
    const user = served.userIndex(id);
    const userJson = `,"user":${JSON.stringify(id)}`;
    if (user < 0) {
      const items = popularItems(served.artifact, { k: query.k, filter });
      return listResponse(picked, items, `${userJson},"strategy":"popular","fallback":"popular"`, cache);
    }
    const result = userRecommendations(served.artifact, user, { k: query.k, filter });
    return listResponse(picked, result.items, `${userJson},"strategy":"${result.strategy}"`, cache);
  });
}
