import { z } from "@hono/zod-openapi";
import { configOf } from "../config.ts";
import { requireAdmin } from "../http/auth.ts";
import { problemContent, UserParam } from "../schemas/common.ts";
import type { App, Deps } from "./context.ts";
import { defineRoute } from "./define.ts";

const route = {
  method: "delete" as const,
  path: "/v1/admin/users/{id}",
  summary: "Forget a shopper (erasure request)",
  description:
    "Writes a tombstone to KV. This isolate serves the shopper as unknown (popular items) at once, every other within 60 s; " +
    "the next training run drops their interactions, and `edgerec forget --purge` rewrites stored data without them.",
  security: [{ bearer: [] }],
  schemas: { params: UserParam },
  responses: {
    200: {
      description: "Tombstone written",
      content: { "application/json": { schema: z.object({ user: z.string(), forgotten: z.literal(true), forgottenAt: z.string() }) } },
    },
    400: { description: "Invalid user id", content: problemContent },
    401: { description: "Missing or wrong bearer token", content: problemContent },
  },
};

export function registerForgetRoutes(app: App, deps: Deps): void {
  defineRoute(app, route, async (c, { params: { id } }) => {
    const env = c.env;
    requireAdmin(c.req.header("authorization"), configOf(env ?? {}).adminToken);
    const { forgottenAt } = await deps.forgotten.forget(env, id);
    return c.json({ user: id, forgotten: true as const, forgottenAt }, 200, { "cache-control": "no-store" });
  });
}
