import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BlendModel } from "../../../trainer/model/blend.ts";
import { EaseModel } from "../../../trainer/model/ease.ts";
import { HYBRID_LOSSES, HybridMF, type HybridLoss } from "../../../trainer/model/hybrid.ts";
import { RateLogitModel } from "../../../trainer/model/hybrid-rates.ts";
import { IalsModel } from "../../../trainer/model/ials.ts";
import { ItemKnnModel } from "../../../trainer/model/itemknn.ts";
import type { Recommender } from "../../../trainer/model/model.ts";
import { MultDaeModel } from "../../../trainer/model/multdae.ts";
import { PopularityModel } from "../../../trainer/model/popularity.ts";
import { RatingStackModel } from "../../../trainer/model/rating-stack.ts";
import { Rp3BetaModel } from "../../../trainer/model/rp3beta.ts";
import { SlistModel } from "../../../trainer/model/slist.ts";
import { createRng, shuffle } from "../../../trainer/util/rng.ts";
import type { ItemSequences } from "../../../trainer/model/model.ts";
import { plantedRatingInput, runConformance, type ConformanceOptions, type PlantedData } from "./conformance.case.ts";

/** The planted train rows in a seeded random order, as if they had been bought in that order. */
function plantedSequences(data: PlantedData): ItemSequences {
  const rng = createRng(11);
  const { indptr, indices } = data.train;
  const items = new Int32Array(indices.length);
  for (let u = 0; u < data.nUsers; u++) items.set(shuffle(indices.slice(indptr[u], indptr[u + 1]), rng), indptr[u]);
  return { indptr: indptr.slice(), items };
}

/**
 * Every `Recommender` implementation and every hybrid loss through the shared conformance checks
 * (conformance.case.ts). A model that cannot run a check names it in `skip` with the reason; a
 * class that cannot run at all is in WHOLE_MODEL_SKIPS with the reason. The last test fails when
 * a new implementation or loss is added without an entry here.
 */
interface Entry {
  /** The implementing class, as declared in trainer/model. */
  implementation: string;
  name: string;
  factory: () => Recommender;
  opts?: ConformanceOptions;
}

const VECTORS_ONLY = "a factor model: similar items come from its item vectors (itemVectors), not from itemSimilarities";
const ratingClassifier = { ratingClassifier: true, extraFit: plantedRatingInput } satisfies ConformanceOptions;

/** Per loss: the settings it trains with here, and how it is checked. */
const HYBRID_BY_LOSS: Record<HybridLoss, { params: Record<string, unknown>; opts: ConformanceOptions }> = {
  warp: { params: { epochs: 30, components: 16 }, opts: { skip: { similarities: VECTORS_ONLY } } },
  bpr: { params: { epochs: 40, components: 16 }, opts: { skip: { similarities: VECTORS_ONLY } } },
  "warp-kos": { params: { epochs: 30, components: 16 }, opts: { skip: { similarities: VECTORS_ONLY } } },
  // Pointwise losses learn liked vs not liked from rated pairs (±1 labels, or the stars for mse).
  logistic: { params: { epochs: 20, components: 8 }, opts: { ...ratingClassifier, skip: { similarities: VECTORS_ONLY } } },
  mse: { params: { epochs: 20, components: 8, learningRate: 0.05, userAlpha: 0.01, itemAlpha: 0.01 }, opts: { ...ratingClassifier, skip: { similarities: VECTORS_ONLY } } },
};

const MODELS: Entry[] = [
  {
    implementation: "PopularityModel",
    name: "popularity",
    factory: () => new PopularityModel(),
    opts: {
      personalised: false,
      skip: {
        history: "not personalised: every shopper gets the same global order, so a history cannot change it (its own learns check asserts that order)",
        similarities: "not personalised: it has no notion of item-to-item similarity",
      },
    },
  },
  { implementation: "ItemKnnModel", name: "itemknn", factory: () => new ItemKnnModel({ k: 20, shrink: 1 }) },
  { implementation: "EaseModel", name: "ease", factory: () => new EaseModel({ lambda: 5 }) },
  // Planted groups have no real order: the similarity part carries them, recency a little.
  { implementation: "SlistModel", name: "slist (with order)", factory: () => new SlistModel({ lambda: 5, alpha: 0.8, recencyDecay: 4 }), opts: { extraFit: (data) => ({ sequences: plantedSequences(data) }) } },
  { implementation: "SlistModel", name: "slist (no order: the similarity part alone)", factory: () => new SlistModel({ lambda: 5 }) },
  { implementation: "Rp3BetaModel", name: "rp3beta", factory: () => new Rp3BetaModel({ alpha: 1, beta: 0.5, k: 20 }) },
  { implementation: "IalsModel", name: "ials", factory: () => new IalsModel({ components: 8, iterations: 6, alpha: 10, lambda: 1 }), opts: { skip: { similarities: VECTORS_ONLY } } },
  {
    implementation: "MultDaeModel",
    name: "multdae",
    factory: () => new MultDaeModel({ hidden: 16, epochs: 120, learningRate: 0.01, dropout: 0.2, batchSize: 16 }),
    opts: { skip: { similarities: "an autoencoder scores from a whole history; it has no item-to-item similarity of its own" } },
  },
  ...HYBRID_LOSSES.map((loss): Entry => ({
    implementation: "HybridMF",
    name: `hybrid (${loss})`,
    factory: () => new HybridMF({ loss, threads: 1, ...HYBRID_BY_LOSS[loss].params }),
    opts: HYBRID_BY_LOSS[loss].opts,
  })),
  {
    implementation: "BlendModel",
    name: "blend (ease + hybrid WARP)",
    factory: () =>
      new BlendModel([
        { model: new EaseModel({ lambda: 5 }), weight: 0.6 },
        { model: new HybridMF({ loss: "warp", epochs: 30, components: 16, threads: 1 }), weight: 0.4 },
      ]),
  },
  {
    implementation: "RatingStackModel",
    name: "rating-stack (mse + logistic + rate logit)",
    factory: () =>
      new RatingStackModel(
        [
          { model: new HybridMF({ loss: "mse", components: 8, epochs: 20, learningRate: 0.05, userAlpha: 0.01, itemAlpha: 0.01 }) },
          { model: new HybridMF({ loss: "logistic", components: 8, epochs: 10 }) },
          { model: new RateLogitModel(5) },
        ],
        { validPerUser: 2 },
      ),
    opts: { ...ratingClassifier, skip: { similarities: "a stack of rating classifiers: it scores (user, item) pairs and has no item-to-item similarity" } },
  },
  {
    implementation: "RateLogitModel",
    name: "rate-logit",
    factory: () => new RateLogitModel(5),
    opts: {
      ...ratingClassifier,
      skip: {
        learns:
          "not personalised: a user's rate logit is the same for all their items, so it ranks every user's items alike and cannot prefer a user's own group (rating-stack.test.ts checks the logits it is used for)",
        history: "scores from the user's and the item's positive rates learnt in fit; an unknown user's history is not used",
        similarities: "not personalised: it has no notion of item-to-item similarity",
      },
    },
  },
];

/** Implementations that cannot take the suite at all, with the reason. */
const WHOLE_MODEL_SKIPS: Record<string, string> = {
  MemoScores:
    "wraps a model that is already fitted and refuses fit() by design; its scores are the wrapped model's, checked in memo-scores.test.ts",
};

for (const entry of MODELS) runConformance(entry.name, entry.factory, entry.opts);

describe("conformance coverage", () => {
  it("covers every Recommender implementation in trainer/model and every hybrid loss, or says why not", () => {
    const dir = join(import.meta.dirname, "../../../trainer/model");
    const implementations = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => [...readFileSync(join(dir, f), "utf8").matchAll(/export class (\w+) implements Recommender\b/g)].map((m) => m[1]));
    expect(implementations.length).toBeGreaterThanOrEqual(11);
    const covered = new Set([...MODELS.map((m) => m.implementation), ...Object.keys(WHOLE_MODEL_SKIPS)]);
    expect(implementations.filter((c) => !covered.has(c))).toEqual([]);
    expect([...covered].filter((c) => !implementations.includes(c))).toEqual([]);
    expect(HYBRID_LOSSES.filter((loss) => !MODELS.some((m) => m.name === `hybrid (${loss})`))).toEqual([]);
    expect([...HYBRID_LOSSES].sort()).toEqual(["bpr", "logistic", "mse", "warp", "warp-kos"]);
  });
});
