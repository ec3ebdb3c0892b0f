/**
 * Folds the live catalogue overlay into a loaded dataset before training, so the next artifact
 * carries the overlay's display fields and the products added since (as catalogue-only items,
 * which get content neighbours and a place in the content index). Stock, hiding and removal
 * are live state, not catalogue facts: they stay in the overlay, which the worker keeps applying.
 * Call it right after loading the dataset and before any split (it appends item ids).
 */
import { readFileSync } from "node:fs";
import { isUnavailable, type OverlayDocument, type OverlayEntry, readOverlay } from "../../src/artifact/index.ts";
import type { ItemMeta } from "../data/types.ts";
import type { Dataset } from "../data/spec.ts";

export interface FoldReport {
  /** Trained items whose metadata the overlay changed. */
  updated: number;
  /** Products added from the overlay (catalogue-only, at the end of the item index space). */
  added: number;
  /** Overlay-only entries left out: removed, or with no title. */
  skipped: number;
  /** Entries that stay live in the worker's overlay (out of stock, hidden, removed). */
  live: number;
  overlayVersion: number;
}

export function readOverlayFile(file: string): OverlayDocument {
  try {
    return readOverlay(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot read the catalogue overlay (${(err as Error).message}); write it with \`edgerec catalog pull --local|--remote --out ${file}\``);
  }
}

function applyTo(meta: ItemMeta, e: OverlayEntry): void {
  if (e.title !== undefined) meta.title = e.title;
  if (e.brand !== undefined) meta.brand = e.brand;
  if (e.categories !== undefined) meta.categories = e.categories;
  if (e.price !== undefined) meta.price = e.price === null ? undefined : e.price;
  if (e.image !== undefined) meta.imageUrl = e.image;
  if (e.url !== undefined) meta.url = e.url;
}

export function foldOverlay(dataset: Dataset, overlay: OverlayDocument): FoldReport {
  const report: FoldReport = { updated: 0, added: 0, skipped: 0, live: 0, overlayVersion: overlay.version };
  const itemIds = dataset.interactions.itemIds;
  const index = new Map<string, number>();
  itemIds.forEach((id, i) => index.set(id, i));
  for (const [id, entry] of Object.entries(overlay.items)) {
    if (isUnavailable(entry)) report.live++;
    const i = index.get(id);
    if (i !== undefined) {
      if (entry.removed) continue;
      dataset.items[i] ??= { id };
      applyTo(dataset.items[i], entry);
      report.updated++;
      continue;
    }
    if (entry.removed || entry.title === undefined) {
      report.skipped++;
      continue;
    }
    const meta: ItemMeta = { id };
    applyTo(meta, entry);
    // itemIds is shared by the dataset's splits: a catalogue-only item has no interactions in any.
    itemIds.push(id);
    dataset.items.push(meta);
    index.set(id, itemIds.length - 1);
    report.added++;
  }
  if (report.added > 0) dataset.extra = { ...dataset.extra, catalogueOnlyItems: (dataset.extra?.catalogueOnlyItems ?? 0) + report.added };
  return report;
}
