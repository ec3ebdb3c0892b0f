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
import { ItemChange, type ItemWrite } from "../merch/overlay.ts";
import { RulesInput } from "../merch/rules.ts";
import type { MerchState } from "../merch/state.ts";
import { ItemParam, problemContent } from "../schemas/common.ts";
import type { App, Ctx, Deps } from "./context.ts";
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
  defineRoute(app, putRules, async (c, { body }) => {
    const state = await deps.merch.writeRules(c.env ?? {}, body);
    return c.json(rulesView(state), 200, noStore);
  });
}
