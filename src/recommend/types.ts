/** What callers may ask of every served-path recommender. */
export interface ItemFilter {
  /** A top-level category name or a category path prefix ("Grocery > Beverages"), case-insensitive. */
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  /** Item indexes never to return. */
  exclude?: ReadonlySet<number>;
  /**
   * Items never to return, one bit each (bit i & 7 of byte i >> 3): the catalogue overlay's
   * out-of-stock/hidden items, items hidden by a rule. Bits, so the mask of a whole catalogue
   * stays in cache while candidates scattered over it are checked.
   */
  blocked?: Uint8Array;
  /** Prices to filter by (the overlay's) instead of the artifact's. */
  prices?: Float32Array;
  /** Lower-cased category path bytes of an item whose category the overlay changed, else undefined. */
  pathOverride?: (item: number) => Uint8Array | undefined;
  /** Only items whose brand id (`brandOf[item]`) is marked here. */
  brands?: Uint8Array;
  brandOf?: Int32Array;
}

export interface RecommendedItem {
  index: number;
  score: number;
  /** Why it is here, ready to show: "similar to Oat Milk 1L", "popular in Snacks"… */
  reason: string;
}

export type SimilarSource = "collaborative" | "content" | "popular";
export type UserStrategy = "precomputed" | "vectors" | "history";
