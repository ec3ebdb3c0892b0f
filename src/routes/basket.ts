import { createRoute, z } from "@hono/zod-openapi";
import { readJsonBody } from "../http/body.ts";
import { basketRecommendations, popularItems } from "../recommend/index.ts";
import { BasketBody } from "../schemas/bodies.ts";
import { RecommendationList, problemContent, problems } from "../schemas/common.ts";
import { type App, type Deps, listResponse, pick, preserialised, toFilter } from "./context.ts";

const BasketList = RecommendationList.extend({
  ignored: z.array(z.string()).openapi({ description: "Basket ids not in the published catalogue (left out)" }),
}).openapi("BasketRecommendations");

const route = createRoute({
  method: "post",
  path: "/v1/recommendations",
  summary: "Recommendations for a basket or session (anonymous shoppers)",
  description: "Sums the neighbour lists of the basket's items (most recent weighted highest); never returns basket or excluded items.",
  middleware: [readJsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: BasketBody } } } },
  responses: {
    200: { description: "Recommendations", content: { "application/json": { schema: BasketList } } },
    413: { description: "Body too large", content: problemContent },
    415: { description: "Body is not JSON", content: problemContent },
    ...problems,
  },
});

export function registerBasketRoutes(app: App, deps: Deps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const picked = await pick(c, deps, body.session);
    const served = picked.served;
    const basket: number[] = [];
    const ignored: string[] = [];
    for (const id of body.items) {
      const i = served.itemIndex(id);
      if (i >= 0) basket.push(i);
      else ignored.push(id);
    }
    const filter = toFilter(served, { ...body.filters, exclude: body.exclude });
    const ignoredJson = `,"ignored":${JSON.stringify(ignored)}`;
    if (basket.length === 0) {
      const items = popularItems(served.artifact, { k: body.k, filter });
      return preserialised(listResponse(picked, items, `,"fallback":"popular"${ignoredJson}`, undefined));
    }
    const items = basketRecommendations(served.artifact, basket, { k: body.k, exclude: filter?.exclude, filter });
    return preserialised(listResponse(picked, items, ignoredJson, undefined));
  });
}
