import { describe, expect, it } from "vitest";
import { csrFromCoo } from "../../../trainer/data/matrix.ts";
import { pairRocAuc, scorePairs } from "../../../trainer/eval/pair-auc.ts";
import { evaluateRanking } from "../../../trainer/eval/ranking.ts";
import type { Recommender } from "../../../trainer/model/model.ts";
import { carveRatedPairs } from "../../../trainer/model/rating-stack.ts";
import { buildFromConfig, checkConfig, FeatureCache, type ModelConfig } from "../../../trainer/tune/config.ts";
import { blendWeightGrid, simplexGrid, tune, type TuneData } from "../../../trainer/tune/search.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { plantedData } from "../model/conformance.case.ts";

/** 80 users with a taste for even or odd items rate half of 40 items 1–5; labels are rating >= 4. */
function ratedData() {
  const rng = createRng(5);
  const rows: number[] = [];
  const cols: number[] = [];
  const stars: number[] = [];
  for (let u = 0; u < 80; u++) {
    for (let i = 0; i < 40; i++) {
      if (rng.next() > 0.5) continue;
      const match = (u + i) % 2 === 0 ? 1 : -1;
      rows.push(u);
      cols.push(i);
      stars.push(Math.min(5, Math.max(1, Math.round(3 + 1.5 * match + (u % 3 === 0 ? 1 : 0) + (rng.next() - 0.5) * 1.5))));
    }
  }
  const ratings = csrFromCoo(80, 40, rows, cols, stars);
  return { ratings, labels: { ...ratings, data: Float32Array.from(ratings.data, (r) => (r >= 4 ? 1 : -1)) } };
}

const hybrid = (params: Record<string, unknown>): ModelConfig => ({ model: "hybrid", params: { components: 8, learningRate: 0.05, threads: 1, ...params }, itemFeatures: [], userFeatures: false });

describe("simplexGrid", () => {
  it("lists every weight vector in 0.1 steps that sums to 1", () => {
    const grid = simplexGrid(3, 10);
    expect(grid).toHaveLength(66);
    for (const w of grid) expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(new Set(grid.map((w) => w.join())).size).toBe(66);
  });

  it("blendWeightGrid drops the single-member corners: 66 − 3 points for three members", () => {
    const grid = blendWeightGrid(3);
    expect(grid).toHaveLength(63);
    for (const w of grid) expect(w.filter((x) => x > 0).length).toBeGreaterThanOrEqual(2);
  });
});

describe("tune, rating classification", () => {
  it("tries a rating-stack of the best mse and logistic models with the rate logit, and the chosen config refits from JSON", async () => {
    const { ratings, labels } = ratedData();
    const { train, valid } = carveRatedPairs({ interactions: labels, ratings }, 4, createRng(1));
    const validLabels = Float32Array.from(valid.values, (r) => (r >= 4 ? 1 : 0));
    const data: TuneData = {
      validTrain: train.interactions,
      validTrainRatings: train.ratings,
      validate: (m) => ({ pairAuc: pairRocAuc(scorePairs(m, 40, valid.users, valid.items), validLabels) }),
      primary: "pairAuc",
      task: "rating-class",
    };
    const result = await tune(data, {
      trials: 0,
      seed: 0,
      maxEpochs: 10,
      evalEvery: 5,
      patience: 1,
      candidates: [hybrid({ loss: "mse", userAlpha: 0.01, itemAlpha: 0.01 }), hybrid({ loss: "logistic", userAlpha: 0.01, itemAlpha: 0.01 })],
      blend: false,
    });
    const stack = result.leaderboard.find((t) => t.config.model === "rating-stack");
    expect(stack).toBeDefined();
    const members = (stack!.config as Extract<ModelConfig, { model: "rating-stack" }>).members.map((m) => m.model);
    expect(members).toEqual(["hybrid", "hybrid", "rate-logit"]);
    expect(stack!.score).toBeGreaterThan(0.8);
    // What `edgerec tune` writes is what `edgerec train --config` reads back and fits.
    const config: unknown = JSON.parse(JSON.stringify(stack!.config));
    checkConfig(config);
    const { model } = buildFromConfig(config, new FeatureCache({}));
    await model.fit({ interactions: labels, ratings, rng: createRng(2) });
    const out = new Float32Array(40);
    model.scoreUser(0, out);
    // Probabilities (this generated taste is almost separable, so many are near 0 or 1); user 0 likes even items.
    for (const p of out) expect(p >= 0 && p <= 1).toBe(true);
    for (let i = 0; i < 40; i += 2) expect(out[i]).toBeGreaterThan(out[i + 1]);
  });

  it("rejects a rating-stack config with an unknown parameter, naming it", () => {
    expect(() => checkConfig({ model: "rating-stack", params: { holdout: 3 }, members: [{ model: "rate-logit", params: { prior: 5 } }] })).toThrow(/unknown rating-stack parameter "holdout"/);
  });
});

/** Ranking on the planted groups, the held-out in-group items as validation. */
function plantedTuneData(): TuneData {
  const d = plantedData();
  return { validTrain: d.train, validate: (m) => evaluateRanking(m, { train: d.train, test: d.test, ks: [10] }), primary: "p@10", task: "ranking" };
}

describe("tune, ranking", () => {
  it("tries iALS and blends it with EASE and the factor model", async () => {
    const data = plantedTuneData();
    const result = await tune(data, { trials: 1, seed: 0, maxEpochs: 10, evalEvery: 5, patience: 1, losses: ["bpr"], componentChoices: [8], easeLambdas: [10], ials: [{ components: 8, iterations: 4, alpha: 10, lambda: 1 }], only: ["hybrid", "ease", "ials"] });
    expect(result.leaderboard.some((t) => t.config.model === "ials")).toBe(true);
    const blends = result.leaderboard.filter((t) => t.config.model === "blend");
    const kinds = new Set(blends.flatMap((t) => (t.config as Extract<ModelConfig, { model: "blend" }>).members.map((m) => m.config.model)));
    expect([...kinds].sort()).toEqual(["ease", "hybrid", "ials"]);
  });

  it("blendSelection picks the blend weights by another validation metric; only that pick joins the leaderboard", async () => {
    const d = plantedData();
    const data: TuneData = { ...plantedTuneData(), validate: (m) => evaluateRanking(m, { train: d.train, test: d.test, ks: [5, 20] }), primary: "p@5" };
    const opts = { trials: 1, seed: 0, maxEpochs: 10, evalEvery: 5, patience: 1, losses: ["bpr" as const], componentChoices: [8], easeLambdas: [10], ials: [{ components: 8, iterations: 4, alpha: 10, lambda: 1 }], only: ["hybrid", "ease", "ials"] };
    const byPrimary = (await tune(data, opts)).leaderboard.filter((t) => t.config.model === "blend");
    const bySelection = (await tune(data, { ...opts, blendSelection: "ndcg@20" })).leaderboard.filter((t) => t.config.model === "blend");
    expect(byPrimary.length).toBe(blendWeightGrid(3).length);
    expect(bySelection).toHaveLength(1);
    const best = Math.max(...byPrimary.map((t) => t.metrics["ndcg@20"]));
    const firstBest = byPrimary.find((t) => t.metrics["ndcg@20"] === best)!;
    const bestPrimary = Math.max(...byPrimary.map((t) => t.score));
    // The planted data must tell the two criteria apart, or this test could not fail.
    expect(firstBest.score).toBeLessThan(bestPrimary);
    // The same grid point, still scored by the primary metric like every other trial.
    expect(bySelection[0].description).toBe(firstBest.description);
    expect(bySelection[0].score).toBe(bySelection[0].metrics["p@5"]);
    await expect(tune(data, { ...opts, blendSelection: "ndcg@50" })).rejects.toThrow(/blendSelection "ndcg@50" is not among the validation metrics/);
  });

  it("early-stops Mult-DAE, records the epoch it chose, and blends it", async () => {
    const data = plantedTuneData();
    const result = await tune(data, {
      trials: 1,
      seed: 0,
      maxEpochs: 10,
      evalEvery: 5,
      patience: 1,
      losses: ["bpr"],
      componentChoices: [8],
      easeLambdas: [10],
      ials: [],
      multdae: [{ hidden: 8, epochs: 40, learningRate: 0.01, dropout: 0.2, batchSize: 16 }],
      only: ["hybrid", "ease", "multdae"],
    });
    const dae = result.leaderboard.find((t) => t.config.model === "multdae")!;
    expect(dae).toBeDefined();
    const epochs = Number((dae.config as { params: { epochs: number } }).params.epochs);
    // The chosen epoch count is a validation check's (every 10 for Mult-DAE), and the curve stopped at or before the cap.
    expect(epochs % 10).toBe(0);
    expect(epochs).toBeLessThanOrEqual(40);
    expect(dae.curve!.at(-1)!.epoch).toBeLessThanOrEqual(40);
    expect(dae.score).toBeGreaterThan(0.1);
    const kinds = new Set(result.leaderboard.filter((t) => t.config.model === "blend").flatMap((t) => (t.config as Extract<ModelConfig, { model: "blend" }>).members.map((m) => m.config.model)));
    expect([...kinds].sort()).toEqual(["ease", "hybrid", "multdae"]);
  });
});
