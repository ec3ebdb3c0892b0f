/**
 * Merchandising rules: one versioned JSON document, validated by zod before it is stored, so
 * a malformed document is refused and the rules in force stay as they were.
 * docs/merchandising.md describes every kind with an example.
 */
import { z } from "@hono/zod-openapi";

export const RULES_FORMAT = 1;

/** The lists a rule can apply to (every list route names itself with one of these). */
export const LIST_KINDS = ["similar", "user", "basket", "popular", "trending", "together"] as const;
export type ListKind = (typeof LIST_KINDS)[number];

const Name = z.string().trim().min(1).max(200);

/** Which items a rule is about: every condition given must hold; a list condition holds when any of its values does. */
export const Match = z
  .object({
    items: z.array(Name).min(1).max(10_000).optional(),
    brands: z.array(Name).min(1).max(500).optional(),
    /** Category names at any level, or paths ("Grocery > Coffee"), case-insensitive. */
    categories: z.array(Name).min(1).max(500).optional(),
    minPrice: z.number().finite().min(0).optional(),
    maxPrice: z.number().finite().min(0).optional(),
    /** Items first added through the overlay within `newDays` (see the rules document). */
    new: z.literal(true).optional(),
  })
  .strict()
  .refine((m) => Object.keys(m).length > 0, "a match needs at least one condition (items, brands, categories, minPrice, maxPrice or new)")
  .refine((m) => m.minPrice === undefined || m.maxPrice === undefined || m.minPrice <= m.maxPrice, "minPrice must not exceed maxPrice");
export type Match = z.infer<typeof Match>;

/** Where a rule applies: all given conditions must hold (absent = everywhere). */
export const Where = z
  .object({
    lists: z.array(z.enum(LIST_KINDS)).min(1).optional(),
    /** Lists for this category (the request's category filter, or the page item's category), any level. */
    category: Name.optional(),
    /** Lists on this item's page (similar items, bought together). */
    item: Name.optional(),
  })
  .strict();
export type Where = z.infer<typeof Where>;

const base = { id: Name.optional(), where: Where.optional() };

export const Rule = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("pin"), ...base, item: Name, position: z.number().int().min(1).max(100) }).strict(),
  z.object({ kind: z.literal("boost"), ...base, match: Match, factor: z.number().finite().gt(1).max(100).default(2) }).strict(),
  z.object({ kind: z.literal("bury"), ...base, match: Match, factor: z.number().finite().gt(1).max(100).default(2) }).strict(),
  z.object({ kind: z.literal("hide"), ...base, match: Match }).strict(),
  z.object({ kind: z.literal("filter"), ...base, match: Match }).strict(),
  z.object({ kind: z.literal("cap"), ...base, by: z.enum(["brand", "category"]), max: z.number().int().min(1).max(100), level: z.number().int().min(1).max(10).default(1) }).strict(),
  z.object({ kind: z.literal("diversity"), ...base, lambda: z.number().min(0).max(1) }).strict(),
  z.object({ kind: z.literal("notRecentlyBought"), ...base, days: z.number().int().min(1).max(3650), repurchasable: z.array(Name).max(500).default([]) }).strict(),
  z.object({ kind: z.literal("newArrivals"), ...base, slots: z.number().int().min(1).max(20), position: z.number().int().min(1).max(100).default(1) }).strict(),
]);
export type Rule = z.infer<typeof Rule>;

export const RulesInput = z
  .object({
    /** Out-of-stock items never appear (default). Set false to show them. */
    inStockOnly: z.boolean().default(true),
    /** An overlay item counts as "new" for this many days after it was first added. */
    newDays: z.number().int().min(1).max(365).default(30),
    rules: z.array(Rule).max(200).default([]),
  })
  .strict()
  .openapi("RulesInput");
export type RulesInput = z.infer<typeof RulesInput>;

export interface RulesDocument extends RulesInput {
  format: number;
  version: number;
  updatedAt: string;
}

export function emptyRules(): RulesDocument {
  return { format: RULES_FORMAT, version: 0, updatedAt: new Date(0).toISOString(), inStockOnly: true, newDays: 30, rules: [] };
}

export interface RuleProblem {
  location: string;
  message: string;
}

/** Validates a rules document; the problems say where (`rules[2].match.minPrice`) and what. */
export function validateRules(input: unknown): { ok: true; rules: RulesInput } | { ok: false; problems: RuleProblem[] } {
  const result = RulesInput.safeParse(input);
  if (result.success) return { ok: true, rules: result.data };
  const problems = result.error.issues.slice(0, 50).map((i) => {
    let location = "rules";
    for (const p of i.path) location += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
    return { location: location.replace(/^rules\.rules/, "rules"), message: i.message };
  });
  return { ok: false, problems };
}

/** The stored document (trusted: it was validated when written). */
export function readRules(text: string | null): RulesDocument {
  if (text === null) return emptyRules();
  const parsed = JSON.parse(text) as RulesDocument;
  const checked = validateRules({ inStockOnly: parsed.inStockOnly, newDays: parsed.newDays, rules: parsed.rules });
  if (!checked.ok) throw new Error(`the stored rules document is invalid (${checked.problems[0].location}: ${checked.problems[0].message}); write it again with \`edgerec rules set\``);
  return { format: RULES_FORMAT, version: parsed.version ?? 0, updatedAt: parsed.updatedAt ?? new Date(0).toISOString(), ...checked.rules };
}
