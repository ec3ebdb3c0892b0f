/**
 * A generated event history for the sample store, so a first run (`npm start`) trains on events
 * as a real store would: every rating of the generated shoppers becomes the trail that led to
 * it — impressions of a recommendation list, a view, and for liked items a click, an add to cart
 * and often a purchase — replayed into the last `days` days before `now` in the shoppers' order.
 * Deterministic for a seed; written in the layout the queue consumer uses (events/dt=/hr=/).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { batchObjectKey, type StoredEvent } from "../../src/artifact/index.ts";
import { createRng } from "../util/rng.ts";
import { generateStore, SAMPLE_DEFAULTS, type SampleStore, type StoreOptions } from "./store.ts";

export interface EventHistoryOptions {
  seed?: number;
  /** The history ends here (epoch ms; default: now rounded down to the hour). */
  now?: number;
  days?: number;
}

export function generateEventHistory(store: SampleStore, opts: EventHistoryOptions = {}): StoredEvent[] {
  const rng = createRng(opts.seed ?? 7);
  const now = opts.now ?? Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const span = (opts.days ?? 60) * 86_400_000;
  const { users, items, ratings, times, userIds, itemIds } = store.interactions;
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const t of times) {
    if (t < t0) t0 = t;
    if (t > t1) t1 = t;
  }
  const scale = t1 > t0 ? span / ((t1 - t0) * 1000) : 0;
  const prices = store.items.map((m) => m.price ?? 10);
  const out: StoredEvent[] = [];
  let n = 0;
  const add = (e: Omit<StoredEvent, "id" | "receivedAt">) => out.push({ id: `sample-${(n++).toString(36)}`, ...e, receivedAt: e.ts });
  for (let k = 0; k < users.length; k++) {
    const ts = Math.round(now - span + (times[k] - t0) * 1000 * scale);
    const user = userIds[users[k]];
    const item = itemIds[items[k]];
    const recId = `sample-rec-${k.toString(36)}`;
    const position = rng.int(8);
    const placement = rng.next() < 0.5 ? "product-page" : "home";
    const shown = { user, recId, placement, variant: "control" };
    // The list it was found in: the item and a few others shown beside it.
    add({ type: "impression", item, position, ts, ...shown });
    for (let s = 0; s < 3; s++) add({ type: "impression", item: itemIds[rng.int(itemIds.length)], position: (position + s + 1) % 8, ts, ...shown });
    const r = ratings[k];
    if (r >= 3 || rng.next() < 0.5) add({ type: "click", item, position, ts: ts + 1000, ...shown });
    add({ type: "view", user, item, ts: ts + 2000 });
    if (r >= 4) {
      add({ type: "add_to_cart", user, item, price: prices[items[k]], quantity: 1, ts: ts + 60_000 });
      if (rng.next() < 0.6) add({ type: "purchase", user, item, price: prices[items[k]], quantity: 1, ts: ts + 300_000, recId, placement, variant: "control" });
    }
  }
  return out;
}

/** Writes events as the queue consumer would: one gzip NDJSON object per batch of `batchSize`, in its hour's partition. */
export function writeEventObjects(dir: string, events: readonly StoredEvent[], batchSize = 100): number {
  let objects = 0;
  for (let start = 0; start < events.length; start += batchSize) {
    const batch = events.slice(start, start + batchSize);
    const file = join(dir, batchObjectKey(batch[0].receivedAt, `sample${String(objects).padStart(26, "0")}`));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, gzipSync(batch.map((e) => JSON.stringify(e)).join("\n") + "\n"));
    objects++;
  }
  return objects;
}

/**
 * The sample store's event history in `dir` (events/dt=…/ layout), generated once per store
 * options: `npm start` trains on it beside the reviews. Reused when the marker matches.
 */
export function ensureSampleEvents(dir: string, options: StoreOptions): { dir: string; events: number; reused: boolean } {
  const marker = join(dir, "sample-events.json");
  const wanted = JSON.stringify({ ...SAMPLE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) });
  if (existsSync(marker)) {
    try {
      const m = JSON.parse(readFileSync(marker, "utf8")) as { options: string; events: number };
      if (m.options === wanted) return { dir, events: m.events, reused: true };
    } catch {
      // half-written: regenerate below
    }
  }
  rmSync(join(dir, "events"), { recursive: true, force: true });
  const events = generateEventHistory(generateStore(JSON.parse(wanted) as StoreOptions));
  writeEventObjects(dir, events, 500);
  writeFileSync(marker, JSON.stringify({ options: wanted, events: events.length }));
  return { dir, events: events.length, reused: false };
}
