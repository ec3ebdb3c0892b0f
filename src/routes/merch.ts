/**
 * Admin routes of the live catalogue and the rules (bearer ADMIN_TOKEN): item changes go into
 * the KV overlay, the rules document is validated and replaced whole. The isolate that handles
 * a write serves it from its next request; every other isolate within about a minute.
 */
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { configOf } from "../config.ts";
import { requireAdmin } from "../http/auth.ts";
import { readJsonBody } from "../http/body.ts";
import { invalid } from "../http/problem.ts";
import { emptyRules, ItemChange, type ItemWrite, type ListKind, RulesInput } from "../artifact/index.ts";
import { notFoundId } from "../http/problem.ts";
import { newItemSimilar } from "../merch/new-items.ts";
import { overlayItemView } from "../merch/render.ts";
import { MerchState } from "../merch/state.ts";
import { basketRecommendations, popularItems, type RecommendedItem, similarItems, userRecommendations } from "../recommend/index.ts";
import type { ServedArtifact } from "../store/served.ts";
import { ItemParam, problemContent } from "../schemas/common.ts";
import { locateBasket } from "./basket.ts";
import { type App, type Ctx, type Deps, finishList, listMerch, pick, type Picked } from "./context.ts";
import { defineRoute } from "./define.ts";

/** The token is checked before the body is read, so an anonymous caller learns nothing about the schema. */
const adminOnly: MiddlewareHandler = async (c, next) => {
  requireAdmin(c.req.header("authorization"), configOf(c.env ?? {}).adminToken);
  await next();
};

const adminProblems = {
  400: { description: "Invalid body (see `errors`)", content: problemContent },
  401: { description: "Missing or wrong bearer token", content: problemContent },
  413: { description: "Body too large", content: problemContent },
  415: { description: "Body is not JSON", content: problemContent },
};

const OverlayWritten = z
  .object({ id: z.string(), overlayVersion: z.number().int(), op: z.enum(["put", "patch", "delete"]), item: z.record(z.string(), z.unknown()) })
  .openapi("OverlayWrite");

const itemDescription = {
  put: "Replace the overlay entry of an item (fields not given fall back to the trained catalogue). An id the artifact does not know is a new product: give at least its title.",
  patch: "Change some fields of an item (stock, price, title, brand, image, URL, categories, hidden); the rest stays as it is.",
  delete: "Remove an item from the catalogue: it never appears in a list again until it is PUT back.",
};

function itemRoute(method: "put" | "patch" | "delete") {
  return {
    method,
    path: "/v1/admin/items/{id}",
    summary: { put: "Create or replace an item in the live catalogue", patch: "Change an item in the live catalogue", delete: "Remove an item from the live catalogue" }[method],
    description: itemDescription[method],
    security: [{ bearer: [] }],
    middleware: method === "delete" ? [adminOnly] : [adminOnly, readJsonBody],
    schemas: method === "delete" ? { params: ItemParam } : { params: ItemParam, body: ItemChange.openapi("ItemChange") },
    responses: { 200: { description: "Stored; served at once by this isolate", content: { "application/json": { schema: OverlayWritten } } }, ...adminProblems },
  };
}

const RulesView = z
  .object({
    version: z.number().int(),
    updatedAt: z.string(),
    inStockOnly: z.boolean(),
    newDays: z.number().int(),
    rules: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi("Rules");

const getRules = {
  method: "get" as const,
  path: "/v1/admin/rules",
  summary: "The merchandising rules in force",
  security: [{ bearer: [] }],
  middleware: [adminOnly],
  schemas: {},
  responses: { 200: { description: "Rules", content: { "application/json": { schema: RulesView } } }, 401: adminProblems[401] },
};

const putRules = {
  method: "put" as const,
  path: "/v1/admin/rules",
  summary: "Replace the merchandising rules",
  description: "The whole document is validated first; a malformed one is refused with every problem listed, and the rules in force stay.",
  security: [{ bearer: [] }],
  middleware: [adminOnly, readJsonBody],
  schemas: { body: RulesInput },
  responses: { 200: { description: "Stored; in force at once on this isolate", content: { "application/json": { schema: RulesView } } }, ...adminProblems },
};

const RulesTestBody = z
  .object({
    rules: RulesInput.optional().openapi({ description: "Rules to try (default: the rules in force); nothing is stored" }),
    item: z.string().min(1).max(256).optional().openapi({ description: "Similar items of this item" }),
    user: z.string().min(1).max(256).optional().openapi({ description: "Recommendations for this user" }),
    basket: z.array(z.string().min(1).max(256)).min(1).max(100).optional().openapi({ description: "Recommendations for this basket" }),
    k: z.number().int().min(1).max(100).default(10),
    category: z.string().min(1).max(200).optional(),
    minPrice: z.number().finite().min(0).optional(),
    maxPrice: z.number().finite().min(0).optional(),
    brand: z.array(z.string().min(1).max(200)).max(50).optional(),
  })
  .strict()
  .refine((b) => [b.item, b.user, b.basket].filter((x) => x !== undefined).length <= 1, "give at most one of item, user, basket (none: popular items)")
  .openapi("RulesTestRequest");

const PreviewItem = z.object({ id: z.string(), title: z.string(), score: z.number(), reason: z.string() });

const testRules = {
  method: "post" as const,
  path: "/v1/admin/rules/test",
  summary: "Preview a list before and after rules, without storing them",
  description: "`before`: the list with the live overlay and no rules; `after`: with the given rules (or those in force). `edgerec rules test` prints this.",
  security: [{ bearer: [] }],
  middleware: [adminOnly, readJsonBody],
  schemas: { body: RulesTestBody },
  responses: {
    200: {
      description: "Both lists",
      content: { "application/json": { schema: z.object({ list: z.string(), before: z.array(PreviewItem), after: z.array(PreviewItem) }).openapi("RulesTest") } },
    },
    404: { description: "Unknown item or user", content: problemContent },
    ...adminProblems,
  },
};

type TestBody = z.output<typeof RulesTestBody>;

/** One list computed as its route would, with the given overlay + rules. */
async function previewList(picked: Picked, body: TestBody): Promise<{ list: ListKind; items: { id: string; title: string; score: number; reason: string }[] }> {
  const input = { category: body.category, minPrice: body.minPrice, maxPrice: body.maxPrice, brand: body.brand };
  const k = body.k;
  let served: ServedArtifact;
  let items: RecommendedItem[];
  let list: ListKind;
  if (body.item !== undefined) {
    list = "similar";
    const located = await picked.catalog.item(body.item);
    if (located) {
      served = located.served;
      const m = listMerch(picked, served, input, list, k, { id: body.item, index: located.index });
      items = finishList(m, k, (n) => similarItems(served.artifact, located.index, { k: n, filter: m.filter }).items);
    } else {
      served = await picked.catalog.popular();
      const e = picked.merch.entryOf(body.item);
      const view = picked.merch.viewFor(served);
      if (e < 0 || view.indexOfEntry[e] >= 0 || view.entryBlocked[e]) throw notFoundId("item", body.item, "body.item");
      const m = listMerch(picked, served, input, list, k, { id: body.item, index: view.n + e });
      items = finishList(m, k, (n) => newItemSimilar(view, e, n, m.accept).items);
    }
  } else if (body.user !== undefined) {
    list = "user";
    const located = await picked.catalog.user(body.user);
    if (!located) throw notFoundId("user", body.user, "body.user");
    served = located.served;
    const m = listMerch(picked, served, input, list, k);
    items = finishList(m, k, (n) => userRecommendations(served.artifact, located.index, { k: n, filter: m.filter }).items);
  } else if (body.basket !== undefined) {
    list = "basket";
    // The whole basket in one artifact (or one view of a sharded catalogue), as the basket route scores it.
    const found = await locateBasket(picked.catalog, body.basket);
    if (!found.served) throw notFoundId("item", body.basket[0], "body.basket[0]");
    served = found.served;
    const indexes = found.basket;
    const m = listMerch(picked, served, input, list, k, undefined, body.basket);
    items = finishList(m, k, (n) => basketRecommendations(served.artifact, indexes, { k: n, exclude: m.filter?.exclude, filter: m.filter }));
  } else {
    list = "popular";
    served = await picked.catalog.popular();
    const m = listMerch(picked, served, input, list, k);
    items = finishList(m, k, (n) => popularItems(served.artifact, { k: n, category: body.category, filter: m.filter }));
  }
  const view = picked.merch.viewFor(served);
  return {
    list,
    items: items.map((it) => {
      const v = overlayItemView(view, it.index);
      return { id: v.id, title: v.title, score: Math.round(it.score * 1e6) / 1e6, reason: it.reason };
    }),
  };
}

export function rulesView(state: MerchState) {
  const { version, updatedAt, inStockOnly, newDays, rules } = state.rules;
  return { version, updatedAt, inStockOnly, newDays, rules };
}

const noStore = { "cache-control": "no-store" };

export function registerMerchRoutes(app: App, deps: Deps): void {
  for (const method of ["put", "patch", "delete"] as const) {
    defineRoute(app, itemRoute(method), async (c: Ctx, input) => {
      const { id } = input.params as { id: string };
      const change = input.body as ItemChange | undefined;
      if (method === "put" && change?.title === undefined) {
        const catalog = await deps.store.current(c.env ?? {});
        if (!(await catalog.item(id))) {
          throw invalid([{ location: "body.title", message: "required for a new product" }], `${JSON.stringify(id)} is not in the trained catalogue, so it is a new product: send at least its title (and ideally brand, categories and price).`);
        }
      }
      const write: ItemWrite = method === "delete" ? { id, op: "delete" } : { id, op: method, change: change! };
      const state = await deps.merch.writeItems(c.env ?? {}, [write]);
      return c.json({ id, overlayVersion: state.overlay.version, op: method, item: state.overlay.items[id] }, 200, noStore);
    });
  }
  defineRoute(app, getRules, async (c) => {
    const state = await deps.merch.current(c.env ?? {});
    return c.json(rulesView(state), 200, noStore);
  });
  defineRoute(app, testRules, async (c, { body }) => {
    const picked = await pick(c, deps, undefined);
    const current = picked.merch;
    const rules = body.rules ? { ...current.rules, ...body.rules } : current.rules;
    const before = await previewList({ ...picked, merch: new MerchState(current.overlay, emptyRules()) }, body);
    const after = await previewList({ ...picked, merch: new MerchState(current.overlay, rules) }, body);
    return c.json({ list: before.list, before: before.items, after: after.items }, 200, noStore);
  });
  defineRoute(app, putRules, async (c, { body }) => {
    const state = await deps.merch.writeRules(c.env ?? {}, body);
    return c.json(rulesView(state), 200, noStore);
  });
}
