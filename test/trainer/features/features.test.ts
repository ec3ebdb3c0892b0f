import { describe, expect, it } from "vitest";
import { rowIndices, rowValues } from "../../../trainer/data/matrix.ts";
import type { ItemMeta } from "../../../trainer/data/types.ts";
import { buildItemFeatures } from "../../../trainer/features/item-features.ts";
import { priceBucket, priceEdges } from "../../../trainer/features/price.ts";
import { tokenize } from "../../../trainer/features/tokens.ts";
import { buildUserFeatures } from "../../../trainer/features/user-features.ts";
import { withIdentity } from "../../../trainer/features/with-identity.ts";

const items: ItemMeta[] = [
  { id: "a", title: "Dark Roast Coffee Beans", brand: "Acme", categories: ["Grocery", "Beverages", "Coffee"], price: 12, alsoBuy: ["b", "c"] },
  { id: "b", title: "Medium Roast Coffee", brand: "acme ", categories: ["Grocery", "Beverages", "Coffee"], price: 9.5, alsoBuy: ["a", "c"] },
  { id: "c", title: "<b>Green</b> Tea &amp; Honey", brand: "Leafy", categories: ["Grocery", "Beverages", "Tea"], price: 4 },
  { id: "d", title: "Honey Jar", categories: ["Grocery", "Sweeteners"], price: 150 },
];

describe("item features", () => {
  it("turns every level of the category path, brand, price bucket, tokens and related ids into shared features", () => {
    const { matrix, names } = buildItemFeatures(items, { minCount: 2 });
    const of = (i: number) => Array.from(rowIndices(matrix, i), (c) => names[c]);
    expect(of(0)).toEqual(expect.arrayContaining(["cat:Grocery", "path:Grocery>Beverages", "path:Grocery>Beverages>Coffee", "brand:acme", "buy:c"]));
    // Brand is normalised (case, spaces); features on a single item are dropped.
    expect(of(1)).toContain("brand:acme");
    expect(names).not.toContain("brand:leafy");
    expect(names.some((n) => n.startsWith("title#"))).toBe(true);
    expect(names).not.toContain("path:Grocery>Beverages>Tea");
  });

  it("scales each feature group of an item to sum to 1", () => {
    const { matrix, names } = buildItemFeatures(items, { sets: ["categories", "related"] });
    const vals = rowValues(matrix, 0);
    const idx = rowIndices(matrix, 0);
    let cats = 0;
    let related = 0;
    idx.forEach((c, p) => (names[c].startsWith("buy:") ? (related += vals[p]) : (cats += vals[p])));
    expect(cats).toBeCloseTo(1, 5);
    expect(related).toBeCloseTo(1, 5);
  });

  it("only uses the requested sets", () => {
    const { names } = buildItemFeatures(items, { sets: ["brand"] });
    expect(names).toEqual(["brand:acme"]);
  });
});

describe("feature helpers", () => {
  it("tokenizes without HTML, stop words or numbers", () => {
    expect(tokenize("<b>Green</b> Tea &amp; the Honey 100 tea")).toEqual(["green", "tea", "honey"]);
  });

  it("buckets prices on a log scale at catalogue quantiles", () => {
    const edges = priceEdges([1, 2, 4, 8, 16, 32, 64, 128], 4);
    expect(edges).toHaveLength(3);
    expect(priceBucket(1, edges)).toBe(0);
    expect(priceBucket(128, edges)).toBe(3);
    expect(priceBucket(undefined, edges)).toBe(-1);
    expect(priceBucket(-3, edges)).toBe(-1);
  });

  it("builds user features from MovieLens-style strings, aligned with user ids", () => {
    const map = new Map([
      ["1", ["age:25-34", "gender:M"]],
      ["2", ["age:25-34", "gender:F"]],
      ["3", ["gender:M"]],
    ]);
    const { matrix, names } = buildUserFeatures(["3", "1", "2", "4"], map);
    expect(Array.from(rowIndices(matrix, 0), (c) => names[c])).toEqual(["gender:M"]);
    expect(rowIndices(matrix, 3)).toHaveLength(0);
    expect(names).not.toContain("gender:F");
  });

  it("adds identity features only to rows with interactions and normalises as asked", () => {
    const { matrix } = buildItemFeatures(items, { sets: ["categories"] });
    const seen = Uint8Array.from([1, 1, 1, 0]);
    const split = withIdentity(4, matrix, seen, "split", 0.5);
    expect(split.nCols).toBe(4 + matrix.nCols);
    expect(rowIndices(split, 0)[0]).toBe(0);
    expect(rowValues(split, 0)[0]).toBe(1);
    const meta = rowValues(split, 0).slice(1).reduce((a, b) => a + b, 0);
    expect(meta).toBeCloseTo(0.5, 5);
    // The unseen item is described by metadata alone.
    expect(Array.from(rowIndices(split, 3)).every((c) => c >= 4)).toBe(true);
    const l1 = withIdentity(4, matrix, seen, "l1");
    expect(rowValues(l1, 1).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(() => withIdentity(5, matrix, seen, "none")).toThrow(/same id space/);
  });
});
