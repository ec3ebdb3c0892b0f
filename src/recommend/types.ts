/** What callers may ask of every served-path recommender. */
export interface ItemFilter {
  /** A top-level category name or a category path prefix ("Grocery > Beverages"), case-insensitive. */
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  /** Item indexes never to return. */
  exclude?: ReadonlySet<number>;
}

export interface RecommendedItem {
  index: number;
  score: number;
  /** Why it is here, ready to show: "similar to Oat Milk 1L", "popular in Snacks"… */
  reason: string;
}

export type SimilarSource = "collaborative" | "content" | "popular";
export type UserStrategy = "precomputed" | "vectors" | "history";
