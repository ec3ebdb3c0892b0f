import type { Interactions } from "../data/types.ts";
import { shuffle, type Rng } from "../util/rng.ts";

/** Train / (dev) / test parts of one dataset; all share the ids (and so the matrix shape) of the source. */
export interface Split {
  train: Interactions;
  dev?: Interactions;
  test: Interactions;
}

/** The rows `rows` of `x`, in that order, with the same id arrays. */
export function subsetInteractions(x: Interactions, rows: ArrayLike<number>): Interactions {
  const n = rows.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  const times = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const r = rows[k];
    users[k] = x.users[r];
    items[k] = x.items[r];
    ratings[k] = x.ratings[r];
    times[k] = x.times[r];
  }
  return { userIds: x.userIds, itemIds: x.itemIds, users, items, ratings, times };
}

function checkFraction(name: string, f: number): void {
  if (!(f > 0 && f < 1)) throw new RangeError(`${name} must be a fraction in (0, 1), got ${f}`);
}

/** Each interaction goes to test with probability ≈ testFraction (exactly round(n·f) of them, seeded). */
export function randomSplit(x: Interactions, testFraction: number, rng: Rng): Split {
  checkFraction("test fraction", testFraction);
  const n = x.users.length;
  const order = shuffle(Int32Array.from({ length: n }, (_, i) => i), rng);
  const nTest = Math.round(n * testFraction);
  const test = order.slice(0, nTest).sort();
  const train = order.slice(nTest).sort();
  return { train: subsetInteractions(x, train), test: subsetInteractions(x, test) };
}

/**
 * Per-user leave-last-out by time: a user's latest interaction → test, the one before → dev
 * (when `dev`), the rest → train. A user's first interaction always stays in train, so users
 * with 1 interaction are train-only and users with 2 give only a test one. Ties in time break
 * by the original row order (later row = later), so the split is deterministic.
 */
export function leaveLastOut(x: Interactions, opts: { dev?: boolean } = {}): Split {
  const n = x.users.length;
  const nUsers = x.userIds.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const time = (i: number) => (Number.isNaN(x.times[i]) ? -Infinity : x.times[i]);
  order.sort((a, b) => x.users[a] - x.users[b] || time(a) - time(b) || a - b);
  const trainRows: number[] = [];
  const devRows: number[] = [];
  const testRows: number[] = [];
  let start = 0;
  for (let u = 0; u < nUsers && start < n; u++) {
    let end = start;
    while (end < n && x.users[order[end]] === x.users[order[start]]) end++;
    const count = end - start;
    let last = end;
    if (count >= 2) testRows.push(order[--last]);
    if (opts.dev && count >= 3) devRows.push(order[--last]);
    for (let k = start; k < last; k++) trainRows.push(order[k]);
    start = end;
  }
  const sortNum = (a: number[]) => Int32Array.from(a).sort();
  return {
    train: subsetInteractions(x, sortNum(trainRows)),
    dev: opts.dev ? subsetInteractions(x, sortNum(devRows)) : undefined,
    test: subsetInteractions(x, sortNum(testRows)),
  };
}

/**
 * Item cold start: all interactions of round(itemFraction · #items with interactions) items,
 * chosen by the seeded generator, go to test; the model never sees those items in training.
 */
export function itemColdStart(x: Interactions, itemFraction: number, rng: Rng): Split & { coldItems: Int32Array } {
  checkFraction("item fraction", itemFraction);
  const nItems = x.itemIds.length;
  const seen = new Uint8Array(nItems);
  for (let k = 0; k < x.items.length; k++) seen[x.items[k]] = 1;
  const present: number[] = [];
  for (let i = 0; i < nItems; i++) if (seen[i]) present.push(i);
  const shuffled = shuffle(Int32Array.from(present), rng);
  const coldItems = shuffled.slice(0, Math.round(present.length * itemFraction)).sort();
  const cold = new Uint8Array(nItems);
  for (const i of coldItems) cold[i] = 1;
  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (let k = 0; k < x.items.length; k++) (cold[x.items[k]] ? testRows : trainRows).push(k);
  return { train: subsetInteractions(x, trainRows), test: subsetInteractions(x, testRows), coldItems };
}

/**
 * For tuning without touching test: from each user's training interactions hold out
 * `perUser` at random (seeded) as validation, keeping at least `keep` in train.
 */
export function holdOutPerUser(x: Interactions, perUser: number, rng: Rng, keep = 1): { train: Interactions; valid: Interactions } {
  const n = x.users.length;
  const byUser = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => x.users[a] - x.users[b] || a - b);
  const trainRows: number[] = [];
  const validRows: number[] = [];
  for (let start = 0; start < n; ) {
    let end = start;
    while (end < n && x.users[byUser[end]] === x.users[byUser[start]]) end++;
    const rows = shuffle(byUser.slice(start, end), rng);
    const take = Math.max(0, Math.min(perUser, rows.length - keep));
    for (let k = 0; k < rows.length; k++) (k < take ? validRows : trainRows).push(rows[k]);
    start = end;
  }
  return {
    train: subsetInteractions(x, Int32Array.from(trainRows).sort()),
    valid: subsetInteractions(x, Int32Array.from(validRows).sort()),
  };
}
