import { z } from "@hono/zod-openapi";
import { DEFAULT_K, Id, MAX_EXCLUDE, MAX_ID_LENGTH, MAX_K } from "./common.ts";

export const MAX_BASKET = 100;
/** Recently viewed items a basket request may carry (an order-aware model reads at most its own history length of them). */
export const MAX_RECENT = 100;
export const MAX_PAIRS = 1000;

export const Filters = z
  .object({
    category: z.string().min(1).max(200).optional(),
    minPrice: z.number().finite().min(0).optional(),
    maxPrice: z.number().finite().min(0).optional(),
    brand: z.array(z.string().min(1).max(200)).max(50).optional().openapi({ description: "Only items of these brands (case-insensitive)" }),
  })
  .strict()
  .refine((f) => f.minPrice === undefined || f.maxPrice === undefined || f.minPrice <= f.maxPrice, {
    message: "minPrice must not exceed maxPrice",
    path: ["minPrice"],
  })
  .openapi("Filters");

export const BasketBody = z
  .object({
    items: z.array(Id).max(MAX_BASKET).default([]).openapi({ description: "Items in the basket or viewed in this session, oldest first (most recent weighted highest)", example: ["B0001", "B0002"] }),
    recent: z
      .array(Id)
      .max(MAX_RECENT)
      .optional()
      .openapi({
        description:
          "Items the shopper met recently (viewed, added to the cart), in the order met, oldest first. Scored before `items` (the basket counts as most recent); never recommended. An order-aware model weighs them by recency.",
        example: ["B0003", "B0001"],
      }),
    exclude: z.array(Id).max(MAX_EXCLUDE).optional().openapi({ description: "Items never to recommend (basket items are always excluded)" }),
    k: z.number().int().min(1).max(MAX_K).default(DEFAULT_K),
    filters: Filters.optional(),
    session: Id.optional().openapi({ description: "Stable session id used for A/B assignment" }),
    bought: z
      .array(z.object({ item: Id, at: z.number().finite().openapi({ description: "Unix seconds" }) }).strict())
      .max(MAX_EXCLUDE)
      .optional()
      .openapi({ description: "What the shopper bought and when, for notRecentlyBought rules" }),
  })
  .strict()
  .refine((b) => b.items.length + (b.recent?.length ?? 0) > 0, { message: "give at least one item in items or recent", path: ["items"] })
  .openapi("BasketRequest");

/**
 * BasketBody's output for the bodies the widget sends — `{ items, k? }` only, every id 1..256
 * units, k an integer 1..100 — checked without zod; undefined for anything else, which the
 * schema then decides and explains. test/worker/schemas/fast-validation.test.ts checks it against the schema.
 */
export function fastBasketBody(json: unknown): { items: string[]; k: number } | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  for (const key in json) if (key !== "items" && key !== "k") return undefined;
  const { items, k = DEFAULT_K } = json as { items?: unknown; k?: unknown };
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_BASKET) return undefined;
  for (const id of items) if (typeof id !== "string" || id.length < 1 || id.length > MAX_ID_LENGTH) return undefined;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1 || k > MAX_K) return undefined;
  return { items: items as string[], k };
}

export const ScoreBody = z
  .object({
    pairs: z
      .array(z.object({ user: Id, item: Id }).strict())
      .min(1)
      .max(MAX_PAIRS)
      .openapi({ description: `Up to ${MAX_PAIRS} (user, item) pairs`, example: [{ user: "u42", item: "B0001" }] }),
  })
  .strict()
  .openapi("ScoreRequest");

export const ScoreResponse = z
  .object({
    version: z.string(),
    variant: z.enum(["control", "treatment"]),
    scores: z.array(
      z.object({
        user: z.string(),
        item: z.string(),
        score: z.number().nullable().openapi({ description: "The model's score; null when the item is unknown" }),
        kind: z.enum(["probability", "score", "popularity"]).nullable().openapi({
          description: "probability: a logistic model's P(user likes item); score: comparable within one user; popularity: the user is unknown",
        }),
        known: z.object({ user: z.boolean(), item: z.boolean() }),
      }),
    ),
  })
  .openapi("ScoreResponse");
