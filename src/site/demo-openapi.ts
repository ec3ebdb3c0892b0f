/**
 * OpenAPI descriptions of the demo's JSON routes, so /openapi.json and /docs list them beside the
 * API. Documentation only: the handlers live in demo-routes.ts and validate their few parameters by hand.
 */
import { z } from "@hono/zod-openapi";
import { ItemMetadata, problems, UserParam, Variant } from "../schemas/common.ts";
import type { App } from "../routes/context.ts";

const Limit = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).optional().openapi({ description: `How many to return (1..${max}, default ${fallback})` });

export function documentDemoRoutes(app: App): void {
  const registry = app.openAPIRegistry;
  const base = { version: z.string(), variant: Variant };
  registry.registerPath({
    method: "get",
    path: "/v1/search",
    summary: "Search products by title (demo autocomplete)",
    description: "Case-insensitive: titles starting with the query first, then a word starting with it, then containing it; ties by popularity. An exact item id comes first.",
    request: { query: z.object({ q: z.string().max(100).openapi({ example: "tea" }), limit: Limit(50, 8) }) },
    responses: {
      200: { description: "Matching items", content: { "application/json": { schema: z.object({ ...base, query: z.string(), items: z.array(ItemMetadata) }).openapi("SearchResults") } } },
      400: problems[400],
      503: problems[503],
    },
  });
  registry.registerPath({
    method: "get",
    path: "/v1/users",
    summary: "A sample of known shoppers (demo user picker)",
    description:
      'Users with at least 3 stored history items, spread evenly over the id space. Only with DEMO = "on" (local development) or the admin bearer token; otherwise 404.',
    request: { query: z.object({ limit: Limit(200, 20) }) },
    responses: {
      200: {
        description: "Shoppers",
        content: { "application/json": { schema: z.object({ ...base, users: z.array(z.object({ id: z.string(), historyLength: z.number().int() })) }).openapi("UserSample") } },
      },
      400: problems[400],
      503: problems[503],
    },
  });
  registry.registerPath({
    method: "get",
    path: "/v1/users/{id}/history",
    summary: "A shopper's stored history, most recent first",
    description: 'Only with DEMO = "on" (local development) or the admin bearer token; otherwise 404. With USER_TOKEN_SECRET set, also the user token.',
    request: { params: UserParam, query: z.object({ limit: Limit(200, 20) }) },
    responses: {
      200: { description: "History", content: { "application/json": { schema: z.object({ ...base, user: z.string(), items: z.array(ItemMetadata) }).openapi("UserHistory") } } },
      ...problems,
    },
  });
  registry.registerPath({
    method: "get",
    path: "/v1/model/card",
    summary: "Model card: header, metrics and per-epoch training history",
    description: "`training` is the per-epoch history the trainer stored in `extra.trainingHistory` (empty when none).",
    responses: {
      200: {
        description: "Model card",
        content: {
          "application/json": {
            schema: z
              .object({
                ...base,
                createdAt: z.string(),
                model: z.object({ type: z.string(), params: z.record(z.string(), z.unknown()) }),
                metrics: z.record(z.string(), z.number()),
                headlineMetric: z.string(),
                counts: z.object({ items: z.number().int(), users: z.number().int(), categories: z.number().int() }),
                training: z.array(z.record(z.string(), z.number())),
                candidates: z.array(
                  z.object({
                    family: z.string(),
                    description: z.string(),
                    validation: z.record(z.string(), z.number()).optional(),
                    test: z.record(z.string(), z.number()).optional(),
                    fitSeconds: z.number(),
                    chosen: z.boolean(),
                    skipped: z.string().optional(),
                  }),
                ),
                candidatesPrimary: z.string(),
                trainedOn: z.record(z.string(), z.unknown()).nullable(),
              })
              .openapi("ModelCard"),
          },
        },
      },
      503: problems[503],
    },
  });
}
