import type { Interactions, ItemMeta, ReadReport } from "./types.ts";
import type { TextEncoding } from "./source.ts";

/** Formats of interaction files. */
export type InteractionFormat =
  | "auto"
  /** Amazon review data, 2018 or 2014 release: JSON lines with reviewerID, asin, overall, unixReviewTime. */
  | "amazon-reviews"
  /** The competition train.csv / test.csv (userid, itemid, overall/rating, Id). */
  | "competition-csv"
  /** Any delimited file with user/item (and optional rating/time) columns: MovieLens u.data, ReChorus CSV… */
  | "delimited";

/** Formats of item metadata files. */
export type ItemsFormat =
  | "auto"
  /** Amazon metadata: 2018 JSON lines, or 2014 Python-literal lines ({'asin': …}). */
  | "amazon-meta"
  /** MovieLens u.item (pipe, ISO-8859-1, 19 genre flags). */
  | "movielens-item"
  /** ReChorus item_meta.csv (item_id, i_category, r_complement, r_substitute). */
  | "rechorus-meta"
  /** Delimited table with id/title/brand/categories/price/description/image/url columns. */
  | "csv"
  /** JSON lines (or a JSON array) of objects with the same fields. */
  | "json";

/**
 * How repeated (user, item) pairs become one interaction:
 * - latest (default): the row with the latest time wins (ties: the later row in the file), its rating is kept;
 * - first / last: the first / last row in file order;
 * - max: the highest rating (time = latest);
 * - mean: the mean rating (time = latest).
 */
export type DuplicateRule = "latest" | "first" | "last" | "max" | "mean";

/** A column by header name (case-insensitive) or by 0-based position; "none" turns an optional column off. */
export type ColumnRef = string | number;

export interface DataSpec {
  /** Interaction files read into one dataset (one id space). */
  interactions?: string[];
  /** Given splits read into one shared id space; `train` is required when present. */
  splits?: { train: string[]; dev?: string[]; test?: string[] };
  format?: InteractionFormat;
  columns?: { user?: ColumnRef; item?: ColumnRef; rating?: ColumnRef; time?: ColumnRef };
  /** Field delimiter for delimited files; sniffed when absent. "\t", ",", "|", ";", "::" … */
  delimiter?: string;
  /** Whether delimited files start with a header; sniffed when absent. */
  header?: boolean;
  encoding?: TextEncoding;
  /** Item metadata (catalogue) file. */
  items?: string;
  itemsFormat?: ItemsFormat;
  /** Catalogue (csv/json) columns read as unordered attributes `column:value` (besides a tags/attributes column). */
  attributeColumns?: string[];
  /** MovieLens u.genre for genre names (default: the u.genre next to u.item if present, else the standard list). */
  genres?: string;
  /** Per-user features file (MovieLens u.user layout: id|age|gender|occupation|zip). */
  userFeatures?: string;
  duplicates?: DuplicateRule;
  /** Keep only users and items with at least k interactions (iteratively). 0/undefined = off. */
  kCore?: number;
  /** Share of rejected or suspicious rows above which reading fails (default 0.01). */
  maxErrorRatio?: number;
  /** The ratings' scale [min, max]; values outside are rejected. Inferred from each file when absent. */
  ratingScale?: [number, number];
  /** Append catalogue items that have no interaction to itemIds (cold-start items). Default true. */
  includeCatalogueItems?: boolean;
  /** Per-line byte cap (default 16 MiB). */
  maxLineBytes?: number;
}

/** Rows of a file to predict for (competition test.csv): one entry per accepted row, in file order. */
export interface TestRows {
  /** The row's `Id` (as written back in `Id,rating`). */
  ids: string[];
  users: Int32Array;
  items: Int32Array;
}

export interface Dataset {
  /** For split input this is the train split (so nothing trains on test by accident); ids cover all splits. */
  interactions: Interactions;
  /** Aligned with interactions.itemIds: items[i].id === itemIds[i] (only `id` set when no metadata). */
  items: ItemMeta[];
  userFeatures?: Map<string, string[]>;
  reports: ReadReport[];
  /** Present when the spec gave splits; all share dataset.interactions.userIds / itemIds. */
  splits?: { train: Interactions; dev?: Interactions; test?: Interactions };
  extra?: {
    /** Row ids of a competition test.csv (no labels), for `Id,rating` output. */
    testRows?: TestRows;
    /** How many items came only from the catalogue (no interaction); they sit at the end of itemIds. */
    catalogueOnlyItems?: number;
  };
}
