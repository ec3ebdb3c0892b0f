import { z } from "@hono/zod-openapi";
import { popularItems, userRecommendations } from "../recommend/index.ts";
import { fastIdParam, fastRecommendationQuery, RecommendationList, RecommendationQuery, UserParam, problems } from "../schemas/common.ts";
import { andThen, type App, conditional, type Ctx, type Deps, finishList, listMerch, listResponse, pick } from "./context.ts";
import { defineRoute } from "./define.ts";

const UserList = RecommendationList.extend({
  user: z.string(),
  strategy: z.enum(["precomputed", "vectors", "history", "popular"]).openapi({ description: "How the list was made" }),
}).openapi("UserRecommendations");

const route = {
  method: "get" as const,
  path: "/v1/users/{id}/recommendations",
  summary: "Recommendations for a user",
  description: 'For a user seen in training; an unknown user gets popular items and `"fallback": "popular"`.',
  schemas: { params: UserParam, query: RecommendationQuery },
  hot: true,
  fast: { params: (c: Ctx) => fastIdParam(c.req.param("id")), query: fastRecommendationQuery },
  responses: {
    200: { description: "Recommendations", content: { "application/json": { schema: UserList } } },
    304: { description: "Not modified" },
    ...problems,
  },
};

export function registerUserRoutes(app: App, deps: Deps): void {
  defineRoute(app, route, (c, { params: { id }, query }) =>
    andThen(pick(c, deps, query.session ?? id), (picked) => {
      const cache = conditional(c, picked, true);
      if (cache instanceof Response) return cache;
      const userJson = `,"user":${JSON.stringify(id)}`;
      return andThen(picked.catalog.user(id), (located) => {
        if (!located) {
          return andThen(picked.catalog.popular(), (served) => {
            const m = listMerch(picked, served, query, "user", query.k);
            const items = finishList(m, query.k, (n) => popularItems(served.artifact, { k: n, filter: m.filter }));
            return listResponse(picked, served, items, `${userJson},"strategy":"popular","fallback":"popular"`, cache);
          });
        }
        const { served, index } = located;
        const m = listMerch(picked, served, query, "user", query.k);
        let strategy = "history";
        const items = finishList(m, query.k, (n) => {
          const result = userRecommendations(served.artifact, index, { k: n, filter: m.filter });
          strategy = result.strategy;
          return result.items;
        });
        return listResponse(picked, served, items, `${userJson},"strategy":"${strategy}"`, cache);
      });
    }),
  );
}
