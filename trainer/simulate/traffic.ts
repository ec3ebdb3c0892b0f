/**
 * Drives simulated shoppers through the real HTTP API: each asks for their recommendations,
 * sees every card (impressions), clicks and buys by the click model, and posts those events to
 * POST /v1/events with the response's recId and variant — as the widget would.
 */
import type { Rng } from "../util/rng.ts";
import { clickProbability, type ClickModel, type Shopper } from "./shoppers.ts";

export interface TrafficCounts {
  requests: number;
  accepted: number;
  rejected: number;
  serverErrors: number;
  /** Connections that failed without an answer (re-sent: the events' ids make a re-send store once). */
  transportErrors: number;
}

export function emptyCounts(): TrafficCounts {
  return { requests: 0, accepted: 0, rejected: 0, serverErrors: 0, transportErrors: 0 };
}

/** Runs `work(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function pool(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) await work(next++);
  });
  await Promise.all(runners);
}

export async function postEvents(api: string, events: object[], counts: TrafficCounts): Promise<void> {
  if (events.length === 0) return;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(`${api}/v1/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(events) });
    } catch (err) {
      counts.transportErrors++;
      if (attempt < 5) continue;
      throw err;
    }
    counts.requests++;
    const text = await res.text();
    if (res.status >= 500) {
      counts.serverErrors++;
      // A 503 means nothing was accepted; the events carry ids, so a re-send stores them once.
      if (attempt < 3) continue;
      return;
    }
    const body = JSON.parse(text) as { accepted?: number; rejected?: number };
    counts.accepted += body.accepted ?? 0;
    counts.rejected += body.rejected ?? 0;
    return;
  }
}

export interface VisitOptions {
  api: string;
  shoppers: readonly Shopper[];
  placement: string;
  k: number;
  clicks: ClickModel;
  prices: ReadonlyMap<string, number>;
  rng: Rng;
  concurrency: number;
}

async function getWithRetry(url: string, counts: TrafficCounts): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(url);
    } catch (err) {
      counts.transportErrors++;
      if (attempt >= 5) throw err;
    }
  }
}

/** One visit per shopper: recommendations, impressions, clicks and purchases. */
export async function visit(o: VisitOptions, counts: TrafficCounts): Promise<void> {
  // Draws are made up front in shopper order, so the run does not depend on request timing.
  const draws = o.shoppers.map(() => Array.from({ length: o.k * 2 }, () => o.rng.next()));
  await pool(o.shoppers.length, o.concurrency, async (s) => {
    const shopper = o.shoppers[s];
    const res = await getWithRetry(`${o.api}/v1/users/${encodeURIComponent(shopper.id)}/recommendations?k=${o.k}`, counts);
    counts.requests++;
    if (res.status >= 500) {
      counts.serverErrors++;
      await res.arrayBuffer();
      return;
    }
    const body = (await res.json()) as { recId?: string; variant?: string; items?: { id: string }[] };
    const common = { user: shopper.id, recId: body.recId, variant: body.variant, placement: o.placement };
    const events: object[] = [];
    (body.items ?? []).forEach((item, position) => {
      const id = `${o.placement}:${shopper.id}:${position}`;
      events.push({ type: "impression", item: item.id, position, id: `${id}:i`, ...common });
      const liked = shopper.hidden.has(item.id);
      if (draws[s][position * 2] < clickProbability(o.clicks, liked, position)) {
        events.push({ type: "click", item: item.id, position, id: `${id}:c`, ...common });
        const d = draws[s][position * 2 + 1];
        if (liked && d < o.clicks.addToCart) events.push({ type: "add_to_cart", item: item.id, price: o.prices.get(item.id) ?? 10, quantity: 1, id: `${id}:a`, ...common });
        if (liked && d < Math.min(o.clicks.purchase, o.clicks.addToCart)) {
          events.push({ type: "purchase", item: item.id, price: o.prices.get(item.id) ?? 10, quantity: 1, id: `${id}:p`, ...common });
        }
      }
    });
    await postEvents(o.api, events, counts);
  });
}

/** The shoppers' own browsing: a `view` of every item they found without recommendations. */
export async function browse(api: string, shoppers: readonly Shopper[], concurrency: number, counts: TrafficCounts): Promise<void> {
  await pool(shoppers.length, concurrency, async (s) => {
    const shopper = shoppers[s];
    await postEvents(api, shopper.browsed.map((item, n) => ({ type: "view", user: shopper.id, item, id: `browse:${shopper.id}:${n}` })), counts);
  });
}
