/**
 * Trending items: how much faster an item is being looked at and bought in the last 24 hours
 * than over the last 7 days. score = recent / (baseline / days + smoothing), where recent and
 * baseline are weighted event counts (a purchase counts more than a view) and the baseline
 * window includes the recent one; `smoothing` keeps a handful of events on an unknown item from
 * outranking a real surge, and `minRecent` drops items with too little recent activity.
 */
import { TRENDING_FORMAT, type TrendingDocument } from "../../src/artifact/index.ts";
import type { ShopperEvent } from "./events.ts";

export interface TrendingParams {
  recentHours: number;
  baselineDays: number;
  smoothing: number;
  minRecent: number;
  /** How many items the published list keeps. */
  top: number;
  weights: Record<string, number>;
}

export const DEFAULT_TRENDING: TrendingParams = {
  recentHours: 24,
  baselineDays: 7,
  smoothing: 5,
  minRecent: 3,
  top: 500,
  weights: { view: 1, click: 1, impression: 0, add_to_cart: 2, cart: 2, purchase: 3, order: 3 },
};

export function trending(events: readonly ShopperEvent[], now: number, params: Partial<TrendingParams> = {}): TrendingDocument {
  const p = { ...DEFAULT_TRENDING, ...params, weights: { ...DEFAULT_TRENDING.weights, ...params.weights } };
  const recentFrom = now - p.recentHours * 3_600_000;
  const baselineFrom = now - p.baselineDays * 86_400_000;
  const recent = new Map<string, number>();
  const baseline = new Map<string, number>();
  let used = 0;
  for (const e of events) {
    if (e.ts > now || e.ts < baselineFrom) continue;
    const w = p.weights[e.type] ?? 1;
    if (w <= 0) continue;
    used++;
    baseline.set(e.item, (baseline.get(e.item) ?? 0) + w);
    if (e.ts >= recentFrom) recent.set(e.item, (recent.get(e.item) ?? 0) + w);
  }
  // The baseline's rate per recent window, so a steady item scores about 1.
  const windows = (p.baselineDays * 24) / p.recentHours;
  const items = [...recent]
    .filter(([, r]) => r >= p.minRecent)
    .map(([id, r]) => {
      const b = baseline.get(id) ?? r;
      return { id, score: Math.round((r / (b / windows + p.smoothing)) * 1e4) / 1e4, recent: r, baseline: b };
    })
    .sort((a, b) => b.score - a.score || b.recent - a.recent || (a.id < b.id ? -1 : 1))
    .slice(0, p.top);
  return { format: TRENDING_FORMAT, computedAt: new Date(now).toISOString(), recentHours: p.recentHours, baselineDays: p.baselineDays, events: used, items };
}
