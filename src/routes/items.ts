import { z } from "@hono/zod-openapi";
import { notFoundId } from "../http/problem.ts";
import { writeTitle } from "../http/item-json.ts";
import { similarItems } from "../recommend/index.ts";
import { fastIdParam, fastRecommendationQuery, ItemMetadata, ItemParam, RecommendationList, RecommendationQuery, Variant, problems } from "../schemas/common.ts";
import { newItemSimilar } from "../merch/new-items.ts";
import { overlayItemView } from "../merch/render.ts";
import { andThen, type App, type CacheInfo, conditional, type Ctx, type Deps, finishList, jsonResponse, listMerch, listResponse, pick, type Picked } from "./context.ts";
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
  description:
    "The item's precomputed neighbours (content neighbours for an item without interactions), filtered, topped up with popular items of its category. A product added through the catalogue overlay after training gets items matched by its title, brand and category.",
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
        if (!located) return newItemSimilarResponse(picked, id, query, cache);
        const { served, index } = located;
        const k = query.k;
        const m = listMerch(picked, served, query, "similar", k, { id, index });
        let source = "collaborative";
        const items = finishList(m, k, (n) => {
          const result = similarItems(served.artifact, index, { k: n, filter: m.filter });
          source = result.source;
          return result.items;
        });
        const view = m.view;
        // The item's id and title are copied from the artifact's bytes (the id matched them exactly).
        return listResponse(picked, served, items, (w) => {
          w.ascii(',"item":{"id":').tableString(served.artifact.items.ids, index).ascii(',"title":');
          if (view?.rendersFromOverlay(index)) w.string(overlayItemView(view, index).title);
          else writeTitle(w, served, index);
          w.ascii('},"source":"').ascii(source).ascii('"');
        }, cache);
      });
    }),
  );

  defineRoute(app, itemRoute, async (c, { params: { id } }) => {
    const picked = await pick(c, deps, c.req.query("session"));
    const cache = conditional(c, picked, false);
    if (cache instanceof Response) return cache;
    const located = await picked.catalog.item(id);
    if (!located) {
      const served = await picked.catalog.popular();
      const entry = newProductEntry(picked, id);
      if (entry < 0) throw notFoundId("item", id, "path.id");
      const view = picked.merch.viewFor(served);
      return jsonResponse(picked, { item: overlayItemView(view, view.n + entry) }, cache);
    }
    const view = picked.merch.empty ? undefined : picked.merch.viewFor(located.served);
    return jsonResponse(picked, { item: view ? overlayItemView(view, located.index) : located.served.itemView(located.index) }, cache);
  });
}

/** Overlay entry of a product the artifact does not know (added after training), or -1 (also when removed). */
function newProductEntry(picked: Picked, id: string): number {
  const e = picked.merch.entryOf(id);
  if (e < 0) return -1;
  const entry = picked.merch.entries[e];
  return entry.removed || entry.title === undefined ? -1 : e;
}

/**
 * A product added after training: similar items from its content (title, brand, category)
 * against the artifact's content index, then popular items of its category. Only a product
 * neither trained on nor in the overlay is a 404.
 */
function newItemSimilarResponse(picked: Picked, id: string, query: z.output<typeof RecommendationQuery>, cache: CacheInfo): Response | Promise<Response> {
  const entry = newProductEntry(picked, id);
  if (entry < 0) throw notFoundId("item", id, "path.id");
  return andThen(picked.catalog.popular(), (served) => {
    const k = query.k;
    const view = picked.merch.viewFor(served);
    const index = view.n + entry;
    const m = listMerch(picked, served, query, "similar", k, { id, index });
    let source = "content";
    const items = finishList(m, k, (n) => {
      const result = newItemSimilar(view, entry, n, m.accept);
      source = result.source;
      return result.items;
    });
    const title = overlayItemView(view, index).title;
    return listResponse(picked, served, items, (w) => {
      w.ascii(',"item":{"id":').string(id).ascii(',"title":').string(title);
      w.ascii('},"source":"').ascii(source).ascii('"');
    }, cache);
  });
}
