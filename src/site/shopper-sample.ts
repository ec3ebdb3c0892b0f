/** Known shoppers for the demo's user picker, and a shopper's history beside their recommendations. */
import type { ServedArtifact } from "../store/served.ts";
import { stringAt } from "../artifact/index.ts";

export interface UserSummary {
  id: string;
  historyLength: number;
}

const samples = new WeakMap<ServedArtifact, Map<number, UserSummary[]>>();

/** Up to `limit` users with at least 3 stored items, spread evenly over the id space; cached per version. */
export function sampleUsers(served: ServedArtifact, limit: number): UserSummary[] {
  let byLimit = samples.get(served);
  if (!byLimit) samples.set(served, (byLimit = new Map()));
  let sample = byLimit.get(limit);
  if (!sample) byLimit.set(limit, (sample = pickUsers(served, limit, 3)));
  return sample;
}

function pickUsers(served: ServedArtifact, limit: number, minHistory: number): UserSummary[] {
  const { historyPtr, ids } = served.artifact.users;
  const eligible: number[] = [];
  for (let u = 0; u < served.userCount; u++) if (historyPtr[u + 1] - historyPtr[u] >= minHistory) eligible.push(u);
  const step = Math.max(1, eligible.length / limit);
  const out: UserSummary[] = [];
  for (let pos = 0; pos < eligible.length && out.length < limit; pos += step) {
    const u = eligible[Math.floor(pos)];
    out.push({ id: stringAt(ids, u), historyLength: historyPtr[u + 1] - historyPtr[u] });
  }
  return out;
}

/** Item indexes of user u's stored history, most recent first. */
export function userHistory(served: ServedArtifact, u: number, limit: number): number[] {
  const { historyPtr, historyIds } = served.artifact.users;
  const out: number[] = [];
  for (let p = historyPtr[u + 1] - 1; p >= historyPtr[u] && out.length < limit; p--) out.push(historyIds[p]);
  return out;
}
