import { z } from "@hono/zod-openapi";
import { configOf } from "../config.ts";
import { requireAdmin } from "../http/auth.ts";
import { problemContent } from "../schemas/common.ts";
import type { App, Deps } from "./context.ts";
import { defineRoute } from "./define.ts";

const route = {
  method: "post" as const,
  path: "/v1/admin/reload",
  summary: "Re-read the `current` pointer now (and retry a version that failed before)",
  security: [{ bearer: [] }],
  responses: {
    200: {
      description: "Reload result",
      content: {
        "application/json": {
          schema: z.object({ previous: z.string().nullable(), version: z.string().nullable(), status: z.string(), lastError: z.unknown() }),
        },
      },
    },
    401: { description: "Missing or wrong bearer token", content: problemContent },
  },
  schemas: {},
};

export function registerAdminRoutes(app: App, deps: Deps): void {
  defineRoute(app, route, async (c) => {
    const env = c.env ?? {};
    requireAdmin(c.req.header("authorization"), configOf(env).adminToken);
    const previous = deps.store.health(env).version;
    await deps.store.refresh(env, true);
    const health = deps.store.health(env);
    return c.json({ previous, version: health.version, status: health.status, lastError: health.lastError }, 200, { "cache-control": "no-store" });
  });
}
