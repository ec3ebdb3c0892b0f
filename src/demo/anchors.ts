/**
 * Reference numbers (docs/benchmarks.md, Anchors: LightFM 1.17 and baselines measured on one
 * machine), shown beside the model's own metrics. They are on public datasets, so for a
 * model trained on other data they give scale, not a like-for-like comparison.
 */
export interface Anchor {
  label: string;
  dataset: string;
  metrics: Record<string, number>;
}

export const ANCHORS: Anchor[] = [
  { label: "LightFM WARP", dataset: "MovieLens 100k", metrics: { auc: 0.9324, "p@10": 0.1353, "r@10": 0.237 } },
  { label: "EASE λ=500", dataset: "MovieLens 100k", metrics: { auc: 0.9272, "p@10": 0.1542, "r@10": 0.2724 } },
  { label: "LightFM WARP", dataset: "Amazon Grocery", metrics: { auc: 0.6967, "hr@10": 0.0264, "ndcg@10": 0.0129 } },
  { label: "Popularity", dataset: "Amazon Grocery", metrics: { auc: 0.6244, "hr@10": 0.0076, "ndcg@10": 0.0039 } },
];

/** Metric keys compared case-insensitively and with "precision@10"/"recall@10" spelled either way. */
export function normaliseMetric(name: string): string {
  return name
    .toLowerCase()
    .replace(/^precision@/, "p@")
    .replace(/^recall@/, "r@")
    .replace(/^hit(rate)?@/, "hr@");
}
