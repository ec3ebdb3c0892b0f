import { createRoute, z } from "@hono/zod-openapi";
import { notFoundId } from "../http/problem.ts";
import { similarItems } from "../recommend/index.ts";
import { ItemMetadata, ItemParam, RecommendationList, RecommendationQuery, Variant, problems } from "../schemas/common.ts";
import { type App, conditional, type Deps, jsonResponse, listResponse, pick, toFilter } from "./context.ts";

const SimilarList = RecommendationList.extend({
  item: z.object({ id: z.string(), title: z.string() }),
  source: z.enum(["collaborative", "content", "popular"]).openapi({
    description: "collaborative = the model's neighbours; content = metadata neighbours (item without interactions); popular = no neighbours at all",
  }),
}).openapi("SimilarItems");

const similarRoute = createRoute({
  method: "get",
  path: "/v1/items/{id}/similar",
  summary: "Items similar to an item",
  description: "The item's precomputed neighbours (content neighbours for a new item), filtered, topped up with popular items of its category.",
  request: { params: ItemParam, query: RecommendationQuery },
  responses: {
    200: { description: "Similar items", content: { "application/json": { schema: SimilarList } } },
    304: { description: "Not modified (If-None-Match matched the ETag)" },
    ...problems,
  },
});

const itemRoute = createRoute({
  method: "get",
  path: "/v1/items/{id}",
  summary: "Display metadata of an item",
  request: { params: ItemParam },
  responses: {
    200: {
      description: "The item",
      content: { "application/json": { schema: z.object({ version: z.string(), variant: Variant, item: ItemMetadata }).openapi("ItemResponse") } },
    },
    304: { description: "Not modified" },
    ...problems,
  },
});

export function registerItemRoutes(app: App, deps: Deps): void {
  app.openapi(similarRoute, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const picked = await pick(c, deps, query.session);
    const cache = conditional(c, picked, false);
    if (cache instanceof Response) return cache;
    const served = picked.served;
    const index = served.itemIndex(id);
    if (index < 0) throw notFoundId("item", id, "path.id");
    const result = similarItems(served.artifact, index, { k: query.k, filter: toFilter(served, query) });
    const head = `,"item":{"id":${JSON.stringify(id)},"title":${JSON.stringify(served.title(index))}},"source":"${result.source}"`;
    return listResponse(picked, result.items, head, cache);
  });

  app.openapi(itemRoute, async (c) => {
    const { id } = c.req.valid("param");
    const picked = await pick(c, deps, c.req.query("session"));
    const cache = conditional(c, picked, false);
    if (cache instanceof Response) return cache;
    const index = picked.served.itemIndex(id);
    if (index < 0) throw notFoundId("item", id, "path.id");
    return jsonResponse(picked, { item: picked.served.item(index) }, cache);
  });
}
