import { z } from "@hono/zod-openapi";
import { popularItems, userRecommendations } from "../recommend/index.ts";
import { fastIdParam, fastRecommendationQuery, RecommendationList, RecommendationQuery, UserParam, problemContent, problems } from "../schemas/common.ts";
import { requireUserToken } from "../privacy/user-token.ts";
import { andThen, type App, conditional, type Ctx, type Deps, finishList, listMerch, listResponse, pick, waitUntilOf } from "./context.ts";
import { defineRoute } from "./define.ts";

const UserList = RecommendationList.extend({
  user: z.string(),
  strategy: z.enum(["precomputed", "vectors", "history", "popular"]).openapi({ description: "How the list was made" }),
}).openapi("UserRecommendations");

const route = {
  method: "get" as const,
  path: "/v1/users/{id}/recommendations",
  summary: "Recommendations for a user",
  description:
    'For a user seen in training; an unknown (or forgotten) user gets popular items and `"fallback": "popular"`. ' +
    "With USER_TOKEN_SECRET set, send the store-signed user token as `?token=` or `X-User-Token` (401 without it).",
  schemas: { params: UserParam, query: RecommendationQuery },
  hot: true,
  fast: { params: (c: Ctx) => fastIdParam(c.req.param("id")), query: fastRecommendationQuery },
  responses: {
    200: { description: "Recommendations", content: { "application/json": { schema: UserList } } },
    304: { description: "Not modified" },
    401: { description: "User token missing or invalid (only with USER_TOKEN_SECRET set)", content: problemContent },
    ...problems,
  },
};

export function registerUserRoutes(app: App, deps: Deps): void {
  defineRoute(app, route, (c, { params: { id }, query }) =>
    andThen(requireUserToken(c, [id]), () =>
      andThen(pick(c, deps, query.session ?? id), (picked) =>
        andThen(deps.forgotten.has(c.env ?? {}, id, waitUntilOf(c)), (forgotten) => {
          // A forgotten shopper is served as unknown, and never from a cached personal answer.
          const cache = forgotten ? undefined : conditional(c, picked, true);
          if (cache instanceof Response) return cache;
          const userJson = `,"user":${JSON.stringify(id)}`;
          return andThen(forgotten ? null : picked.catalog.user(id), (located) => {
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
      ),
    ),
  );
}
