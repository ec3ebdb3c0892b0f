/**
 * POST /v1/events: the store's own traffic (views, impressions, clicks, carts, purchases,
 * ratings) into the durable path — Queue, then R2 (events/consumer.ts). Documented in the
 * OpenAPI registry from the zod schemas; the body is read here rather than by the JSON body
 * middleware because it may also be NDJSON or text/plain (sendBeacon).
 */
import { z } from "@hono/zod-openapi";
import { ProblemError, problemResponse } from "../http/problem.ts";
import type { App } from "../routes/context.ts";
import { problemContent } from "../schemas/common.ts";
import { registerEventAdminRoutes } from "./admin.ts";
import { readEventBody } from "./body.ts";
import { sendEvents } from "./producer.ts";
import { EventsBody, EventsResponse, MAX_EVENTS_PER_REQUEST } from "./schema.ts";
import { validateEvents } from "./validate.ts";

const DEFAULT_MAX_BODY_BYTES = 512 * 1024;

function maxBodyBytes(raw: string | undefined): number {
  const n = Number(raw);
  return raw && Number.isFinite(n) && n >= 1024 ? Math.min(n, 10 * 1024 * 1024) : DEFAULT_MAX_BODY_BYTES;
}

export function registerEventRoutes(app: App): void {
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/events",
    summary: `Record shopper events (one, an array of up to ${MAX_EVENTS_PER_REQUEST}, or NDJSON)`,
    description:
      "Accepted events are queued durably before the answer and land in R2 under events/dt=…/hr=…/. Each event is checked on its own: the answer counts accepted and rejected events and names every rejected one's index and fields. Also accepts text/plain bodies, as navigator.sendBeacon sends them.",
    request: {
      body: {
        required: true,
        content: {
          "application/json": { schema: EventsBody },
          "application/x-ndjson": { schema: z.string().openapi({ description: "One Event JSON object per line" }) },
          "text/plain": { schema: z.string().openapi({ description: "A JSON event, array or NDJSON (navigator.sendBeacon)" }) },
        },
      },
    },
    responses: {
      202: { description: "Some or all events accepted (rejected ones listed in `problems`)", content: { "application/json": { schema: EventsResponse } } },
      400: { description: "No event accepted: every one is listed with its problems", content: problemContent },
      413: { description: `Body too large, or more than ${MAX_EVENTS_PER_REQUEST} events`, content: problemContent },
      415: { description: "Unsupported content type", content: problemContent },
      503: { description: "Event collection is not configured or the queue refused; retry", content: problemContent },
    },
  });
  registerEventAdminRoutes(app);

  app.post("/v1/events", async (c) => {
    const env = c.env ?? {};
    const queue = env.EVENTS;
    if (!queue) {
      throw new ProblemError(503, "events-disabled", "Event collection is off", "This deployment has no EVENTS queue binding; see docs/events.md to enable it.");
    }
    const raw = await readEventBody(c.req.raw, maxBodyBytes(env.EVENTS_MAX_BODY_BYTES));
    const { accepted, problems } = validateEvents(raw, Date.now(), () => crypto.randomUUID());
    if (accepted.length === 0) {
      return problemResponse(400, "invalid-events", "No valid events", `All ${raw.length} event(s) were rejected; see \`problems\`.`, c.req.path,
        problems.flatMap((p) => p.errors).slice(0, 50), undefined, { accepted: 0, rejected: problems.length, problems });
    }
    try {
      await sendEvents(queue, accepted);
    } catch (err) {
      console.error("edgerec: the events queue refused a send", err);
      throw new ProblemError(503, "events-queue", "Events not stored", "The event queue did not take the events; nothing was accepted. Retry shortly (re-sent events with an `id` are stored once).", undefined, { "retry-after": "1" });
    }
    return c.json({ accepted: accepted.length, rejected: problems.length, problems }, 202, { "cache-control": "no-store" });
  });
}
