/**
 * The event data source: stored shopper events → the Interactions every reader produces.
 *
 * - Each event type has an implicit weight (configurable; default purchase 5 > add_to_cart 3 >
 *   click 2 > view 1, on the 1–5 scale of star ratings so events and reviews merge); a `rate`
 *   event carries its own rating. Impressions are never positives: they are counted as
 *   exposures (per user and item) for the outcome report and for future debiasing.
 * - A weight decays with the event's age (half-life, default 30 days, measured back from the
 *   newest event so the same events always give the same data); a (user, item) pair keeps its
 *   strongest decayed signal.
 * - Events come deduplicated by id from the reader; a shopper without a user id is keyed by
 *   session ("session:<id>"). `keepUser` drops shoppers who asked to be forgotten.
 */
import type { EventType, StoredEvent } from "../../src/artifact/index.ts";
import { IdInterner } from "./id-space.ts";
import { InputError, type Interactions, type ReadReport } from "./types.ts";

export type EventWeights = Record<EventType, number>;

export const DEFAULT_EVENT_WEIGHTS: EventWeights = { purchase: 5, add_to_cart: 3, click: 2, view: 1, rate: 0, impression: 0, remove_from_cart: 0 };

export interface EventInteractionOptions {
  weights?: Partial<EventWeights>;
  halfLifeDays?: number;
  /** Shoppers to keep; false drops every event of theirs (e.g. forgotten users' tombstones). */
  keepUser?: (userId: string) => boolean;
  /** Where the events came from, for the report. */
  source?: string;
}

export interface Exposures {
  users: Int32Array;
  items: Int32Array;
  counts: Int32Array;
}

export interface EventInteractions {
  interactions: Interactions;
  exposures: Exposures;
  report: ReadReport;
}

/** `purchase=5,click=1.5`: overrides of the default weights (from --event-weights). */
export function parseEventWeights(text: string | undefined): Partial<EventWeights> {
  if (!text) return {};
  const out: Partial<EventWeights> = {};
  for (const part of text.split(",")) {
    const m = /^\s*([a-z_]+)\s*=\s*([0-9.]+)\s*$/.exec(part);
    if (!m || !(m[1] in DEFAULT_EVENT_WEIGHTS) || !Number.isFinite(Number(m[2]))) {
      throw new InputError(`--event-weights: cannot read ${JSON.stringify(part)}`, undefined, undefined, `write type=weight pairs, e.g. purchase=5,add_to_cart=3,click=2,view=1 (types: ${Object.keys(DEFAULT_EVENT_WEIGHTS).join(", ")})`);
    }
    out[m[1] as EventType] = Number(m[2]);
  }
  return out;
}

export function shopperOf(e: StoredEvent): string {
  return e.user ?? `session:${e.session}`;
}

export function eventsToInteractions(events: readonly StoredEvent[], opts: EventInteractionOptions = {}): EventInteractions {
  const weights = { ...DEFAULT_EVENT_WEIGHTS, ...opts.weights };
  const halfLifeMs = (opts.halfLifeDays ?? 30) * 86_400_000;
  let newest = -Infinity;
  for (const e of events) if (e.ts > newest) newest = e.ts;
  const userIndex = new IdInterner();
  const itemIndex = new IdInterner();
  const best = new Map<number, { u: number; i: number; w: number; t: number }>();
  const exposure = new Map<number, { u: number; i: number; n: number }>();
  let forgotten = 0;
  let ignored = 0;
  const forgottenUsers = new Set<string>();
  for (const e of events) {
    const shopper = shopperOf(e);
    if (opts.keepUser && !opts.keepUser(shopper)) {
      forgotten++;
      forgottenUsers.add(shopper);
      continue;
    }
    const base = e.type === "rate" ? (e.rating ?? 0) : weights[e.type];
    if (e.type !== "impression" && !(base > 0)) {
      ignored++;
      continue;
    }
    const u = userIndex.intern(shopper);
    const i = itemIndex.intern(e.item);
    // Pairs keyed in one number: at most 2^26 items, far beyond any catalogue served here.
    const key = u * 67_108_864 + i;
    if (e.type === "impression") {
      const x = exposure.get(key);
      if (x) x.n++;
      else exposure.set(key, { u, i, n: 1 });
      continue;
    }
    const w = halfLifeMs > 0 ? base * Math.pow(0.5, (newest - e.ts) / halfLifeMs) : base;
    const b = best.get(key);
    if (!b) best.set(key, { u, i, w, t: e.ts });
    else {
      if (w > b.w) b.w = w;
      if (e.ts > b.t) b.t = e.ts;
    }
  }
  const n = best.size;
  const interactions: Interactions = {
    userIds: userIndex.ids,
    itemIds: itemIndex.ids,
    users: new Int32Array(n),
    items: new Int32Array(n),
    ratings: new Float32Array(n),
    times: new Float64Array(n),
  };
  let k = 0;
  for (const b of best.values()) {
    interactions.users[k] = b.u;
    interactions.items[k] = b.i;
    interactions.ratings[k] = b.w;
    interactions.times[k] = Math.floor(b.t / 1000);
    k++;
  }
  const exposures: Exposures = { users: new Int32Array(exposure.size), items: new Int32Array(exposure.size), counts: new Int32Array(exposure.size) };
  k = 0;
  for (const x of exposure.values()) {
    exposures.users[k] = x.u;
    exposures.items[k] = x.i;
    exposures.counts[k] = x.n;
    k++;
  }
  const notes = [`${events.length} events → ${n} (shopper, item) interactions; ${exposure.size} pairs with impressions kept as exposures`];
  if (forgotten > 0) notes.push(`${forgotten} events of ${forgottenUsers.size} forgotten shoppers dropped`);
  if (ignored > 0) notes.push(`${ignored} events of zero-weight types (e.g. remove_from_cart) are not positives`);
  const report: ReadReport = {
    file: opts.source ?? "events",
    rowsRead: events.length,
    accepted: events.length - forgotten - ignored,
    duplicatesMerged: 0,
    rejected: 0,
    problems: [],
    notes,
  };
  return { interactions, exposures, report };
}

/**
 * Events merged into interactions read from files (reviews, ratings): one id space, a pair in
 * both keeps the higher of its rating and its event weight, and the later time.
 */
export function mergeInteractions(base: Interactions, extra: Interactions): Interactions {
  // Base ids keep their indexes (they are distinct); extra ids not in base are appended.
  const users = IdInterner.of(base.userIds);
  const items = IdInterner.of(base.itemIds);
  const uMap = Int32Array.from(extra.userIds, (id) => users.intern(id));
  const iMap = Int32Array.from(extra.itemIds, (id) => items.intern(id));
  const pos = new Map<number, number>();
  const U: number[] = Array.from(base.users);
  const I: number[] = Array.from(base.items);
  const R: number[] = Array.from(base.ratings);
  const T: number[] = Array.from(base.times);
  for (let k = 0; k < U.length; k++) pos.set(U[k] * 67_108_864 + I[k], k);
  for (let k = 0; k < extra.users.length; k++) {
    const u = uMap[extra.users[k]];
    const i = iMap[extra.items[k]];
    const at = pos.get(u * 67_108_864 + i);
    const r = extra.ratings[k];
    const t = extra.times[k];
    if (at === undefined) {
      pos.set(u * 67_108_864 + i, U.length);
      U.push(u);
      I.push(i);
      R.push(r);
      T.push(t);
    } else {
      if (!(R[at] >= r)) R[at] = r;
      if (!(T[at] >= t)) T[at] = t;
    }
  }
  return { userIds: users.ids, itemIds: items.ids, users: Int32Array.from(U), items: Int32Array.from(I), ratings: Float32Array.from(R), times: Float64Array.from(T) };
}
