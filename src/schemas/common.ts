/** Shared request/response pieces; the OpenAPI document is generated from these. */
import { z } from "@hono/zod-openapi";

export const MAX_K = 100;
export const DEFAULT_K = 10;
export const MAX_ID_LENGTH = 256;
export const MAX_EXCLUDE = 500;

export const Id = z.string().min(1).max(MAX_ID_LENGTH);

export const K = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_K)
  .default(DEFAULT_K)
  .openapi({ param: { name: "k", in: "query" }, description: `How many items to return (1..${MAX_K})`, example: 10 });

const Price = z.coerce.number().finite().min(0);

/** Comma-separated ids, as in `?exclude=a,b`. */
const ExcludeList = z
  .string()
  .max(MAX_EXCLUDE * (MAX_ID_LENGTH + 1))
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(Id).max(MAX_EXCLUDE));

/** `id:unixSeconds` pairs, comma-separated. */
const BoughtList = z
  .string()
  .max(MAX_EXCLUDE * (MAX_ID_LENGTH + 12))
  .transform((s, ctx) => {
    const out: { item: string; at: number }[] = [];
    for (const part of s.split(",").map((x) => x.trim()).filter(Boolean)) {
      const colon = part.lastIndexOf(":");
      const at = Number(part.slice(colon + 1));
      if (colon <= 0 || !Number.isFinite(at)) {
        ctx.addIssue({ code: "custom", message: `"${part.slice(0, 80)}" is not id:unixSeconds` });
        return z.NEVER;
      }
      out.push({ item: part.slice(0, colon), at });
    }
    return out;
  })
  .pipe(z.array(z.object({ item: Id, at: z.number() })).max(MAX_EXCLUDE));

export const FilterQuery = {
  k: K,
  category: z.string().min(1).max(200).optional().openapi({
    description: "Only items of this category: a level at any depth (\"Coffee\") or a path (\"Beverages > Coffee\"), case-insensitive",
    example: "Snacks",
  }),
  minPrice: Price.optional().openapi({ description: "Only items costing at least this", example: 1 }),
  maxPrice: Price.optional().openapi({ description: "Only items costing at most this", example: 20 }),
  exclude: ExcludeList.optional().openapi({ type: "string", description: "Comma-separated item ids to leave out (e.g. the cart)", example: "a,b" }),
  session: Id.optional().openapi({ description: "Stable session/user id used for A/B assignment" }),
  brand: z
    .string()
    .max(2000)
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(1).max(200)).max(50))
    .optional()
    .openapi({ type: "string", description: "Only items of these brands (comma-separated, case-insensitive)", example: "Oatly,Alpro" }),
  bought: BoughtList.optional().openapi({
    type: "string",
    description: "What the shopper bought, as comma-separated `id:unixSeconds` pairs, for notRecentlyBought rules",
    example: "B001:1764979200",
  }),
};

export const RecommendationQuery = z
  .object(FilterQuery)
  .refine((q) => q.minPrice === undefined || q.maxPrice === undefined || q.minPrice <= q.maxPrice, {
    message: "minPrice must not exceed maxPrice",
    path: ["minPrice"],
  });

export const PopularQuery = RecommendationQuery;

/**
 * Exactly what `Id` accepts (1..MAX_ID_LENGTH UTF-16 units), decided without zod for the hot
 * routes; undefined when it does not accept, and the caller then runs the schema for its message.
 */
export function fastIdParam(id: string | undefined): { id: string } | undefined {
  return id !== undefined && id.length >= 1 && id.length <= MAX_ID_LENGTH ? { id } : undefined;
}

/**
 * RecommendationQuery's output for the query strings widgets send — none, or `k=<1..MAX_K>`
 * alone (at most 3 digits) — computed without zod's machinery; undefined for anything else,
 * which the schema then decides and explains. `search` is the URL after "?" ("" when absent).
 * test/worker/schemas/fast-validation.test.ts checks it against the schema.
 */
export function fastRecommendationQuery(search: string): { k: number } | undefined {
  if (search === "") return { k: DEFAULT_K };
  const n = search.length;
  if (n < 3 || n > 5 || search.charCodeAt(0) !== 0x6b || search.charCodeAt(1) !== 0x3d) return undefined;
  let k = 0;
  for (let i = 2; i < n; i++) {
    const digit = search.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    k = k * 10 + digit;
  }
  return k >= 1 && k <= MAX_K ? { k } : undefined;
}

export const ItemParam = z.object({
  id: Id.openapi({ param: { name: "id", in: "path" }, description: "Item id as in the catalogue", example: "B000123" }),
});

export const UserParam = z.object({
  id: Id.openapi({ param: { name: "id", in: "path" }, description: "User id as in the training data", example: "u42" }),
});

export const Variant = z.enum(["control", "treatment"]).openapi({ description: "A/B arm this response was served from" });

export const RecommendedItem = z
  .object({
    id: z.string(),
    title: z.string(),
    brand: z.string(),
    price: z.number().nullable(),
    category: z.string().openapi({ description: "Category path, levels joined by ' > '" }),
    topCategory: z.string().nullable(),
    image: z.string(),
    url: z.string(),
    interactions: z.number().int().openapi({ description: "Interactions seen in training (0 = new item)" }),
    score: z.number(),
    reason: z.string().openapi({ example: "similar to Oat Milk 1L" }),
  })
  .openapi("RecommendedItem");

export const ItemMetadata = RecommendedItem.omit({ score: true, reason: true }).openapi("Item");

export const RecommendationList = z
  .object({
    version: z.string().openapi({ description: "Artifact version that produced this response" }),
    variant: Variant,
    recId: z.string().openapi({ description: "This response's id: send it with impression/click/purchase events (POST /v1/events)" }),
    fallback: z.enum(["popular"]).optional().openapi({ description: "Set when the request could not be personalised" }),
    items: z.array(RecommendedItem),
  })
  .openapi("RecommendationList");

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ location: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

export const problemContent = { "application/problem+json": { schema: ProblemSchema } };

export const problems = {
  400: { description: "Invalid parameters or body", content: problemContent },
  404: { description: "Unknown id", content: problemContent },
  503: { description: "No artifact published yet, or storage unavailable (see Retry-After)", content: problemContent },
} as const;
