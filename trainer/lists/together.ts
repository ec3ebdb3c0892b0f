/**
 * Frequently bought together: item pairs that share baskets more often than chance. Baskets are
 * orders, sessions or carts from purchase events, and "review baskets" (what one user reviewed
 * on one day) from the training interactions. A pair's lift is N·c(a,b) / (c(a)·c(b)) over N
 * baskets; pairs seen in fewer than `minSupport` baskets are dropped (lift is noise there), and
 * each item keeps its `k` best partners. Stored in the artifact as a sparse neighbour-list
 * section (`together`), served by /v1/items/{id}/together.
 */
import { type NeighbourLists, quantizeNeighbours } from "../../src/artifact/index.ts";
import type { Interactions } from "../data/types.ts";
import type { ShopperEvent } from "./events.ts";

export interface TogetherParams {
  minSupport: number;
  k: number;
  /** Larger baskets are cut to their first items (a 500-item "basket" is a crawl, not a purchase). */
  maxBasket: number;
}

export const DEFAULT_TOGETHER: TogetherParams = { minSupport: 2, k: 10, maxBasket: 50 };

/** One basket per (user, day) of the interactions, as item indexes. */
export function basketsFromInteractions(interactions: Interactions, daySeconds = 86_400): number[][] {
  const groups = new Map<string, number[]>();
  for (let p = 0; p < interactions.items.length; p++) {
    const t = interactions.times[p];
    const key = `${interactions.users[p]}:${Number.isFinite(t) ? Math.floor(t / daySeconds) : "all"}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(interactions.items[p]);
  }
  return [...groups.values()];
}

/** Purchases and carts grouped by order, else session, else user and day; unknown items are skipped. */
export function basketsFromEvents(events: readonly ShopperEvent[], itemIndex: (id: string) => number): number[][] {
  const groups = new Map<string, number[]>();
  for (const e of events) {
    if (e.type !== "purchase" && e.type !== "order" && e.type !== "add_to_cart" && e.type !== "cart") continue;
    const i = itemIndex(e.item);
    if (i < 0) continue;
    const key = e.order ? `o:${e.order}` : e.session ? `s:${e.session}` : e.user ? `u:${e.user}:${Math.floor(e.ts / 86_400_000)}` : undefined;
    if (!key) continue;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  return [...groups.values()];
}

export function togetherLists(baskets: readonly number[][], nItems: number, params: Partial<TogetherParams> = {}): NeighbourLists {
  const p = { ...DEFAULT_TOGETHER, ...params };
  const count = new Float64Array(nItems);
  const pairs = new Map<number, number>();
  let n = 0;
  for (const raw of baskets) {
    const basket = [...new Set(raw)].slice(0, p.maxBasket);
    if (basket.length < 2) continue;
    n++;
    for (const a of basket) count[a]++;
    for (let x = 0; x < basket.length; x++) {
      for (let y = x + 1; y < basket.length; y++) {
        const a = Math.min(basket[x], basket[y]);
        const b = Math.max(basket[x], basket[y]);
        const key = a * nItems + b;
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
    }
  }
  const rows: { other: number; lift: number; support: number }[][] = Array.from({ length: nItems }, () => []);
  for (const [key, c] of pairs) {
    if (c < p.minSupport) continue;
    const a = Math.floor(key / nItems);
    const b = key - a * nItems;
    const lift = (n * c) / (count[a] * count[b]);
    rows[a].push({ other: b, lift, support: c });
    rows[b].push({ other: a, lift, support: c });
  }
  const ptr = new Uint32Array(nItems + 1);
  const ids: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < nItems; i++) {
    const best = rows[i].sort((u, v) => v.lift - u.lift || v.support - u.support || u.other - v.other).slice(0, p.k);
    for (const r of best) {
      ids.push(r.other);
      scores.push(r.lift);
    }
    ptr[i + 1] = ids.length;
  }
  return quantizeNeighbours(p.k, Uint32Array.from(ids), Float32Array.from(scores), ptr);
}
