/**
 * Drops forgotten shoppers from training data: their interactions and their id, so no artifact
 * section (user ids, histories, vectors, precomputed lists) can mention them. Run it on the
 * loaded interactions before splitting and fitting; the ids come from readTombstones().
 */
import type { Interactions } from "../data/types.ts";

export interface DropResult {
  interactions: Interactions;
  /** Forgotten shoppers that had interactions here, and how many rows went with them. */
  droppedUsers: number;
  droppedRows: number;
}

export function dropForgotten(data: Interactions, forgotten: ReadonlySet<string>): DropResult {
  if (forgotten.size === 0) return { interactions: data, droppedUsers: 0, droppedRows: 0 };
  // Old user index → new one (-1 = forgotten), keeping the others' order.
  const remap = new Int32Array(data.userIds.length);
  const userIds: string[] = [];
  let droppedUsers = 0;
  for (let u = 0; u < data.userIds.length; u++) {
    if (forgotten.has(data.userIds[u])) {
      remap[u] = -1;
      droppedUsers++;
    } else {
      remap[u] = userIds.length;
      userIds.push(data.userIds[u]);
    }
  }
  if (droppedUsers === 0) return { interactions: data, droppedUsers: 0, droppedRows: 0 };
  let kept = 0;
  for (let p = 0; p < data.users.length; p++) if (remap[data.users[p]] >= 0) kept++;
  const users = new Int32Array(kept);
  const items = new Int32Array(kept);
  const ratings = new Float32Array(kept);
  const times = new Float64Array(kept);
  let q = 0;
  for (let p = 0; p < data.users.length; p++) {
    const u = remap[data.users[p]];
    if (u < 0) continue;
    users[q] = u;
    items[q] = data.items[p];
    ratings[q] = data.ratings[p];
    times[q] = data.times[p];
    q++;
  }
  return {
    interactions: { userIds, itemIds: data.itemIds, users, items, ratings, times },
    droppedUsers,
    droppedRows: data.users.length - kept,
  };
}
