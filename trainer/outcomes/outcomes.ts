/**
 * What recommendations earned, from stored events: per placement and variant the impressions,
 * click-through, add-to-cart and conversion rates (Wilson 95% intervals) and revenue per 1,000
 * impressions (normal interval), plus the A/B comparison of each placement's variants and the
 * same rates per day for the charts.
 *
 * Attribution: impressions and clicks carry placement and variant themselves. An add to cart or
 * purchase counts for a list when it names the list's recId, or else when the same shopper
 * clicked that item in the list within the attribution window before (default 24 h).
 */
import type { StoredEvent } from "../../src/artifact/index.ts";
import { shopperOf } from "../data/events.ts";
import { compareProportions, impressionsNeeded, meanInterval, wilson, type Comparison, type Interval } from "./stats.ts";

export interface Arm {
  placement: string;
  variant: string;
  impressions: number;
  clicks: number;
  addToCarts: number;
  purchases: number;
  revenue: number;
  ctr: Interval;
  addToCartRate: Interval;
  conversionRate: Interval;
  revenuePerMille: Interval;
}

export interface AbTest {
  placement: string;
  baseline: string;
  variant: string;
  ctr: Comparison;
  conversion: Comparison;
  significant: boolean;
  /** Plain words: the verdict, or how many more impressions would decide it. */
  verdict: string;
}

export interface DailyPoint {
  day: string;
  placement: string;
  variant: string;
  impressions: number;
  clicks: number;
}

export interface Outcomes {
  from: number | null;
  to: number | null;
  events: number;
  arms: Arm[];
  tests: AbTest[];
  daily: DailyPoint[];
}

interface Tally {
  impressions: number;
  clicks: number;
  addToCarts: number;
  purchases: number;
  revenue: number;
  revenueSquares: number;
}

const UNPLACED = "(none)";

export function computeOutcomes(events: readonly StoredEvent[], opts: { windowMs?: number } = {}): Outcomes {
  const windowMs = opts.windowMs ?? 24 * 3_600_000;
  const tallies = new Map<string, Tally>();
  const daily = new Map<string, DailyPoint>();
  const lists = new Map<string, { placement: string; variant: string }>();
  const clicked = new Map<string, { placement: string; variant: string; ts: number }>();
  // Revenue per impression needs the purchases of each arm; sums of squares are per purchase event.
  const tally = (placement: string, variant: string) => {
    const key = `${placement}\u0000${variant}`;
    let t = tallies.get(key);
    if (!t) tallies.set(key, (t = { impressions: 0, clicks: 0, addToCarts: 0, purchases: 0, revenue: 0, revenueSquares: 0 }));
    return t;
  };
  const day = (e: StoredEvent, placement: string, variant: string) => {
    const d = new Date(e.ts).toISOString().slice(0, 10);
    const key = `${d}\u0000${placement}\u0000${variant}`;
    let p = daily.get(key);
    if (!p) daily.set(key, (p = { day: d, placement, variant, impressions: 0, clicks: 0 }));
    return p;
  };
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  for (const e of sorted) {
    const placement = e.placement ?? UNPLACED;
    const variant = e.variant ?? "control";
    if (e.type === "impression") {
      if (e.recId) lists.set(e.recId, { placement, variant });
      tally(placement, variant).impressions++;
      day(e, placement, variant).impressions++;
    } else if (e.type === "click") {
      if (e.recId && !lists.has(e.recId)) lists.set(e.recId, { placement, variant });
      tally(placement, variant).clicks++;
      day(e, placement, variant).clicks++;
      clicked.set(`${shopperOf(e)}\u0000${e.item}`, { placement, variant, ts: e.ts });
    } else if (e.type === "add_to_cart" || e.type === "purchase") {
      let arm = e.recId ? lists.get(e.recId) : undefined;
      if (!arm) {
        const c = clicked.get(`${shopperOf(e)}\u0000${e.item}`);
        if (c && e.ts - c.ts <= windowMs) arm = c;
      }
      if (!arm) continue;
      const t = tally(arm.placement, arm.variant);
      if (e.type === "add_to_cart") t.addToCarts++;
      else {
        t.purchases++;
        const value = (e.price ?? 0) * (e.quantity ?? 1);
        t.revenue += value;
        t.revenueSquares += value * value;
      }
    }
  }
  const arms: Arm[] = [];
  for (const [key, t] of tallies) {
    if (t.impressions === 0) continue;
    const [placement, variant] = key.split("\u0000");
    const revenue = meanInterval(t.revenue, t.revenueSquares, t.impressions);
    arms.push({
      placement,
      variant,
      impressions: t.impressions,
      clicks: t.clicks,
      addToCarts: t.addToCarts,
      purchases: t.purchases,
      revenue: t.revenue,
      ctr: wilson(Math.min(t.clicks, t.impressions), t.impressions),
      addToCartRate: wilson(Math.min(t.addToCarts, t.impressions), t.impressions),
      conversionRate: wilson(Math.min(t.purchases, t.impressions), t.impressions),
      revenuePerMille: { value: revenue.value * 1000, low: revenue.low * 1000, high: revenue.high * 1000 },
    });
  }
  arms.sort((a, b) => (a.placement < b.placement ? -1 : a.placement > b.placement ? 1 : a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : 0));
  const tests: AbTest[] = [];
  for (const placement of new Set(arms.map((a) => a.placement))) {
    const here = arms.filter((a) => a.placement === placement);
    if (here.length < 2) continue;
    const base = here.find((a) => a.variant === "control") ?? here[0];
    for (const other of here) if (other !== base) tests.push(abTest(placement, base, other));
  }
  let from: number | null = null;
  let to: number | null = null;
  if (sorted.length) {
    from = sorted[0].ts;
    to = sorted[sorted.length - 1].ts;
  }
  return { from, to, events: events.length, arms, tests, daily: [...daily.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)) };
}

export function abTest(placement: string, a: Arm, b: Arm): AbTest {
  const ctr = compareProportions(a.clicks, a.impressions, b.clicks, b.impressions);
  const conversion = compareProportions(a.purchases, a.impressions, b.purchases, b.impressions);
  const significant = ctr.p < 0.05;
  let verdict: string;
  const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
  if (significant) {
    verdict = `${b.variant} ${ctr.lift.value >= 0 ? "beats" : "loses to"} ${a.variant} on click-through: ${pct(ctr.lift.value)} (95% CI ${pct(ctr.lift.low)} to ${pct(ctr.lift.high)}), p = ${formatP(ctr.p)}`;
  } else {
    const needed = impressionsNeeded(a.ctr.value);
    const more = Number.isFinite(needed) ? Math.max(0, needed - Math.min(a.impressions, b.impressions)) : NaN;
    verdict = Number.isFinite(more)
      ? `not significant yet: about ${more.toLocaleString("en-US")} more impressions per variant are needed to detect a 5% lift`
      : "not significant yet: no clicks on the baseline, so no sample size can be estimated";
  }
  return { placement, baseline: a.variant, variant: b.variant, ctr, conversion, significant, verdict };
}

export function formatP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}
