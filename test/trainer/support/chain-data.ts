import { csrFromCoo } from "../../../trainer/data/matrix.ts";
import { sequencesFromInteractions } from "../../../trainer/data/item-sequences.ts";
import { createRng } from "../../../trainer/util/rng.ts";

/** Users walk a chain 0 → 1 → 2 → … → n−1 starting anywhere, so the item after the latest is the answer. */
export function chainData(nItems: number, nUsers: number, len: number, seed: number) {
  const rng = createRng(seed);
  const users: number[] = [];
  const items: number[] = [];
  const times: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const start = rng.int(nItems - len);
    for (let k = 0; k < len; k++) {
      users.push(u);
      items.push(start + k);
      times.push(k);
    }
  }
  const x = {
    userIds: Array.from({ length: nUsers }, (_, u) => `u${u}`),
    itemIds: Array.from({ length: nItems }, (_, i) => `i${i}`),
    users: Int32Array.from(users),
    items: Int32Array.from(items),
    ratings: new Float32Array(users.length).fill(Number.NaN),
    times: Float64Array.from(times),
  };
  return { x, train: csrFromCoo(nUsers, nItems, users, items, undefined, "max"), sequences: sequencesFromInteractions(x) };
}

