/**
 * POST /v1/admin/events/purge: one bounded page of `edgerec forget --purge --remote`. The worker
 * can list R2 where wrangler cannot, so the CLI calls this in a loop, following `cursor`.
 * The tombstones are listed afresh from KV on every call (not the isolate's cached set), so a
 * page never works from a list older than the request.
 */
import type { MiddlewareHandler } from "hono";
import { z } from "@hono/zod-openapi";
import { configOf } from "../config.ts";
import { requireAdmin } from "../http/auth.ts";
import { readJsonBody } from "../http/body.ts";
import { ForgottenShoppers } from "../privacy/forgotten.ts";
import type { App } from "../routes/context.ts";
import { defineRoute } from "../routes/define.ts";
import { problemContent } from "../schemas/common.ts";
import { purgeEventObjects } from "./purge.ts";

export const PURGE_PAGE_DEFAULT = 25;
export const PURGE_PAGE_MAX = 100;

const adminOnly: MiddlewareHandler = async (c, next) => {
  requireAdmin(c.req.header("authorization"), configOf(c.env ?? {}).adminToken);
  await next();
};

const PurgeRequest = z
  .object({
    cursor: z.string().min(1).max(2048).optional().openapi({ description: "The `cursor` of the previous answer (none: start at the first event object)" }),
    limit: z.number().int().min(1).max(PURGE_PAGE_MAX).default(PURGE_PAGE_DEFAULT).openapi({ description: "Event objects to read on this page" }),
  })
  .strict()
  .openapi("EventPurgeRequest");

const PurgeAnswer = z
  .object({
    forgotten: z.number().int().openapi({ description: "Tombstones the worker read from KV" }),
    scanned: z.number().int(),
    rewritten: z.number().int(),
    deleted: z.number().int().openapi({ description: "Objects that held only forgotten shoppers' events" }),
    dropped: z.number().int().openapi({ description: "Events removed" }),
    unparsed: z.number().int().openapi({ description: "Lines that are not JSON, kept as they were" }),
    cursor: z.string().nullable().openapi({ description: "Pass it back for the next page; null when done" }),
  })
  .openapi("EventPurgePage");

const route = {
  method: "post" as const,
  path: "/v1/admin/events/purge",
  summary: "Rewrite stored event objects without forgotten shoppers (one page)",
  description:
    "Reads the KV tombstones, then up to `limit` event objects from `cursor`; each that holds a forgotten shopper's events (by `user`) is rewritten " +
    "under the same key without them, and deleted when nothing is left. Other events are kept line for line. Idempotent. `edgerec forget --purge --remote` pages through it.",
  security: [{ bearer: [] }],
  middleware: [adminOnly, readJsonBody],
  schemas: { body: PurgeRequest },
  responses: {
    200: { description: "This page's counts and the next cursor", content: { "application/json": { schema: PurgeAnswer } } },
    400: { description: "Invalid body (see `errors`)", content: problemContent },
    401: { description: "Missing or wrong bearer token", content: problemContent },
    415: { description: "Body is not JSON", content: problemContent },
    503: { description: "The tombstones could not be read from KV; retry", content: problemContent },
  },
};

export function registerEventPurgeRoute(app: App): void {
  defineRoute(app, route, async (c, { body }) => {
    const env = c.env;
    const forgotten = await new ForgottenShoppers().current(env);
    const page = await purgeEventObjects(env.ARTIFACTS, forgotten, { cursor: body.cursor, limit: body.limit });
    return c.json({ forgotten: forgotten.size, ...page }, 200, { "cache-control": "no-store" });
  });
}
