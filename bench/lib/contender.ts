import type { CsrMatrix } from "../../trainer/data/matrix.ts";
import type { ItemMeta } from "../../trainer/data/types.ts";
import type { Metrics } from "../../trainer/eval/ranking.ts";
import type { FitInput, ItemSequences, Recommender } from "../../trainer/model/model.ts";

export type DatasetName =
  | "movielens-100k"
  | "amazon-grocery-2014"
  | "amazon-gift-cards-2018"
  | "sample-store"
  | "amazon-toys-2014-seq"
  | "amazon-sports-2014-seq";

/** The S3-Rec sequence sets (one line per user, time order): order-aware models read their sequences. */
export const SEQUENCE_DATASETS: readonly DatasetName[] = ["amazon-toys-2014-seq", "amazon-sports-2014-seq"];
export type ProtocolName = "ua-min4" | "ua-rating-class" | "leave-last-out";

/** What a contender sees of one dataset/protocol: training data and a validation split carved from train (never test). */
export interface ProtocolData {
  dataset: DatasetName;
  protocol: ProtocolName;
  nUsers: number;
  nItems: number;
  userIds: string[];
  itemIds: string[];
  /** Catalogue metadata aligned with item indexes (for feature-based models). */
  items: ItemMeta[];
  /**
   * What the final model is fit on: 1 per positive for ranking protocols; +1 (rating >= 4) /
   * −1 labels for rating classification (baselines use the positives only).
   */
  train: CsrMatrix;
  /** Per-user metadata features by user id (e.g. MovieLens u.user: age bucket, gender, occupation), when the dataset has them. */
  userFeatures?: Map<string, string[]>;
  /**
   * Explicit ratings (values = the ratings themselves) of train and validTrain, when the
   * protocol trains on rated data (rating classification): rating models use the whole scale,
   * not just the ±1 labels.
   */
  ratings?: { train: CsrMatrix; validTrain: CsrMatrix };
  /**
   * Pair protocols: the validation pairs and their 1/0 labels (what `validate` scores), so a
   * contender can learn blend weights from its members' validation scores.
   */
  validPairs?: { users: Int32Array; items: Int32Array; labels: Float32Array };
  /**
   * Each user's train items in time order (rows of `train`), when the protocol keeps order
   * (leave-last-out): order-aware models fit on them; the others ignore them.
   */
  sequences?: ItemSequences;
  /** What to fit on while choosing hyper-parameters (train minus the validation split). */
  validTrain: CsrMatrix;
  /** True when validTrain is train itself (Grocery: dev.csv is the validation split), so a tuned fit can be reused. */
  validTrainIsTrain: boolean;
  /** Scores a model fitted on validTrain on the validation split, with the protocol's metrics. */
  validate(model: Recommender): Metrics;
  /** The metric tuning maximises for this protocol. */
  primaryMetric: "p@10" | "pairAuc" | "hr@10" | "ndcg@10";
}

/** A protocol ready to run: what contenders see, plus the test evaluation they never see. */
export interface Protocol {
  data: ProtocolData;
  evaluateTest(model: Recommender): Metrics;
}

export interface ContenderRun {
  /** The model for the test evaluation; `fitted` when tuning already fit it on train. */
  model: Recommender;
  fitted?: boolean;
  fitSeconds?: number;
  /** CPU seconds of that fit (this process, user + system): robust to a loaded machine. */
  fitCpuSeconds?: number;
  /** Extra fit input, e.g. item features. */
  extraFit?: Partial<FitInput>;
  /** The hyper-parameters chosen (reported in the JSON lines). */
  chosen?: Record<string, unknown>;
}

/**
 * One entry of a bench/contenders/*.ts file's exported `contenders` list. bench/quality.ts
 * loads every such file, so new models join the bench without editing it.
 */
export interface Contender {
  /** Shown in the table and the JSON lines, e.g. "ease", "hybrid-warp". */
  name: string;
  /** Whether results depend on the seed; deterministic contenders run once and are reused for every seed. */
  seeded?: boolean;
  appliesTo?(dataset: DatasetName, protocol: ProtocolName): boolean;
  /** Builds (and may tune on data.validate, never on test) the model for one protocol. */
  build(data: ProtocolData, seed: number): Promise<ContenderRun>;
}
