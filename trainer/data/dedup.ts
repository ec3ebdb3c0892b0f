import type { DuplicateRule } from "./spec.ts";
import type { InteractionBuffer } from "./id-space.ts";
import type { Interactions } from "./types.ts";

export interface DedupResult {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  times: Float64Array;
  /** Row indexes (into the buffer) that were merged into another row. */
  dropped: Int32Array;
}

/**
 * Resolves repeated (user, item) pairs by `rule` (see DuplicateRule). The result is
 * ordered by user, then item, which is also the order CSR matrices want.
 * Rows [from, to) of `buf` are used.
 */
export function dedupInteractions(buf: InteractionBuffer, nUsers: number, rule: DuplicateRule = "latest", from = 0, to = buf.length): DedupResult {
  const n = to - from;
  let nItems = 0;
  for (let r = from; r < to; r++) if (buf.items[r] >= nItems) nItems = buf.items[r] + 1;
  // Two stable counting sorts (by item, then by user) order rows by (user, item, file order) in O(n).
  const byItemStart = new Int32Array(nItems + 1);
  for (let r = from; r < to; r++) byItemStart[buf.items[r] + 1]++;
  for (let i = 0; i < nItems; i++) byItemStart[i + 1] += byItemStart[i];
  const byItem = new Int32Array(n);
  for (let r = from; r < to; r++) byItem[byItemStart[buf.items[r]]++] = r;
  const start = new Int32Array(nUsers + 1);
  for (let r = from; r < to; r++) start[buf.users[r] + 1]++;
  for (let u = 0; u < nUsers; u++) start[u + 1] += start[u];
  const order = new Int32Array(n);
  const fill = start.slice(0, nUsers);
  for (let k = 0; k < n; k++) {
    const r = byItem[k];
    order[fill[buf.users[r]]++] = r;
  }

  const items = buf.items;
  const times = buf.times;
  const ratings = buf.ratings;

  const outUsers = new Int32Array(n);
  const outItems = new Int32Array(n);
  const outRatings = new Float32Array(n);
  const outTimes = new Float64Array(n);
  const dropped: number[] = [];
  let w = 0;
  for (let u = 0; u < nUsers; u++) {
    const s = start[u];
    const e = start[u + 1];
    let p = s;
    while (p < e) {
      let q = p + 1;
      const item = items[order[p]];
      while (q < e && items[order[q]] === item) q++;
      let chosen = order[p];
      let rating = ratings[chosen];
      let time = times[chosen];
      if (q - p > 1) {
        // Rows in the run are in file order (ties broken by row index above).
        let latest = order[p];
        for (let k = p + 1; k < q; k++) {
          const r = order[k];
          if (!(times[r] < times[latest])) latest = r; // NaN never beats a real time, later rows win ties
        }
        if (Number.isNaN(times[latest])) latest = order[q - 1];
        switch (rule) {
          case "first":
            chosen = order[p];
            break;
          case "last":
            chosen = order[q - 1];
            break;
          case "max": {
            chosen = order[p];
            for (let k = p + 1; k < q; k++) {
              const r = order[k];
              if (ratings[r] > ratings[chosen] || Number.isNaN(ratings[chosen])) chosen = r;
            }
            break;
          }
          case "mean":
            chosen = latest;
            break;
          default:
            chosen = latest;
        }
        rating = ratings[chosen];
        time = rule === "first" || rule === "last" ? times[chosen] : times[latest];
        if (rule === "mean") {
          let sum = 0;
          let cnt = 0;
          for (let k = p; k < q; k++) {
            const v = ratings[order[k]];
            if (!Number.isNaN(v)) {
              sum += v;
              cnt++;
            }
          }
          rating = cnt > 0 ? sum / cnt : NaN;
        }
        for (let k = p; k < q; k++) if (order[k] !== chosen) dropped.push(order[k]);
      }
      outUsers[w] = u;
      outItems[w] = item;
      outRatings[w] = rating;
      outTimes[w] = time;
      w++;
      p = q;
    }
  }
  return {
    users: outUsers.slice(0, w),
    items: outItems.slice(0, w),
    ratings: outRatings.slice(0, w),
    times: outTimes.slice(0, w),
    dropped: Int32Array.from(dropped),
  };
}

/** Wraps de-duplicated arrays with the (shared) id arrays. */
export function toInteractions(d: Pick<DedupResult, "users" | "items" | "ratings" | "times">, userIds: string[], itemIds: string[]): Interactions {
  return { userIds, itemIds, users: d.users, items: d.items, ratings: d.ratings, times: d.times };
}
