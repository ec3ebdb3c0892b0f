import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { expect } from "vitest";
import { type Artifact, stringAt } from "../../../src/artifact/index.ts";

/** Every (user, item) pair of an Amazon reviews file, read here directly (not through the trainer's reader). */
export interface RawShoppers {
  /** Distinct (user, item) pairs. */
  pairs: number;
  /** user → items they interacted with. */
  items: Map<string, Set<string>>;
  /** user → the item(s) of their latest interaction (ties by time all count). */
  latest: Map<string, Set<string>>;
}

export function readAmazonReviews(file: string): RawShoppers {
  const raw = readFileSync(file);
  const text = (file.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  const items = new Map<string, Set<string>>();
  const latestTime = new Map<string, number>();
  const latest = new Map<string, Set<string>>();
  let pairs = 0;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { reviewerID: string; asin: string; unixReviewTime: number };
    let set = items.get(r.reviewerID);
    if (!set) items.set(r.reviewerID, (set = new Set()));
    if (!set.has(r.asin)) pairs++;
    set.add(r.asin);
    const t = latestTime.get(r.reviewerID) ?? -Infinity;
    if (r.unixReviewTime > t) {
      latestTime.set(r.reviewerID, r.unixReviewTime);
      latest.set(r.reviewerID, new Set([r.asin]));
    } else if (r.unixReviewTime === t) latest.get(r.reviewerID)!.add(r.asin);
  }
  return { pairs, items, latest };
}

/**
 * What a shop expects of the served model: each shopper's latest interaction is in their stored
 * history, and nothing they interacted with comes back in their precomputed recommendations.
 */
export function expectServesEveryInteraction(a: Artifact, shoppers: RawShoppers): void {
  const users = new Map<string, number>();
  for (let u = 0; u < a.header.counts.users; u++) users.set(stringAt(a.users.ids, u), u);
  let checked = 0;
  for (const [user, latest] of shoppers.latest) {
    const u = users.get(user);
    expect(u, `shopper ${user} is in the artifact`).toBeDefined();
    const history = new Set<string>();
    for (let p = a.users.historyPtr[u!]; p < a.users.historyPtr[u! + 1]; p++) history.add(stringAt(a.items.ids, a.users.historyIds[p]));
    for (const item of latest) expect(history.has(item), `${user}'s latest item ${item} is in their stored history`).toBe(true);
    const bought = shoppers.items.get(user)!;
    expect(a.users.topPtr, "the artifact stores per-user recommendations").toBeDefined();
    for (let p = a.users.topPtr![u!]; p < a.users.topPtr![u! + 1]; p++) {
      const item = stringAt(a.items.ids, a.users.topIds![p]);
      expect(bought.has(item), `${user} is not recommended ${item}, which they already interacted with`).toBe(false);
    }
    checked++;
  }
  expect(checked).toBe(shoppers.latest.size);
}
