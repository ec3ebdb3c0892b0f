import type { CsrMatrix } from "../data/matrix.ts";
import type { Metrics } from "../eval/ranking.ts";
import type { ItemSequences, Recommender } from "../model/model.ts";
import type { FeatureSource, ModelConfig } from "./config.ts";
import type { TuneDataRecipe } from "./prepare.ts";

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

