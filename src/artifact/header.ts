/** The header every artifact and manifest carries: which model, trained on what, how well it did. */
export interface ArtifactHeader {
  formatVersion: number;
  /** Artifact version id, unique per build, e.g. "20261129T001500Z-1a2b3c4d". */
  version: string;
  createdAt: string;
  /** SHA-256 (hex) of the training data the model was fitted on. */
  sourceHash: string;
  model: { type: string; params: Record<string, unknown> };
  /** Evaluation metrics on held-out data (keys like "auc", "p@10", "hr@10", "ndcg@10"). */
  metrics: Record<string, number>;
  /** The metric the deploy quality gate compares between versions. */
  headlineMetric: string;
  counts: { items: number; users: number; categories: number };
  /** What the served model was fitted on (absent in artifacts built before it was recorded). */
  trainedOn?: TrainedOn;
  /** Every model `--model auto` compared, with validation and test metrics; the served one is `chosen`. */
  candidates?: CandidateSummary[];
  /** The training data's quality measures (shares of items missing fields, freshness), checked by `edgerec gate`. */
  dataQuality?: DataQualitySummary;
  /** The smallest 32-bit hashes of the item ids (trainer/pipeline/catalog-sketch.ts): `edgerec gate` estimates catalogue overlap from it. */
  catalogSketch?: number[];
  /**
   * Set by order-aware models (slist): how a history is scored from the neighbour lists — the
   * item k steps before the latest weighs decay^k, and only the latest `historyLength` items
   * count. Absent: the basket default (DEFAULT_DECAY, the whole history).
   */
  sequence?: SequenceSettings;
}

/** What `edgerec gate` checks against its thresholds, as measured when the artifact was trained. */
export interface DataQualitySummary {
  catalogueItems: number;
  /** Share (0..1) of catalogue items without each field. */
  missing: { title: number; image: number; url: number; price: number; category: number };
  rows: { read: number; kept: number; merged: number; rejected: number };
  /** Share of interactions in the 30 days before the latest one (null without times). */
  last30DaysShare: number | null;
}

/** The interactions the served model saw: counts, time range and where the data came from. */
export interface TrainedOn {
  interactions: number;
  users: number;
  items: number;
  /** ISO times of the earliest / latest interaction (null when the data has no times). */
  firstTime: string | null;
  lastTime: string | null;
  /** e.g. the input files' base names, or the CI data source. */
  source: string;
  /** Set when the data is the generated sample store rather than a shop's own. */
  generatedSample?: boolean;
}

/** One compared model: validation metrics chose it, test metrics report it. */
export interface CandidateSummary {
  family: string;
  description: string;
  validation?: Record<string, number>;
  test?: Record<string, number>;
  fitSeconds: number;
  chosen: boolean;
  skipped?: string;
}

/** Recency weighting of an order-aware model, applied when serving histories and baskets. */
export interface SequenceSettings {
  /** Weight ratio between an item and the one after it (0 < decay <= 1). */
  decay: number;
  historyLength: number;
}
