import { describe, expect, it } from "vitest";
import { csrFromCoo, type CsrMatrix } from "../../../trainer/data/matrix.ts";
import { pairRocAuc, scorePairs } from "../../../trainer/eval/pair-auc.ts";
import { HybridMF } from "../../../trainer/model/hybrid.ts";
import { RateLogitModel } from "../../../trainer/model/hybrid-rates.ts";
import { fitLogistic } from "../../../trainer/model/logistic-stack.ts";
import { carveRatedPairs, RatingStackModel } from "../../../trainer/model/rating-stack.ts";
import { createRng } from "../../../trainer/util/rng.ts";

const stack = () =>
  new RatingStackModel(
    [
      { model: new HybridMF({ loss: "mse", components: 8, epochs: 20, learningRate: 0.05, userAlpha: 0.01, itemAlpha: 0.01 }) },
      { model: new HybridMF({ loss: "logistic", components: 8, epochs: 10 }) },
      { model: new RateLogitModel(5) },
    ],
    { validPerUser: 2 },
  );

/** Users with a taste (+1/−1) for one of two item kinds; rating = 3 + 1.5·taste·kind + noise, rounded to 1..5. */
function ratedData(seed: number) {
  const rng = createRng(seed);
  const nUsers = 80;
  const nItems = 40;
  const rows: number[] = [];
  const cols: number[] = [];
  const stars: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const taste = u % 2 === 0 ? 1 : -1;
    const generous = u % 3 === 0 ? 1 : 0;
    for (let i = 0; i < nItems; i++) {
      if (rng.next() > 0.5) continue;
      const kind = i % 2 === 0 ? 1 : -1;
      const r = Math.round(3 + 1.5 * taste * kind + generous + (rng.next() - 0.5) * 1.5);
      rows.push(u);
      cols.push(i);
      stars.push(Math.min(5, Math.max(1, r)));
    }
  }
  const ratings = csrFromCoo(nUsers, nItems, rows, cols, stars);
  const labels = { ...ratings, data: Float32Array.from(ratings.data, (r) => (r >= 4 ? 1 : -1)) };
  return { ratings, labels, nItems };
}

describe("fitLogistic", () => {
  it("recovers the weights of a known logistic model", () => {
    const rng = createRng(1);
    const n = 20000;
    const a = Float64Array.from({ length: n }, () => rng.next() * 4 - 2);
    const b = Float64Array.from({ length: n }, () => rng.next() * 10);
    const y = Float32Array.from({ length: n }, (_, r) => (rng.next() < 1 / (1 + Math.exp(-(0.5 + 1.5 * a[r] - 0.2 * b[r]))) ? 1 : 0));
    const fit = fitLogistic([a, b], y, 0);
    expect(fit.weights[0]).toBeCloseTo(1.5, 1);
    expect(fit.weights[1]).toBeCloseTo(-0.2, 1);
    expect(fit.intercept).toBeCloseTo(0.5, 0);
  });

  it("says what is wrong with one-class labels or a short column", () => {
    expect(() => fitLogistic([[1, 2]], [1, 1])).toThrow(/both classes/);
    expect(() => fitLogistic([[1]], [1, 0])).toThrow(/column 0 has 1 values but there are 2 labels/);
  });
});

describe("carveRatedPairs", () => {
  it("holds out up to k rated pairs per user, keeps one in train, and drops them from both matrices", () => {
    const { ratings, labels } = ratedData(2);
    const { train, valid } = carveRatedPairs({ interactions: labels, ratings }, 3, createRng(0));
    expect(train.interactions.indices.length + valid.users.length).toBe(labels.indices.length);
    expect(train.ratings!.indices.length).toBe(train.interactions.indices.length);
    for (let u = 0; u < labels.nRows; u++) {
      const had = labels.indptr[u + 1] - labels.indptr[u];
      const kept = train.interactions.indptr[u + 1] - train.interactions.indptr[u];
      expect(had - kept).toBe(Math.min(3, Math.max(0, had - 1)));
    }
    // Held-out pairs carry their ratings and are no longer in train.
    for (let k = 0; k < valid.users.length; k++) {
      const u = valid.users[k];
      const row = Array.from(ratings.indices.subarray(ratings.indptr[u], ratings.indptr[u + 1]));
      expect(ratings.data[ratings.indptr[u] + row.indexOf(valid.items[k])]).toBe(valid.values[k]);
      expect(Array.from(train.interactions.indices.subarray(train.interactions.indptr[u], train.interactions.indptr[u + 1]))).not.toContain(valid.items[k]);
    }
  });
});

describe("RatingStackModel", () => {
  it("gives probabilities that separate liked from not-liked held-out pairs better than the rate logit alone", async () => {
    const all = ratedData(5);
    const { train, valid } = carveRatedPairs({ interactions: all.labels, ratings: all.ratings }, 4, createRng(9));
    const model = stack();
    await model.fit({ interactions: train.interactions, ratings: train.ratings, rng: createRng(1) });
    const scores = scorePairs(model, all.nItems, valid.users, valid.items);
    for (const s of scores) expect(s > 0 && s < 1).toBe(true);
    const labels = Float32Array.from(valid.values, (r) => (r >= 4 ? 1 : 0));
    const rate = new RateLogitModel(5);
    await rate.fit({ interactions: train.interactions, rng: createRng(1) });
    const stackAuc = pairRocAuc(scores, labels);
    expect(stackAuc).toBeGreaterThan(0.85);
    expect(stackAuc).toBeGreaterThan(pairRocAuc(scorePairs(rate, all.nItems, valid.users, valid.items), labels));
    const p = model.params();
    expect((p.weights as number[]).length).toBe(3);
    expect(p.loss).toBe("logistic");
  });

  it("explains when the held-out pairs have one class only", async () => {
    const x = csrFromCoo(3, 4, [0, 0, 1, 1, 2, 2], [0, 1, 1, 2, 2, 3]);
    await expect(stack().fit({ interactions: x, rng: createRng(0) })).rejects.toThrow(/all liked; it needs both kinds/);
  });
});
