import type { DatasetName, ProtocolName } from "./contender.ts";

/**
 * Reference numbers (docs/benchmarks.md, Anchors: LightFM 1.17 with its own evaluation
 * functions; popularity and EASE scored by the same code; mean over seeds 0,1,2), so the
 * bench prints them beside ours.
 */
export interface Anchor {
  dataset: DatasetName;
  protocol: ProtocolName;
  model: string;
  metrics: Record<string, number>;
  fit?: string;
}

export const ANCHORS_SOURCE = "docs/benchmarks.md, Anchors (LightFM 1.17 and EASE, measured on the same machine)";

export const anchors: Anchor[] = [
  { dataset: "movielens-100k", protocol: "ua-min4", model: "LightFM WARP", metrics: { auc: 0.9324, "p@10": 0.1353, "r@10": 0.237 }, fit: "0.70 s (1 thread)" },
  { dataset: "movielens-100k", protocol: "ua-min4", model: "LightFM BPR", metrics: { auc: 0.8619, "p@10": 0.1036, "r@10": 0.1802 }, fit: "0.51 s" },
  { dataset: "movielens-100k", protocol: "ua-min4", model: "LightFM logistic", metrics: { auc: 0.8795, "p@10": 0.0763, "r@10": 0.1373 }, fit: "0.34 s" },
  { dataset: "movielens-100k", protocol: "ua-min4", model: "popularity", metrics: { auc: 0.8701, "p@10": 0.0667, "r@10": 0.1186 } },
  { dataset: "movielens-100k", protocol: "ua-min4", model: "EASE λ=500", metrics: { auc: 0.9272, "p@10": 0.1542, "r@10": 0.2724 }, fit: "~0.5 s" },
  { dataset: "movielens-100k", protocol: "ua-rating-class", model: "LightFM logistic (±1)", metrics: { pairAuc: 0.7651 }, fit: "10 epochs" },
  { dataset: "movielens-100k", protocol: "ua-rating-class", model: "logit(user+item positive rate)", metrics: { pairAuc: 0.7465 } },
  { dataset: "amazon-grocery-2014", protocol: "leave-last-out", model: "LightFM WARP", metrics: { auc: 0.6967, "hr@10": 0.0264, "ndcg@10": 0.0129 }, fit: "3.7 s" },
  { dataset: "amazon-grocery-2014", protocol: "leave-last-out", model: "LightFM BPR", metrics: { auc: 0.653, "hr@10": 0.0196, "ndcg@10": 0.0099 }, fit: "4.8 s" },
  { dataset: "amazon-grocery-2014", protocol: "leave-last-out", model: "popularity", metrics: { auc: 0.6244, "hr@10": 0.0076, "ndcg@10": 0.0039 } },
  { dataset: "amazon-grocery-2014", protocol: "leave-last-out", model: "EASE λ=100", metrics: { auc: 0.5963, "hr@10": 0.0497, "ndcg@10": 0.0275 }, fit: "30–57 s (numpy/OpenBLAS)" },
  { dataset: "amazon-grocery-2014", protocol: "leave-last-out", model: "EASE λ=3000", metrics: { auc: 0.6664, "hr@10": 0.0482, "ndcg@10": 0.0263 } },
  // Toys / Sports sequences: measured here, and the published full-ranking rows of the S3-Rec repository (all_rank table).
  { dataset: "amazon-toys-2014-seq", protocol: "leave-last-out", model: "popularity", metrics: { "hr@10": 0.009, "ndcg@10": 0.0049 } },
  { dataset: "amazon-sports-2014-seq", protocol: "leave-last-out", model: "popularity", metrics: { "hr@10": 0.0091, "ndcg@10": 0.0052 } },
  { dataset: "amazon-toys-2014-seq", protocol: "leave-last-out", model: "LightFM WARP", metrics: { "hr@10": 0.0112, "ndcg@10": 0.0056 } },
  { dataset: "amazon-sports-2014-seq", protocol: "leave-last-out", model: "LightFM WARP", metrics: { "hr@10": 0.014, "ndcg@10": 0.0068 } },
  { dataset: "amazon-toys-2014-seq", protocol: "leave-last-out", model: "EASE λ=100", metrics: { "hr@10": 0.052, "ndcg@10": 0.0289 }, fit: "1.5 min (numpy)" },
  { dataset: "amazon-sports-2014-seq", protocol: "leave-last-out", model: "EASE λ=100", metrics: { "hr@10": 0.0348, "ndcg@10": 0.0188 }, fit: "7 min (numpy)" },
  { dataset: "amazon-toys-2014-seq", protocol: "leave-last-out", model: "GRU4Rec (published)", metrics: { "hr@10": 0.0176, "ndcg@10": 0.0084 } },
  { dataset: "amazon-sports-2014-seq", protocol: "leave-last-out", model: "GRU4Rec (published)", metrics: { "hr@10": 0.0204, "ndcg@10": 0.011 } },
  { dataset: "amazon-toys-2014-seq", protocol: "leave-last-out", model: "BERT4Rec (published)", metrics: { "hr@10": 0.0203, "ndcg@10": 0.0099 } },
  { dataset: "amazon-sports-2014-seq", protocol: "leave-last-out", model: "BERT4Rec (published)", metrics: { "hr@10": 0.0191, "ndcg@10": 0.0099 } },
  { dataset: "amazon-toys-2014-seq", protocol: "leave-last-out", model: "SASRec (published)", metrics: { "hr@10": 0.0675, "ndcg@10": 0.0374 } },
  { dataset: "amazon-sports-2014-seq", protocol: "leave-last-out", model: "SASRec (published)", metrics: { "hr@10": 0.035, "ndcg@10": 0.0192 } },
  { dataset: "amazon-toys-2014-seq", protocol: "leave-last-out", model: "S3-Rec (published)", metrics: { "hr@10": 0.07, "ndcg@10": 0.0376 } },
  { dataset: "amazon-sports-2014-seq", protocol: "leave-last-out", model: "S3-Rec (published)", metrics: { "hr@10": 0.0385, "ndcg@10": 0.0204 } },
];
