import type { ItemMeta } from "../data/types.ts";
import { FeatureCollector, type FeatureMatrix } from "./feature-matrix.ts";
import { priceBucket, priceEdges } from "./price.ts";
import { fnv1a, tokenize } from "./tokens.ts";

/** Which kinds of catalogue metadata become item features. */
export type ItemFeatureSet = "categories" | "attributes" | "brand" | "price" | "text" | "related";

export const ALL_ITEM_FEATURE_SETS: ItemFeatureSet[] = ["categories", "attributes", "brand", "price", "text", "related"];

export interface ItemFeatureOptions {
  sets?: ItemFeatureSet[];
  /** Hash space for title/description/review tokens. */
  hashBuckets?: number;
  /** Features present on fewer items are dropped. */
  minCount?: number;
  priceBuckets?: number;
  /** Tokens kept per text field. */
  maxTokens?: number;
  /** Related item ids kept per list (also_buy, also_view), first ones first: they cost training time per item. */
  maxRelated?: number;
  /** Extra text per item index (e.g. concatenated review summaries from training data only). */
  reviewText?: Map<number, string>;
}

/**
 * Item × feature matrix from the catalogue, LightFM style:
 * - categories: every level of the path ("Grocery", "Grocery>Beverages", …) and every name on its own
 *   (MovieLens genres are a set, not a path);
 * - attributes: an unordered set (tags, attribute ids), each attribute one feature and no paths;
 * - brand; price bucket (log-scale quantiles of this catalogue);
 * - hashed tokens of title, description and review summaries;
 * - related: ids of items bought / viewed together (catalogue metadata, e.g. Amazon also_buy).
 * `items` must be aligned with the model's item index (Dataset.items is).
 */
export function buildItemFeatures(items: ItemMeta[], opts: ItemFeatureOptions = {}): FeatureMatrix {
  const sets = new Set(opts.sets ?? ALL_ITEM_FEATURE_SETS);
  const buckets = opts.hashBuckets ?? 1 << 15;
  const maxTokens = opts.maxTokens ?? 32;
  const maxRelated = opts.maxRelated ?? 10;
  const fc = new FeatureCollector(items.length);
  const edges = sets.has("price") ? priceEdges(items.map((m) => m.price ?? NaN), opts.priceBuckets ?? 8) : [];
  const hashed = (prefix: string, text: string | undefined, row: number) => {
    if (!text) return;
    for (const t of tokenize(text, maxTokens)) fc.add(row, "text", `${prefix}#${fnv1a(`${prefix}:${t}`) % buckets}`);
  };
  items.forEach((m, i) => {
    if (sets.has("categories") && m.categories) {
      let path = "";
      for (const level of m.categories) {
        const name = level.trim();
        if (!name) continue;
        fc.add(i, "category", `cat:${name}`);
        path = path ? `${path}>${name}` : name;
        if (path !== name) fc.add(i, "category", `path:${path}`);
      }
    }
    if (sets.has("attributes") && m.attributes) {
      for (const a of new Set(m.attributes)) if (a.trim()) fc.add(i, "attribute", `attr:${a.trim()}`);
    }
    if (sets.has("brand") && m.brand && m.brand.trim()) fc.add(i, "brand", `brand:${m.brand.trim().toLowerCase()}`);
    if (sets.has("price")) {
      const b = priceBucket(m.price, edges);
      if (b >= 0) fc.add(i, "price", `price:${b}`);
    }
    if (sets.has("text")) {
      hashed("title", m.title, i);
      hashed("desc", m.description, i);
      hashed("review", opts.reviewText?.get(i), i);
    }
    if (sets.has("related")) {
      for (const id of (m.alsoBuy ?? []).slice(0, maxRelated)) fc.add(i, "alsoBuy", `buy:${id}`);
      for (const id of (m.alsoView ?? []).slice(0, maxRelated)) fc.add(i, "alsoView", `view:${id}`);
    }
  });
  return fc.build(opts.minCount ?? 2);
}
