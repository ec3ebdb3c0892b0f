import type { CsrMatrix } from "../data/matrix.ts";
import type { Metrics } from "../eval/ranking.ts";
import type { ItemSequences, Recommender } from "../model/model.ts";
import type { FeatureSource, ModelConfig } from "./config.ts";
import type { Interactions, ItemMeta } from "../data/types.ts";
import type { SplitKind } from "../eval/prepare.ts";

/** A part of validation: these users only, marking their top-k items into shared coverage marks (ranking). */
export interface ValidationSubset {
  users: Int32Array;
  coverageMarks?: Uint8Array[];
}

/** What tuning sees: training data with a validation split carved from it (never test). */
export interface TuneData extends FeatureSource {
  /** Fit candidates on this (train minus validation). */
  validTrain: CsrMatrix;
  /** Metrics of a model fitted on validTrain, on the validation split (or the given part of it, ranking). */
  validate(model: Recommender, subset?: ValidationSubset): Metrics;
  /** The metric maximised, e.g. "p@10", "hr@10", "auc", "pairAuc". */
  primary: string;
  /** "ranking" (WARP/BPR/EASE/blends) or "rating-class" (logistic/mse on ±1 labels or ratings). */
  task: "ranking" | "rating-class";
  /** Rating-class only: validTrain with ratings as values, for the mse loss (optional). */
  validTrainRatings?: CsrMatrix;
  /** Ranking: each user's validTrain items in time order, for order-aware models. */
  validTrainSequences?: ItemSequences;
  /** The interactions carry times, so validTrainSequences is a real order (else file order): order-aware models apply. */
  ordered?: boolean;
  /**
   * Ranking: the users validation scores (every metric averages over them). Blends remember
   * exactly these users' member scores, block by block when they do not fit at once.
   */
  validationUsers?: Int32Array;
  /** Ranking: the cut-offs validation reports, ascending (coverage@k over user blocks needs them). */
  cutoffs?: number[];
  /** What it was built from (prepare() keeps it): with it, trials can run in worker threads (TuneOptions.jobs). */
  recipe?: TuneDataRecipe;
}

export interface Trial {
  config: ModelConfig;
  description: string;
  score: number;
  metrics: Metrics;
  /** Per validation check: epoch and primary metric (iterative trials). */
  curve?: Array<{ epoch: number; score: number; loss?: number }>;
  seconds: number;
  /** The family it belongs to ("hybrid", "ease", "blend"…). */
  family?: string;
  /** The configuration as scheduled (before early stopping chose its epochs): what --resume matches. */
  key?: string;
  /** Seconds its last validation pass took (the cost of scoring it once). */
  validateSeconds?: number;
}

/** What the search optimises: ranking (top-k lists) or rating classification (pair AUC). */
export type Task = "ranking" | "rating-class";

/** How prepare() splits a dataset and carves its validation part. */
export interface PrepareOptions {
  split?: SplitKind;
  fraction?: number;
  task: Task;
  /** Ranking: positives are ratings >= this (default: every interaction). Rating-class: label threshold (default 4). */
  minRating?: number;
  seed: number;
  ks?: number[];
  /** Validation ratings held out per user when the split has no dev part. */
  validPerUser?: number;
  /**
   * Ranking: score validation on at most this many users (a seeded sample; default
   * DEFAULT_VALIDATION_USERS, Infinity = every user with a held-out positive).
   */
  maxValidUsers?: number;
}

/**
 * Everything a TuneData is built from, all of it structured-cloneable: a worker thread given
 * it builds the very same TuneData (trials run in workers score exactly as on the main thread).
 */
export interface TuneDataRecipe {
  validTrain: Interactions;
  valid: Interactions;
  /** The users ranking validation scores (undefined: rating classification). */
  users?: Int32Array;
  primary: string;
  options: PrepareOptions;
  hasRatings: boolean;
  items?: ItemMeta[];
  userIds?: string[];
  userFeatures?: Map<string, string[]>;
}
