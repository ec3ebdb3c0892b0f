/**
 * What every reader produces. Ids are the store's own strings; the trainer works on
 * dense indexes into `userIds` / `itemIds`.
 */
export interface Interactions {
  userIds: string[];
  itemIds: string[];
  /** One entry per interaction (after duplicates were resolved), parallel arrays. */
  users: Int32Array;
  items: Int32Array;
  /** Explicit rating (e.g. 1–5 stars), or NaN when the source is implicit. */
  ratings: Float32Array;
  /** Unix seconds, or NaN when the source has no time. */
  times: Float64Array;
}

/** Display and feature metadata of one catalogue item; every field but id is optional. */
export interface ItemMeta {
  id: string;
  title?: string;
  brand?: string;
  /** Category path from the top level down, e.g. ["Grocery", "Beverages", "Coffee"]. */
  categories?: string[];
  /** An unordered set of attributes (tags, attribute ids, `color:red`): each one a feature of its own, never a path. */
  attributes?: string[];
  price?: number;
  description?: string;
  imageUrl?: string;
  url?: string;
  /** Ids of items bought / viewed together (Amazon also_buy / also_view). */
  alsoBuy?: string[];
  alsoView?: string[];
}

/** One bad row: where it is and why it was rejected. */
export interface RowProblem {
  file: string;
  line: number;
  reason: string;
}

/**
 * What a reader says about its input besides the data: nothing is dropped silently.
 * Every row read is either accepted, merged as a duplicate, or listed in `problems`
 * (the first `maxListed` of them; `rejected` counts them all).
 */
export interface ReadReport {
  file: string;
  rowsRead: number;
  accepted: number;
  duplicatesMerged: number;
  rejected: number;
  problems: RowProblem[];
  /** Rejected rows counted by kind of reason (all of them, not only the listed ones). */
  rejectedByReason?: Record<string, number>;
  /** Rows kept but with one field ignored (e.g. a price that is CSS text); listed in `fieldIssues`. */
  fieldProblems?: number;
  fieldIssues?: RowProblem[];
  /**
   * Rows kept although a value looks wrong (an extra column, an implausible time), listed with
   * line numbers in `suspiciousIssues`; they count towards --max-error-ratio like rejected rows.
   */
  suspicious?: number;
  suspiciousIssues?: RowProblem[];
  /** Facts worth a reader's attention that are not row errors (reviewed items without metadata, k-core removals…). */
  notes?: string[];
}

/** Thrown when input cannot be used at all (missing column, error ratio exceeded, unreadable file…). */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly hint?: string,
  ) {
    super([file ? `${file}${line ? `:${line}` : ""}: ` : "", message, hint ? `\n  how to fix: ${hint}` : ""].join(""));
    this.name = "InputError";
  }
}
