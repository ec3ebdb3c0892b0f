/**
 * The catalogue overlay: item changes made after the last training (stock, price, display
 * fields, categories, hiding, removal and brand-new items), kept as one versioned JSON document.
 * The admin API and `edgerec catalog push` validate changes with these schemas and merge them
 * with `mergeChanges`; the worker reads the document back with `readOverlay`.
 */
import { z } from "@hono/zod-openapi";

export const OVERLAY_FORMAT = 1;
const MAX_TEXT = 500;
const MAX_URL = 2048;

/** One item's change; every field is optional and only what is given changes. */
export const ItemChange = z
  .object({
    inStock: z.boolean().optional(),
    hidden: z.boolean().optional(),
    price: z.number().finite().min(0).nullable().optional(),
    title: z.string().max(MAX_TEXT).optional(),
    brand: z.string().max(MAX_TEXT).optional(),
    image: z.string().max(MAX_URL).optional(),
    url: z.string().max(MAX_URL).optional(),
    /** Category path from the top level down, e.g. ["Grocery", "Beverages", "Coffee"]. */
    categories: z.array(z.string().trim().min(1).max(200).refine((s) => !s.includes(" > "), "a level must not contain ' > '")).max(10).optional(),
  })
  .strict();
export type ItemChange = z.infer<typeof ItemChange>;

/** A stored entry: the change plus bookkeeping. `removed` = DELETE (never shown again until re-added). */
export interface OverlayEntry extends ItemChange {
  removed?: boolean;
  /**
   * When the id was first written to the overlay (Unix seconds): what "new" rules and new
   * arrivals use. One number, not ISO strings: at 10,000 entries the document's size (and so its
   * parse time in every isolate) is mostly per-entry overhead.
   */
  added: number;
}

export interface OverlayDocument {
  format: number;
  version: number;
  updatedAt: string;
  items: Record<string, OverlayEntry>;
}

export const ItemIdSchema = z.string().min(1).max(256);

export function emptyOverlay(): OverlayDocument {
  return { format: OVERLAY_FORMAT, version: 0, updatedAt: new Date(0).toISOString(), items: {} };
}

/** What a write does to one item: replace its entry (PUT), merge into it (PATCH) or remove the item (DELETE). */
export type ItemWrite = { id: string; op: "put" | "patch"; change: ItemChange } | { id: string; op: "delete" };

/**
 * A new document with `writes` applied and the version bumped (the input is not modified).
 * `now` is an ISO time. A PUT keeps the entry's `added`, so "new since" survives edits.
 */
export function mergeChanges(doc: OverlayDocument, writes: readonly ItemWrite[], now: string): OverlayDocument {
  const items: Record<string, OverlayEntry> = { ...doc.items };
  const nowSeconds = Math.floor(Date.parse(now) / 1000);
  for (const w of writes) {
    const before = items[w.id];
    const added = before?.added ?? nowSeconds;
    if (w.op === "delete") items[w.id] = { removed: true, added };
    else if (w.op === "put") items[w.id] = { ...w.change, added };
    else {
      const { removed: _removed, ...kept } = before ?? { added };
      items[w.id] = { ...kept, ...w.change, added };
    }
  }
  return { format: OVERLAY_FORMAT, version: doc.version + 1, updatedAt: now, items };
}

/**
 * Parses a stored document. Written only through the schemas above, so it is trusted for
 * shape; a document that is not even an object (hand-edited KV) is refused with the reason.
 */
export function readOverlay(text: string | null): OverlayDocument {
  if (text === null) return emptyOverlay();
  const doc = JSON.parse(text) as OverlayDocument;
  if (!doc || typeof doc !== "object" || typeof doc.version !== "number" || !doc.items || typeof doc.items !== "object") {
    throw new Error("the overlay document is not { format, version, items }: write it with `edgerec catalog push` or the admin API");
  }
  return doc;
}

/** Items the overlay keeps out of every list: out of stock, hidden or removed. */
export function isUnavailable(e: OverlayEntry): boolean {
  return e.removed === true || e.hidden === true || e.inStock === false;
}
