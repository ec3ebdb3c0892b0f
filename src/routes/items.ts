import { z } from "@hono/zod-openapi";
import { notFoundId } from "../http/problem.ts";
import { similarItems } from "../recommend/index.ts";
import { fastIdParam, fastRecommendationQuery, ItemMetadata, ItemParam, RecommendationList, RecommendationQuery, Variant, problems } from "../schemas/common.ts";
import { andThen, type App, conditional, type Ctx, type Deps, jsonResponse, listResponse, pick, toFilter } from "./context.ts";
import { defineRoute } from "./define.ts";

const SimilarList = RecommendationList.extend({
  item: z.object({ id: z.string(), title: z.string() }),
  source: z.enum(["collaborative", "content", "popular"]).openapi({
    description: "collaborative = the model's neighbours; content = metadata neighbours (item without interactions); popular = no neighbours at all",
  }),
}).openapi("SimilarItems");

const similarRoute = {
  method: "get" as const,
  path: "/v1/items/{id}/similar",
  hot: true,
  fast: { params: (c: Ctx) => fastIdParam(c.req.param("id")), query: fastRecommendationQuery },
  summary: "Items similar to an item",
  description: "The item's precomputed neighbours (content neighbours for a new item), filtered, topped up with popular items of its category.",
  schemas: { params: ItemParam, query: RecommendationQuery },
  responses: {
    200: { description: "Similar items", content: { "application/json": { schema: SimilarList } } },
    304: { description: "Not modified (If-None-Match matched the ETag)" },
    ...problems,
  },
};

const itemRoute = {
  method: "get" as const,
  path: "/v1/items/{id}",
  summary: "Display metadata of an item",
  schemas: { params: ItemParam },
  responses: {
    200: {
      description: "The item",
      content: { "application/json": { schema: z.object({ version: z.string(), variant: Variant, item: ItemMetadata }).openapi("ItemResponse") } },
    },
    304: { description: "Not modified" },
    ...problems,
  },
};

export function registerItemRoutes(app: App, deps: Deps): void {
  // Synchronous from request to Response whenever the version and the item's shard are resident.
  defineRoute(app, similarRoute, (c, { params: { id }, query }) =>
    andThen(pick(c, deps, query.session), (picked) => {
      const cache = conditional(c, picked, false);
      if (cache instanceof Response) return cache;
      return andThen(picked.catalog.item(id), (located) => {
        if (!located) throw notFoundId("item", id, "path.id");
        const { served, index } = located;
        const result = similarItems(served.artifact, index, { k: query.k, filter: toFilter(served, query) });
        // The item's id and title are copied from the artifact's bytes (the id matched them exactly).
        return listResponse(picked, served, result.items, (w) => {
          w.ascii(',"item":{"id":').tableString(served.artifact.items.ids, index).ascii(',"title":');
          served.writeTitle(w, index);
          w.ascii('},"source":"').ascii(result.source).ascii('"');
        }, cache);
      });
    }),
  );

  defineRoute(app, itemRoute, async (c, { params: { id } }) => {
    const picked = await pick(c, deps, c.req.query("session"));
    const cache = conditional(c, picked, false);
    if (cache instanceof Response) return cache;
    const located = await picked.catalog.item(id);
    if (!located) throw notFoundId("item", id, "path.id");
    return jsonResponse(picked, { item: located.served.itemView(located.index) }, cache);
  });
}
