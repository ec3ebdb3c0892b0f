/**
 * Lists published beside the artifact, small and often, without a retrain: the one module the
 * trainer (which computes them) and the worker (which serves them) share.
 *
 *   lists/trending.json   TrendingDocument, recomputed from recent events (`edgerec trending`)
 */
export const TRENDING_KEY = "lists/trending.json";
export const TRENDING_FORMAT = 1;

export interface TrendingItem {
  id: string;
  /** Velocity: events per hour in the recent window over events per hour in the baseline, smoothed. */
  score: number;
  /** Events in the recent window (default the last 24 h) and in the baseline (the last 7 days). */
  recent: number;
  baseline: number;
}

export interface TrendingDocument {
  format: number;
  /** ISO time the window ends at. */
  computedAt: string;
  recentHours: number;
  baselineDays: number;
  events: number;
  /** Best first. */
  items: TrendingItem[];
}

export function readTrending(text: string | null): TrendingDocument | null {
  if (text === null) return null;
  const doc = JSON.parse(text) as TrendingDocument;
  if (!doc || !Array.isArray(doc.items) || typeof doc.computedAt !== "string") {
    throw new Error("the trending document is not { computedAt, items }: publish it again with `edgerec trending`");
  }
  return doc;
}
