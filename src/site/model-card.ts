/**
 * What the demo's model card shows: the artifact header (version, model, metrics) and, when the
 * trainer stored one in `extra`, the per-epoch training history for the chart.
 */
import type { ArtifactHeader, CandidateSummary, TrainedOn } from "../artifact/index.ts";

export interface TrainingPoint {
  epoch: number;
  [series: string]: number;
}

export interface ModelCard {
  version: string;
  createdAt: string;
  model: { type: string; params: Record<string, unknown> };
  metrics: Record<string, number>;
  headlineMetric: string;
  counts: { items: number; users: number; categories: number };
  training: TrainingPoint[];
  /** The store's own candidates `--model auto` compared (empty for artifacts without them). */
  candidates: CandidateSummary[];
  /** The validation metric the candidates were chosen by. */
  candidatesPrimary: string;
  trainedOn: TrainedOn | null;
}

const HISTORY_KEYS = ["trainingHistory", "history", "training", "epochs"];

/** Finds a per-epoch list in `extra` under any of the names a trainer might use; keeps numeric fields only. */
export function trainingHistory(extra: Record<string, unknown> | undefined): TrainingPoint[] {
  if (!extra) return [];
  for (const key of HISTORY_KEYS) {
    let value = extra[key];
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const nested = (value as Record<string, unknown>).history ?? (value as Record<string, unknown>).epochs;
      if (Array.isArray(nested)) value = nested;
    }
    if (!Array.isArray(value) || value.length === 0) continue;
    const points: TrainingPoint[] = [];
    value.forEach((row, index) => {
      if (!row || typeof row !== "object") return;
      const point: TrainingPoint = { epoch: index + 1 };
      for (const [name, v] of Object.entries(row as Record<string, unknown>)) {
        if (typeof v === "number" && Number.isFinite(v)) point[name] = v;
      }
      if (Object.keys(point).length > 1) points.push(point);
    });
    if (points.length > 0) return points.slice(0, 1000);
  }
  return [];
}

/** `edgerec train` records its held-out curve as `metric` and names it in `extra.curveMetric`. */
function labelCurve(points: TrainingPoint[], extra: Record<string, unknown> | undefined): TrainingPoint[] {
  const name = extra?.curveMetric;
  if (typeof name !== "string" || !name || name === "epoch") return points;
  return points.map(({ metric, ...rest }) => (metric === undefined ? (rest as TrainingPoint) : ({ ...rest, [name]: metric } as TrainingPoint)));
}

export function modelCard(h: ArtifactHeader, extra: Record<string, unknown> | undefined): ModelCard {
  return {
    version: h.version,
    createdAt: h.createdAt,
    model: h.model,
    metrics: h.metrics,
    headlineMetric: h.headlineMetric,
    counts: h.counts,
    training: labelCurve(trainingHistory(extra), extra),
    candidates: h.candidates ?? [],
    candidatesPrimary: typeof extra?.candidatesPrimary === "string" ? extra.candidatesPrimary : h.headlineMetric,
    trainedOn: h.trainedOn ?? null,
  };
}
