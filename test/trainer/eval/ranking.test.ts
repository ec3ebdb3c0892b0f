import { describe, expect, it } from "vitest";
import { csrFromCoo, type CsrMatrix } from "../../../trainer/data/matrix.ts";
import type { FitInput, Recommender } from "../../../trainer/model/model.ts";
import { evaluateRanking } from "../../../trainer/eval/ranking.ts";
import { ItemKnnModel } from "../../../trainer/model/itemknn.ts";
import { createRng } from "../../../trainer/util/rng.ts";

/** A fixture recommender whose scores are given per user (the metric is under test, not a model). */
class FixedScores implements Recommender {
  readonly name = "fixed";
  constructor(private readonly rows: number[][]) {}
  async fit(_input: FitInput): Promise<void> {}
  scoreUser(user: number, out: Float32Array): void {
    out.set(this.rows[user]);
  }
  params() {
    return {};
  }
}

const csr = (nRows: number, nCols: number, pairs: [number, number][]): CsrMatrix =>
  csrFromCoo(nRows, nCols, pairs.map((p) => p[0]), pairs.map((p) => p[1]));

describe("evaluateRanking (LightFM semantics)", () => {
  // User 0: train {0}, test {2, 4}; scores 9 1 5 5 3.
  //   item 2 (5): other candidates >= 5: item 3 → rank 1
  //   item 4 (3): items 2, 3 → rank 2; after removing the 1 positive above: 1
  //   n_neg = 5 − 2 − 1 = 2 → AUC = mean(1 − 1/2, 1 − 1/2) = 0.5 (the tie with item 3 counts against item 2)
  // User 1: train {}, test {0}; scores 2 1 0 0 0 → rank 0, AUC 1.
  const model = new FixedScores([
    [9, 1, 5, 5, 3],
    [2, 1, 0, 0, 0],
  ]);
  const train = csr(2, 5, [[0, 0]]);
  const test = csr(2, 5, [
    [0, 2],
    [0, 4],
    [1, 0],
  ]);

  it("computes per-user AUC with ties counting against the positive", () => {
    const m = evaluateRanking(model, { train, test, ks: [1, 2] });
    expect(m.auc).toBeCloseTo((0.5 + 1) / 2, 10);
    expect(m.users).toBe(2);
  });

  it("computes precision, recall, hit rate, NDCG and MRR from the same ranks", () => {
    const m = evaluateRanking(model, { train, test, ks: [1, 2] });
    // k=2: user 0 has item 2 (rank 1) inside, item 4 (rank 2) outside; user 1 rank 0.
    expect(m["p@2"]).toBeCloseTo((1 / 2 + 1 / 2) / 2, 10);
    expect(m["r@2"]).toBeCloseTo((1 / 2 + 1) / 2, 10);
    expect(m["hr@2"]).toBeCloseTo(1, 10);
    const ndcgUser0 = 1 / Math.log2(3) / (1 + 1 / Math.log2(3));
    expect(m["ndcg@2"]).toBeCloseTo((ndcgUser0 + 1) / 2, 10);
    // k=1: only user 1 hits.
    expect(m["p@1"]).toBeCloseTo(0.5, 10);
    expect(m["r@1"]).toBeCloseTo(0.5, 10);
    expect(m["hr@1"]).toBeCloseTo(0.5, 10);
    expect(m["ndcg@1"]).toBeCloseTo(0.5, 10);
    expect(m.mrr).toBeCloseTo((1 / 2 + 1) / 2, 10);
  });

  it("measures catalogue coverage of the top-k lists (train items excluded, ties by lower index)", () => {
    const m = evaluateRanking(model, { train, test, ks: [1, 2] });
    // top-1: user 0 → item 2 (tie with 3), user 1 → item 0. top-2 adds item 3 and item 1.
    expect(m["coverage@1"]).toBeCloseTo(2 / 5, 10);
    expect(m["coverage@2"]).toBeCloseTo(4 / 5, 10);
  });

  it("excludes further items (dev) from candidates and from the negatives", () => {
    // Excluding item 3 for user 0: item 2 now rank 0, item 4 rank 1 → minus 1 → 0; n_neg = 1.
    const dev = csr(2, 5, [[0, 3]]);
    const m = evaluateRanking(model, { train, test, exclude: [dev], ks: [1] });
    expect(m.auc).toBeCloseTo(1, 10);
    expect(m["p@1"]).toBeCloseTo((1 + 1) / 2, 10);
  });

  // The second case gives users more test positives than the ranking scratch starts with (16).
  it.each([
    { nItems: 40, testShare: 0.2 },
    { nItems: 80, testShare: 0.5 },
  ])("matches a brute-force pairwise count on random scores ($nItems items, $testShare of them test positives)", ({ nItems, testShare }) => {
    const rows: number[][] = [];
    const trainPairs: [number, number][] = [];
    const testPairs: [number, number][] = [];
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let u = 0; u < 6; u++) {
      // Coarse scores so that ties happen.
      rows.push(Array.from({ length: nItems }, () => Math.floor(rand() * 8)));
      for (let i = 0; i < nItems; i++) {
        const r = rand();
        if (r < 0.15) trainPairs.push([u, i]);
        else if (r < 0.15 + testShare) testPairs.push([u, i]);
      }
    }
    const tr = csr(6, nItems, trainPairs);
    const te = csr(6, nItems, testPairs);
    const m = evaluateRanking(new FixedScores(rows), { train: tr, test: te, ks: [5] });
    // Brute force: LightFM's definition spelled out item by item.
    let aucSum = 0;
    let pSum = 0;
    let users = 0;
    for (let u = 0; u < 6; u++) {
      const trainSet = new Set(trainPairs.filter((p) => p[0] === u).map((p) => p[1]));
      const testItems = testPairs.filter((p) => p[0] === u).map((p) => p[1]);
      if (testItems.length === 0) continue;
      users++;
      const s = rows[u];
      const ranks = testItems
        .map((t) => {
          let r = 0;
          for (let j = 0; j < nItems; j++) if (j !== t && !trainSet.has(j) && s[j] >= s[t]) r++;
          return r;
        })
        .sort((a, b) => a - b);
      const nNeg = nItems - testItems.length - trainSet.size;
      aucSum += ranks.reduce((acc, r, q) => acc + 1 - Math.max(0, r - q) / nNeg, 0) / ranks.length;
      pSum += ranks.filter((r) => r < 5).length / 5;
    }
    expect(m.auc).toBeCloseTo(aucSum / users, 10);
    expect(m["p@5"]).toBeCloseTo(pSum / users, 10);
  });
});

describe("topKInto", () => {
  it("agrees with model.topK, ties by lower index, NaN skipped", async () => {
    const { topK } = await import("../../../trainer/model/model.ts");
    const { topKInto } = await import("../../../trainer/eval/ranking.ts");
    let seed = 5;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(rand() * 40);
      const s = Float32Array.from({ length: n }, () => (rand() < 0.1 ? Number.NaN : Math.floor(rand() * 6)));
      const k = 1 + Math.floor(rand() * 12);
      const idx = new Int32Array(k);
      const got = topKInto(s, k, idx, new Float64Array(k));
      expect(Array.from(idx.subarray(0, got))).toEqual(Array.from(topK(s, k)));
    }
  });
});

describe("evaluateRanking with observed histories", () => {
  // Item-kNN on 4 items: items 1 and 2 are always bought together, 0 and 3 together.
  // User 0 trained on {0}; its dev item is 1 and its test item 2. From train alone the model
  // points at 3; from train followed by dev (what a served model sees) it points at 2.
  const train = csr(5, 4, [[0, 0], [1, 1], [1, 2], [2, 1], [2, 2], [3, 0], [3, 3], [4, 0], [4, 3]]);
  const dev = csr(5, 4, [[0, 1]]);
  const test = csr(5, 4, [[0, 2]]);

  it("scores each user from the given history instead of the model's record, and still excludes train and dev", async () => {
    const model = new ItemKnnModel({ k: 10, shrink: 0 });
    await model.fit({ interactions: train, rng: createRng(1) });
    const users = Int32Array.of(0);
    const blind = evaluateRanking(model, { train, test, exclude: [dev], ks: [1], users });
    const observed = evaluateRanking(model, { train, test, exclude: [dev], ks: [1], users, histories: { indptr: Int32Array.of(0, 2, 2, 2, 2, 2), items: Int32Array.of(0, 1) } });
    expect(blind["hr@1"]).toBe(0);
    expect(observed["hr@1"]).toBe(1);
  });
});
