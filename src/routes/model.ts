import { z } from "@hono/zod-openapi";
import { problems } from "../schemas/common.ts";
import { type App, conditional, type Deps, jsonResponse, pick, waitUntilOf } from "./context.ts";
import { defineRoute } from "./define.ts";
import { rulesView } from "./merch.ts";

const ModelInfo = z
  .object({
    version: z.string(),
    variant: z.enum(["control", "treatment"]),
    createdAt: z.string(),
    sourceHash: z.string(),
    model: z.object({ type: z.string(), params: z.record(z.string(), z.unknown()) }),
    metrics: z.record(z.string(), z.number()),
    headlineMetric: z.string(),
    counts: z.object({ items: z.number(), users: z.number(), categories: z.number() }),
    trainedOn: z
      .object({
        interactions: z.number(),
        users: z.number(),
        items: z.number(),
        firstTime: z.string().nullable(),
        lastTime: z.string().nullable(),
        source: z.string(),
        generatedSample: z.boolean().optional(),
      })
      .nullable()
      .openapi({ description: "What the served model was fitted on, and where the data came from (null for artifacts built before it was recorded)" }),
    layout: z.enum(["single", "sharded"]),
    categories: z.array(z.string()),
    loadedAt: z.string(),
    decodeMs: z.number(),
    bytes: z.number(),
    overlay: z.object({ version: z.number().int(), items: z.number().int(), updatedAt: z.string() }).openapi({ description: "The live catalogue overlay in force" }),
    rules: z
      .object({ version: z.number().int(), updatedAt: z.string(), inStockOnly: z.boolean(), newDays: z.number().int(), rules: z.array(z.record(z.string(), z.unknown())) })
      .openapi({ description: "The merchandising rules in force" }),
  })
  .openapi("ModelInfo");

const modelRoute = {
  method: "get" as const,
  path: "/v1/model",
  summary: "The served artifact: version, creation time, model type and parameters, evaluation metrics",
  responses: {
    200: { description: "Model info", content: { "application/json": { schema: ModelInfo } } },
    304: { description: "Not modified" },
    503: problems[503],
  },
  schemas: {},
};

const Health = z
  .object({
    status: z.enum(["ok", "degraded", "unavailable"]),
    version: z.string().nullable(),
    source: z.string(),
    loadedAt: z.string().nullable(),
    lastCheckAt: z.string().nullable(),
    lastError: z.object({ version: z.string().optional(), message: z.string(), at: z.string() }).nullable(),
    decodes: z.number().int(),
    load: z
      .object({ fetchMs: z.number(), decodeMs: z.number(), bytes: z.number(), layout: z.enum(["single", "sharded"]) })
      .nullable()
      .openapi({ description: "How the served version was loaded (storage read, verify + decode)" }),
  })
  .openapi("Health");

const healthRoute = {
  method: "get" as const,
  path: "/healthz",
  summary: "Liveness and artifact status",
  description:
    '"degraded" means a newer published version failed to load and the previous one is still served (see lastError). A status-code monitor should ask with `?strict=1`: then "degraded" answers 503 too.',
  responses: {
    200: { description: "Serving (ok, or degraded without strict)", content: { "application/json": { schema: Health } } },
    503: { description: "Nothing can be served yet, or degraded with strict=1", content: { "application/json": { schema: Health } } },
  },
  schemas: {
    query: z.object({
      strict: z
        .enum(["0", "1", "true", "false"])
        .optional()
        .openapi({ description: "1: answer 503 while degraded as well as while unavailable (for status-code monitors)" }),
    }),
  },
};

export function registerModelRoutes(app: App, deps: Deps): void {
  defineRoute(app, modelRoute, async (c) => {
    const picked = await pick(c, deps, c.req.query("session"));
    const cache = conditional(c, picked, false);
    if (cache instanceof Response) return cache;
    const s = picked.catalog;
    const h = s.header;
    return jsonResponse(
      picked,
      {
        createdAt: h.createdAt,
        sourceHash: h.sourceHash,
        model: h.model,
        metrics: h.metrics,
        headlineMetric: h.headlineMetric,
        counts: h.counts,
        trainedOn: h.trainedOn ?? null,
        layout: s.layout,
        categories: s.categories(),
        loadedAt: new Date(s.loadedAt).toISOString(),
        decodeMs: Math.round(s.decodeMs * 100) / 100,
        bytes: s.byteLength,
        overlay: { version: picked.merch.overlay.version, items: picked.merch.ids.length, updatedAt: picked.merch.overlay.updatedAt },
        rules: rulesView(picked.merch),
      },
      cache,
    );
  });

  defineRoute(app, healthRoute, async (c, input) => {
    const env = c.env ?? {};
    const current = deps.store.current(env, waitUntilOf(c));
    if (current instanceof Promise) await current.catch(() => undefined);
    const health = deps.store.health(env);
    const strict = input.query.strict === "1" || input.query.strict === "true";
    const failing = health.status === "unavailable" || (strict && health.status === "degraded");
    return c.json(health, failing ? 503 : 200, { "cache-control": "no-store" });
  });
}
