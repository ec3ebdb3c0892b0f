/** The event API's request and response shapes; the OpenAPI document is generated from these. */
import { z } from "@hono/zod-openapi";
import { EVENT_TYPES } from "../artifact/index.ts";
import { Id } from "../schemas/common.ts";

export const MAX_EVENTS_PER_REQUEST = 500;
/** Client clocks are trusted this far into the past and future; outside it the event is rejected. */
export const MAX_EVENT_AGE_MS = 7 * 24 * 3600 * 1000;
export const MAX_EVENT_SKEW_MS = 10 * 60 * 1000;

const Label = z.string().min(1).max(64);

export const EventInput = z
  .object({
    type: z.enum(EVENT_TYPES).openapi({ description: "What happened", example: "click" }),
    user: Id.optional().openapi({ description: "The shopper's id (as in your training data); user and/or session is required" }),
    session: Id.optional().openapi({ description: "A session id for anonymous shoppers" }),
    item: Id.openapi({ description: "The product", example: "B0001" }),
    recId: z.string().min(1).max(64).optional().openapi({ description: "The `recId` of the recommendation response the item was shown in" }),
    variant: Label.optional().openapi({ description: "A/B arm that served the recommendation (the response's `variant`)", example: "control" }),
    placement: Label.optional().openapi({ description: "Where on the page: product-page, cart, home…", example: "product-page" }),
    position: z.number().int().min(0).max(1000).optional().openapi({ description: "0-based slot in the list" }),
    price: z.number().finite().min(0).max(1e9).optional().openapi({ description: "Unit price (purchase / add_to_cart)" }),
    quantity: z.number().int().min(1).max(10_000).optional(),
    rating: z.number().finite().min(0).max(10).optional().openapi({ description: "For `rate` events" }),
    ts: z
      .union([z.number().finite(), z.iso.datetime({ offset: true })])
      .optional()
      .openapi({ description: "When it happened: epoch milliseconds or ISO 8601. Server time when absent; at most 7 days old and 10 minutes ahead" }),
    id: z.string().min(1).max(64).optional().openapi({ description: "Your own event id: re-sending an event with the same id stores it once" }),
  })
  .strict()
  .refine((e) => e.user !== undefined || e.session !== undefined, { message: "give `user` and/or `session`", path: ["user"] })
  .refine((e) => e.type !== "rate" || e.rating !== undefined, { message: "a `rate` event needs `rating`", path: ["rating"] })
  .openapi("Event");

export const EventsBody = z.union([EventInput, z.array(EventInput).max(MAX_EVENTS_PER_REQUEST)]).openapi("EventsRequest");

const FieldProblem = z.object({ location: z.string().openapi({ example: "body[3].type" }), message: z.string() });

export const EventsResponse = z
  .object({
    accepted: z.number().int(),
    rejected: z.number().int(),
    problems: z
      .array(z.object({ index: z.number().int(), errors: z.array(FieldProblem) }))
      .openapi({ description: "One entry per rejected event, naming its index in the request and the offending fields" }),
  })
  .openapi("EventsResponse");
