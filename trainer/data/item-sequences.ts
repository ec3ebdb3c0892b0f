import type { Interactions } from "./types.ts";

/** Users' item sequences in time order (compressed rows, like CsrMatrix without values). */
export interface ItemSequences {
  readonly indptr: Int32Array;
  readonly items: Int32Array;
}

/**
 * Each user's items ordered by time (rows without a time first, then file order breaks ties),
 * for order-aware models. Users without interactions get an empty sequence.
 */
export function sequencesFromInteractions(x: Interactions): ItemSequences {
  const n = x.users.length;
  const nUsers = x.userIds.length;
  const indptr = new Int32Array(nUsers + 1);
  for (let k = 0; k < n; k++) indptr[x.users[k] + 1]++;
  for (let u = 0; u < nUsers; u++) indptr[u + 1] += indptr[u];
  const order = Int32Array.from({ length: n }, (_, k) => k);
  const time = (k: number) => (Number.isNaN(x.times[k]) ? -Infinity : x.times[k]);
  order.sort((a, b) => x.users[a] - x.users[b] || time(a) - time(b) || a - b);
  const items = new Int32Array(n);
  for (let k = 0; k < n; k++) items[k] = x.items[order[k]];
  return { indptr, items };
}

