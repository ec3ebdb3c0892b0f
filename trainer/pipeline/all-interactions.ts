import type { Dataset } from "../data/spec.ts";
import type { Interactions } from "../data/types.ts";

/**
 * Every interaction the dataset holds: for one set of files that is `dataset.interactions`;
 * for given train/dev/test files (one shared id space) their union, with a (user, item) pair
 * that appears in several splits kept once (its latest row), as the readers' duplicate rule does.
 */
export function allInteractions(dataset: Dataset): Interactions {
  const s = dataset.splits;
  if (!s) return dataset.interactions;
  const parts = [s.train, s.dev, s.test].filter((x): x is Interactions => x !== undefined);
  if (parts.length === 1) return parts[0];
  const nItems = s.train.itemIds.length;
  const latest = new Map<number, { part: number; row: number }>();
  const time = (p: number, r: number) => (Number.isNaN(parts[p].times[r]) ? -Infinity : parts[p].times[r]);
  parts.forEach((x, p) => {
    for (let r = 0; r < x.users.length; r++) {
      const key = x.users[r] * nItems + x.items[r];
      const had = latest.get(key);
      // Later splits are later in time; within a tie the later split wins.
      if (!had || time(p, r) >= time(had.part, had.row)) latest.set(key, { part: p, row: r });
    }
  });
  const keys = [...latest.keys()].sort((a, b) => a - b);
  const n = keys.length;
  const out: Interactions = {
    userIds: s.train.userIds,
    itemIds: s.train.itemIds,
    users: new Int32Array(n),
    items: new Int32Array(n),
    ratings: new Float32Array(n),
    times: new Float64Array(n),
  };
  keys.forEach((key, k) => {
    const { part, row } = latest.get(key)!;
    const x = parts[part];
    out.users[k] = x.users[row];
    out.items[k] = x.items[row];
    out.ratings[k] = x.ratings[row];
    out.times[k] = x.times[row];
  });
  return out;
}
