/**
 * Reference numbers of docs/benchmarks.md, Anchors (LightFM 1.17 and EASE measured on one machine),
 * shown beside our metrics in the training report when the data matches a known protocol.
 */
export interface AnchorRow {
  model: string;
  metrics: Record<string, number>;
}

export interface AnchorSet {
  protocol: string;
  rows: AnchorRow[];
}

export const ANCHOR_SETS: Record<string, AnchorSet> = {
  "ml-100k-ua-min4": {
    protocol: "MovieLens 100k ua.base/ua.test, ratings >= 4 as positives",
    rows: [
      { model: "LightFM WARP", metrics: { auc: 0.9324, "p@10": 0.1353, "r@10": 0.237 } },
      { model: "LightFM BPR", metrics: { auc: 0.8619, "p@10": 0.1036, "r@10": 0.1802 } },
      { model: "LightFM logistic", metrics: { auc: 0.8795, "p@10": 0.0763, "r@10": 0.1373 } },
      { model: "popularity", metrics: { auc: 0.8701, "p@10": 0.0667, "r@10": 0.1186 } },
      { model: "EASE λ=500", metrics: { auc: 0.9272, "p@10": 0.1542, "r@10": 0.2724 } },
    ],
  },
  "ml-100k-ua-rating-class": {
    protocol: "MovieLens 100k ua, rating classification (global pair ROC AUC, label rating >= 4)",
    rows: [
      { model: "LightFM logistic (±1 labels, 10 epochs)", metrics: { pairAuc: 0.7651 } },
      { model: "user + item positive-rate logit", metrics: { pairAuc: 0.7465 } },
    ],
  },
  "grocery-2014-leave-last-out": {
    protocol: "Amazon Grocery 2014 5-core, leave-last-out (train ∪ dev excluded)",
    rows: [
      { model: "LightFM WARP", metrics: { auc: 0.6967, "hr@10": 0.0264, "ndcg@10": 0.0129 } },
      { model: "LightFM BPR", metrics: { auc: 0.653, "hr@10": 0.0196, "ndcg@10": 0.0099 } },
      { model: "popularity", metrics: { auc: 0.6244, "hr@10": 0.0076, "ndcg@10": 0.0039 } },
      { model: "EASE λ=100", metrics: { auc: 0.5963, "hr@10": 0.0497, "ndcg@10": 0.0275 } },
    ],
  },
};

/** Which anchor set (if any) matches the input files and task. */
export function detectAnchors(files: string[], task: string, minRating: number | undefined): AnchorSet | undefined {
  const names = files.join(" ").toLowerCase();
  if (/\bua\.base/.test(names) && /ua\.test/.test(names)) {
    if (task === "rating-class") return ANCHOR_SETS["ml-100k-ua-rating-class"];
    if (minRating === 4) return ANCHOR_SETS["ml-100k-ua-min4"];
  }
  if (names.includes("grocery") && names.includes("dev.csv") && task === "ranking") return ANCHOR_SETS["grocery-2014-leave-last-out"];
  return undefined;
}
