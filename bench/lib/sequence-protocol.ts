import { loadSequences } from "../../trainer/data/readers/sequences.ts";
import { csrFromCoo, type CsrMatrix } from "../../trainer/data/matrix.ts";
import type { ItemMeta } from "../../trainer/data/types.ts";
import type { Metrics } from "../../trainer/eval/ranking.ts";
import type { ItemSequences, Recommender } from "../../trainer/model/model.ts";
import { createRng } from "../../trainer/util/rng.ts";

/**
 * Leave-last-out on sequence files, as ANCHORS.md states it for the S3-Rec data: per user the
 * last item is test, the second-to-last dev, the rest train. Models are fit on train only. The
 * dev item is scored from the train sequence; the test item from train followed by the dev item
 * (what the published sequential models read, SASRec/S3-Rec: the model never trains on the dev
 * item, but it is part of the observed history at test time). Every item is ranked except the
 * user's train and dev items; ties count against the target; HR@10 and NDCG@10 over all users.
 */
export interface SequenceSplit {
  nUsers: number;
  nItems: number;
  userIds: string[];
  itemIds: string[];
  items: ItemMeta[];
  /** users × items, 1 per train item. */
  train: CsrMatrix;
  /** Train sequences (time order), aligned with train's rows. */
  trainSequences: ItemSequences;
  /** Train followed by dev: the history the test item is scored from. */
  testHistories: ItemSequences;
  dev: Int32Array;
  test: Int32Array;
}

export async function loadSequenceSplit(file: string, attributes?: string): Promise<SequenceSplit> {
  const d = await loadSequences(file, { attributes });
  const x = d.interactions;
  const nUsers = x.userIds.length;
  const nItems = x.itemIds.length;
  const dev = new Int32Array(nUsers).fill(-1);
  const test = new Int32Array(nUsers).fill(-1);
  const trainPtr = new Int32Array(nUsers + 1);
  const histPtr = new Int32Array(nUsers + 1);
  for (let u = 0; u < nUsers; u++) {
    const len = d.userStart[u + 1] - d.userStart[u];
    if (len < 3) throw new Error(`${file}: user ${x.userIds[u]} has ${len} items; leave-last-out with dev needs at least 3`);
    trainPtr[u + 1] = trainPtr[u] + len - 2;
    histPtr[u + 1] = histPtr[u] + len - 1;
  }
  const trainItems = new Int32Array(trainPtr[nUsers]);
  const histItems = new Int32Array(histPtr[nUsers]);
  const rows: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const s = d.userStart[u];
    const len = d.userStart[u + 1] - s;
    for (let k = 0; k < len - 2; k++) {
      trainItems[trainPtr[u] + k] = x.items[s + k];
      rows.push(u);
    }
    for (let k = 0; k < len - 1; k++) histItems[histPtr[u] + k] = x.items[s + k];
    dev[u] = x.items[s + len - 2];
    test[u] = x.items[s + len - 1];
  }
  return {
    nUsers,
    nItems,
    userIds: x.userIds,
    itemIds: x.itemIds,
    items: x.itemIds.map((id, i) => (d.itemAttributes?.[i].length ? { id, categories: d.itemAttributes[i].map((a) => `attr:${a}`) } : { id })),
    train: csrFromCoo(nUsers, nItems, rows, trainItems, undefined, "max"),
    trainSequences: { indptr: trainPtr, items: trainItems },
    testHistories: { indptr: histPtr, items: histItems },
    dev,
    test,
  };
}

/** Per-user results of one next-item evaluation: 1/0 hits and NDCG gains at k. */
export interface NextItemResult {
  hits: Float64Array;
  gains: Float64Array;
}

/**
 * Ranks each user's target among all items but `exclude`'s (the history, and `extra` when
 * given: the dev item at test time); rank = number of candidates scoring >= the target.
 */
export function evaluateNextItem(
  model: Recommender,
  opts: { targets: Int32Array; histories: ItemSequences; exclude: ItemSequences; extra?: Int32Array; k?: number; nItems: number },
): NextItemResult {
  const { targets, histories, exclude, extra, nItems } = opts;
  const k = opts.k ?? 10;
  const nUsers = targets.length;
  const scores = new Float32Array(nItems);
  const hits = new Float64Array(nUsers);
  const gains = new Float64Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    const target = targets[u];
    if (target < 0) continue;
    model.scoreUser(u, scores, histories.items.subarray(histories.indptr[u], histories.indptr[u + 1]));
    for (let p = exclude.indptr[u]; p < exclude.indptr[u + 1]; p++) scores[exclude.items[p]] = Number.NaN;
    if (extra && extra[u] >= 0) scores[extra[u]] = Number.NaN;
    const s = scores[target];
    let rank = 0;
    if (s !== s) rank = nItems;
    else for (let j = 0; j < nItems; j++) if (j !== target && scores[j] >= s) rank++;
    if (rank < k) {
      hits[u] = 1;
      gains[u] = 1 / Math.log2(rank + 2);
    }
  }
  return { hits, gains };
}

/** HR@k / NDCG@k means over users, with 95% percentile-bootstrap intervals (1,000 resamples of users, seeded). */
export function summariseNextItem(r: NextItemResult, k = 10, seed = 0): Metrics {
  const n = r.hits.length;
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / n;
  const rng = createRng(9000 + seed);
  const B = 1000;
  const hr = new Float64Array(B);
  const nd = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let h = 0;
    let g = 0;
    for (let q = 0; q < n; q++) {
      const u = rng.int(n);
      h += r.hits[u];
      g += r.gains[u];
    }
    hr[b] = h / n;
    nd[b] = g / n;
  }
  hr.sort();
  nd.sort();
  const lo = Math.floor(0.025 * B);
  const hi = Math.ceil(0.975 * B) - 1;
  return {
    [`hr@${k}`]: mean(r.hits),
    [`ndcg@${k}`]: mean(r.gains),
    [`hr@${k}:lo`]: hr[lo],
    [`hr@${k}:hi`]: hr[hi],
    [`ndcg@${k}:lo`]: nd[lo],
    [`ndcg@${k}:hi`]: nd[hi],
    users: n,
  };
}

/** Dev metrics: scored from the train sequence, train items excluded. */
export function validateOnDev(model: Recommender, s: SequenceSplit): Metrics {
  return summariseNextItem(evaluateNextItem(model, { targets: s.dev, histories: s.trainSequences, exclude: s.trainSequences, nItems: s.nItems }));
}

/**
 * Test metrics: scored from train + dev, train and dev items excluded; `hr@10/trainHistory` and
 * `ndcg@10/trainHistory` score the same fit from the train sequence alone (dev still excluded).
 */
export function evaluateOnTest(model: Recommender, s: SequenceSplit, seed = 0): Metrics {
  const main = summariseNextItem(evaluateNextItem(model, { targets: s.test, histories: s.testHistories, exclude: s.testHistories, nItems: s.nItems }), 10, seed);
  const trainOnly = evaluateNextItem(model, { targets: s.test, histories: s.trainSequences, exclude: s.trainSequences, extra: s.dev, nItems: s.nItems });
  const mean = (a: Float64Array) => a.reduce((x, v) => x + v, 0) / a.length;
  return { ...main, "hr@10/trainHistory": mean(trainOnly.hits), "ndcg@10/trainHistory": mean(trainOnly.gains) };
}
