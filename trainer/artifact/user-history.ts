import type { Interactions } from "../data/types.ts";

/**
 * Each user's last `length` distinct items, oldest first (by time, else by input order),
 * as CSR rows over users. `itemIndex` maps interaction item indexes to artifact indexes.
 */
export function recentHistories(interactions: Interactions, length: number, itemIndex: Uint32Array): { historyPtr: Uint32Array; historyIds: Uint32Array } {
  const nUsers = interactions.userIds.length;
  const m = interactions.users.length;
  const counts = new Uint32Array(nUsers + 1);
  for (let p = 0; p < m; p++) counts[interactions.users[p] + 1]++;
  for (let u = 0; u < nUsers; u++) counts[u + 1] += counts[u];
  const byUser = new Uint32Array(m);
  const fill = counts.slice(0, nUsers);
  for (let p = 0; p < m; p++) byUser[fill[interactions.users[p]]++] = p;
  const times = interactions.times;
  const historyPtr = new Uint32Array(nUsers + 1);
  const ids: number[] = [];
  const rows: number[] = [];
  const seen = new Set<number>();
  for (let u = 0; u < nUsers; u++) {
    rows.length = 0;
    for (let q = counts[u]; q < counts[u + 1]; q++) rows.push(byUser[q]);
    // Stable by time; rows without a time keep their input order.
    rows.sort((a, b) => {
      const ta = times[a];
      const tb = times[b];
      if (ta === tb || Number.isNaN(ta) || Number.isNaN(tb)) return a - b;
      return ta - tb;
    });
    seen.clear();
    const recent: number[] = [];
    for (let q = rows.length - 1; q >= 0 && recent.length < length; q--) {
      const item = itemIndex[interactions.items[rows[q]]];
      if (seen.has(item)) continue;
      seen.add(item);
      recent.push(item);
    }
    for (let q = recent.length - 1; q >= 0; q--) ids.push(recent[q]);
    historyPtr[u + 1] = ids.length;
  }
  return { historyPtr, historyIds: Uint32Array.from(ids) };
}
