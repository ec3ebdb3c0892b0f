/**
 * Our hybrid factorisation contenders for bench:quality (every number chosen on the
 * validation split carved from train — data.validate — never on test):
 * - hybrid-warp: the hybrid model alone (WARP/BPR, identity + metadata features), random search;
 * - hybrid-blend: whatever wins on validation among those, EASE's λ, iALS, Mult-DAE (ML-100k;
 *   its fits cost minutes) and their blends (best of each kind, weights on a 0.1 simplex grid);
 * - hybrid-logistic (rating classification): logistic on ±1 labels, blended with a rate logit;
 * - rating-stack (rating classification): mse on the star ratings (+ genres, demographics),
 *   logistic on labels and the rate logit, stacked by a logistic regression (trainer/model/rating-stack.ts).
 * Tuning runs once per dataset/protocol (seed 0) and the chosen configuration is refit for
 * every seed, so "mean of 3 seeds" is the tuned configuration's mean.
 *
 * Run directly for the item cold-start comparison (features vs identity-only):
 *   npx tsx bench/contenders/hybrid.ts --cold-start [--json]
 */
import { fileURLToPath } from "node:url";
import type { ItemFeatureSet } from "../../trainer/features/item-features.ts";
import type { HybridParams } from "../../trainer/model/hybrid.ts";
import type { Recommender } from "../../trainer/model/model.ts";
import { BlendModel } from "../../trainer/model/blend.ts";
import { buildFromConfig, FeatureCache, type ModelConfig } from "../../trainer/tune/config.ts";
import { IALS_DEFAULTS } from "../../trainer/model/ials.ts";
import { MULTDAE_TUNE_DEFAULTS, tune, type TuneData, type TuneOptions } from "../../trainer/tune/search.ts";
import { createRng } from "../../trainer/util/rng.ts";
import { SEQUENCE_DATASETS, type Contender, type ContenderRun, type DatasetName, type ProtocolData, type ProtocolName } from "../lib/contender.ts";
import { sharedDataRoot } from "../lib/data-root.ts";

const log = (line: string) => process.stderr.write(line + "\n");

/** Search settings per dataset: Grocery fits cost minutes, so its search is small and focused. */
function searchFor(data: ProtocolData, kind: "factor" | "all" | "stack"): TuneOptions {
  const ranking = data.protocol !== "ua-rating-class";
  if (kind === "stack") return stackSearch();
  if (data.dataset === "amazon-grocery-2014") {
    // One fit costs minutes here: WARP with catalogue features at 32 and 64 components (epochs
    // by early stopping on dev), EASE, and their blends. The first three-seed run (03:29) also
    // offered EASE λ=300 (dev HR@10 0.0769 vs 0.0777 for λ=100) and iALS (0.0563); both got weight
    // 0 and the 4-member grid took 19 minutes, so they are left out; the wider WARP is new.
    const warp = { loss: "warp", learningRate: 0.05, schedule: "adagrad", userAlpha: 0, itemAlpha: 0, maxSampled: 10, normalization: "split", threads: 2 } as const;
    return {
      trials: 0,
      seed: 0,
      maxEpochs: 40,
      evalEvery: 10,
      patience: 1,
      candidates: [32, 64].map((components): ModelConfig => ({ model: "hybrid", params: { ...warp, components }, itemFeatures: ["related", "categories"], userFeatures: false })),
      easeLambdas: kind === "all" ? [100] : [],
      ials: [],
      blend: kind === "all",
      threads: 2,
    };
  }
  return {
    trials: 6,
    seed: 0,
    maxEpochs: ranking ? 80 : 40,
    evalEvery: 5,
    patience: 2,
    losses: ranking ? ["warp", "bpr"] : ["logistic"],
    componentChoices: [32, 64, 96],
    // Hashed title tokens cost 4× the fit time here for no validation gain in trial runs.
    featureChoices: [[], ["categories"]],
    easeLambdas: kind === "all" && ranking ? [200, 300, 500] : [],
    // iALS (a whole-matrix regression, unlike WARP/BPR) as a blend member. What matters is the
    // confidence α against the ridge λ, so the settings walk that ratio down at 32 components to
    // the model's default (64 components, α=3, λ=30: best alone on validation, see ials.ts).
    ials:
      kind === "all" && ranking
        ? [
            { ...IALS_DEFAULTS, components: 32, alpha: 20, lambda: 100 },
            { ...IALS_DEFAULTS, components: 32, alpha: 10, lambda: 60 },
            { ...IALS_DEFAULTS, components: 32, alpha: 3, lambda: 30 },
            IALS_DEFAULTS,
          ]
        : [],
    // Mult-DAE, the one non-linear member: with weights chosen on one of six ua.base folds and
    // scored on the other five, the blend reached P@10 0.1270 with it, 0.1258 without.
    multdae: kind === "all" && ranking ? [{ ...MULTDAE_TUNE_DEFAULTS, epochs: 150 }] : [],
    blend: kind === "all",
    // Weights chosen by NDCG@20 on those folds scored P@10 0.1276 on the other five against
    // 0.1270 when picked by P@10 itself, with half the spread.
    blendSelection: kind === "all" && data.protocol === "ua-min4" ? "ndcg@20" : undefined,
    stack: false,
  };
}

/**
 * Rating classification from the star ratings: a few explicit configurations instead of a
 * random search (each fit costs ~10 s here) — biased MF regression on the 1–5 ratings (mse)
 * with and without item genres + user demographics, and the logistic model on ±1 labels —
 * epochs by early stopping on validation, then a rating-stack of the best of each with the
 * rate logit, weights learnt on pairs the stack holds out of its own training data.
 */
function stackSearch(): TuneOptions {
  const hybrid = (params: Partial<HybridParams>, itemFeatures: ItemFeatureSet[], userFeatures: boolean): ModelConfig => ({
    model: "hybrid",
    params: { components: 32, learningRate: 0.02, schedule: "adagrad", threads: 1, ...params },
    itemFeatures,
    userFeatures,
  });
  return {
    trials: 0,
    seed: 0,
    maxEpochs: 40,
    evalEvery: 5,
    patience: 2,
    candidates: [
      hybrid({ loss: "mse", userAlpha: 0.02, itemAlpha: 0.02 }, ["categories"], true),
      hybrid({ loss: "mse", userAlpha: 0.05, itemAlpha: 0.05 }, ["categories"], true),
      hybrid({ loss: "mse", userAlpha: 0.01, itemAlpha: 0.01 }, [], false),
      hybrid({ loss: "mse", userAlpha: 0.02, itemAlpha: 0.02 }, [], false),
      hybrid({ loss: "logistic", learningRate: 0.05, userAlpha: 0.1, itemAlpha: 0.001 }, ["categories"], false),
      hybrid({ loss: "logistic", learningRate: 0.05, userAlpha: 0.1, itemAlpha: 0.001 }, ["categories"], true),
    ],
    easeLambdas: [],
    ials: [],
    blend: false,
    stack: true,
  };
}

function tuneData(data: ProtocolData, kind: "factor" | "all" | "stack"): TuneData {
  return {
    validTrain: data.validTrain,
    validate: data.validate,
    primary: data.primaryMetric,
    task: data.protocol === "ua-rating-class" ? "rating-class" : "ranking",
    items: data.items,
    // Ratings and user features go to the rating stack's search only: the other searches stay as they were measured.
    ...(kind === "stack" ? { validTrainRatings: data.ratings?.validTrain, userIds: data.userIds, userFeatures: data.userFeatures } : {}),
  };
}

/** A config's model fitted on the protocol's train split (blends member by member). */
async function fitConfig(config: ModelConfig, data: ProtocolData, seed: number): Promise<{ model: Recommender; fitSeconds: number; fitCpuSeconds: number }> {
  const c0 = process.cpuUsage();
  const features = new FeatureCache({ items: data.items, userIds: data.userIds, userFeatures: data.userFeatures });
  const t0 = performance.now();
  const fitOne = async (c: ModelConfig): Promise<Recommender> => {
    const built = buildFromConfig(c, features);
    await built.model.fit({ interactions: data.train, ratings: data.ratings?.train, rng: createRng(seed), ...built.extraFit });
    return built.model;
  };
  let model: Recommender;
  if (config.model === "blend") {
    const c = config as Extract<ModelConfig, { model: "blend" }>;
    const members = [];
    for (const m of c.members) members.push({ model: await fitOne(m.config), weight: m.weight });
    model = BlendModel.ofFitted(members, "blend", c.scaling);
  } else {
    model = await fitOne(config);
  }
  const cpu = process.cpuUsage(c0);
  return { model, fitSeconds: (performance.now() - t0) / 1000, fitCpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * The contender's search is the hybrid/EASE/iALS/Mult-DAE blend these results were measured
 * with: item-kNN, RP3beta and popularity are contenders of their own here, and the blend keeps
 * all five of its kinds.
 */
const CONTENDER_FAMILIES = { popularity: false, itemKnn: [], rp3beta: [], maxBlendMembers: 5 } satisfies Partial<TuneOptions>;

const chosenCache = new Map<string, ModelConfig>();
/** Models fitted during tuning on validTrain, reusable as the seed-0 model when validTrain is train. */
const tunedModels = new Map<string, Recommender>();

async function tunedRun(name: string, data: ProtocolData, seed: number, kind: "factor" | "all" | "stack"): Promise<ContenderRun> {
  const key = `${name}|${data.dataset}|${data.protocol}`;
  let config = chosenCache.get(key);
  if (!config) {
    const opts = searchFor(data, kind);
    const result = await tune(tuneData(data, kind), {
      ...CONTENDER_FAMILIES,
      ...opts,
      onProgress: ({ trial: t, done, total, note }) =>
        t && !note ? log(`  tune ${data.dataset}/${data.protocol} ${name} [${done}/${total}] valid ${data.primaryMetric}=${t.score.toFixed(4)} ${t.description} (${t.seconds.toFixed(1)} s)`) : undefined,
    });
    config = result.best.config;
    if (data.validTrainIsTrain && result.bestModel) tunedModels.set(key, result.bestModel);
    log(`  ${name} chose on validation: ${result.best.description} (valid ${data.primaryMetric}=${result.best.score.toFixed(4)})`);
    chosenCache.set(key, config);
  }
  const reusable = seed === 0 ? tunedModels.get(key) : undefined;
  if (reusable) return { model: reusable, fitted: true, chosen: config as Record<string, unknown> };
  const { model, fitSeconds, fitCpuSeconds } = await fitConfig(config, data, seed);
  return { model, fitted: true, fitSeconds, fitCpuSeconds, chosen: config as Record<string, unknown> };
}

// Not on the sequence sets: their factor searches are slow there and were never tuned for them.
const rankingOnly = (d: DatasetName, p: ProtocolName) => p !== "ua-rating-class" && !SEQUENCE_DATASETS.includes(d);

export const contenders: Contender[] = [
  {
    name: "hybrid-warp",
    seeded: true,
    appliesTo: (d, p) => rankingOnly(d, p) && d !== "amazon-gift-cards-2018",
    build: (data, seed) => tunedRun("hybrid-warp", data, seed, "factor"),
  },
  {
    name: "hybrid-blend",
    seeded: true,
    appliesTo: (d, p) => rankingOnly(d, p) && d !== "amazon-gift-cards-2018",
    build: (data, seed) => tunedRun("hybrid-blend", data, seed, "all"),
  },
  {
    name: "hybrid-logistic",
    seeded: true,
    appliesTo: (_d, p) => p === "ua-rating-class",
    build: (data, seed) => tunedRun("hybrid-logistic", data, seed, "all"),
  },
  {
    name: "rating-stack",
    seeded: true,
    appliesTo: (_d, p) => p === "ua-rating-class",
    build: (data, seed) => tunedRun("rating-stack", data, seed, "stack"),
  },
];

/**
 * Item cold start: all interactions of 20% of the items (seeded) are held out; the model never
 * sees those items, so it can only score them from metadata. Hybrid WARP with item features vs
 * the same model with identity features only (which cannot tell cold items apart).
 */
export async function runColdStart(json: boolean, withGrocery: boolean): Promise<void> {
  const { existsSync } = await import("node:fs");
  const { loadSplitFiles } = await import("../../trainer/data/load.ts");
  const { interactionsToCsr } = await import("../../trainer/data/interactions-matrix.ts");
  const { csrFromCoo } = await import("../../trainer/data/matrix.ts");
  const { itemColdStart } = await import("../../trainer/eval/splits.ts");
  const { evaluateRanking } = await import("../../trainer/eval/ranking.ts");
  const { buildItemFeatures } = await import("../../trainer/features/item-features.ts");
  const { HybridMF } = await import("../../trainer/model/hybrid.ts");
  const { datasetFiles } = await import("../lib/protocols.ts");
  const sets = [
    {
      name: "movielens-100k ua.base, ratings>=4",
      files: datasetFiles["movielens-100k"],
      load: async () => {
        const [base, , meta] = datasetFiles["movielens-100k"];
        const { dataset, train } = await loadSplitFiles({ train: base }, { format: "delimited", delimiter: "\t", header: false, columns: { user: 0, item: 1, rating: 2, time: 3 }, items: meta, itemsFormat: "movielens-item" });
        return { dataset, x: train, minRating: 4 as number | undefined, sets: ["categories", "text"] as const, params: { components: 32, epochs: 30 } };
      },
    },
    ...(withGrocery
      ? [
          {
            name: "amazon-grocery-2014 train.csv",
            files: datasetFiles["amazon-grocery-2014"],
            load: async () => {
              const [trainF, , , meta] = datasetFiles["amazon-grocery-2014"];
              const { dataset, train } = await loadSplitFiles({ train: trainF }, { format: "delimited", items: meta, itemsFormat: "rechorus-meta" });
              return { dataset, x: train, minRating: undefined, sets: ["related", "categories"] as const, params: { components: 32, epochs: 20 } };
            },
          },
        ]
      : []),
  ];
  const rows: string[] = [];
  for (const set of sets) {
    if (set.files.some((f) => !existsSync(f))) {
      log(`cold start: ${set.name}: data not found under ${sharedDataRoot} (skipped)`);
      continue;
    }
    const { dataset, x, minRating, sets: featureSets, params } = await set.load();
    const matrix = (i: typeof x) => (minRating !== undefined ? interactionsToCsr(i, { kind: "positives", threshold: minRating }) : interactionsToCsr(i, { kind: "ones" }));
    const itemFeatures = buildItemFeatures(dataset.items, { sets: [...featureSets] }).matrix;
    const results: Record<string, number[][]> = { features: [], identity: [] };
    for (const seed of [0, 1, 2]) {
      const split = itemColdStart(x, 0.2, createRng(seed));
      const train = matrix(split.train);
      const test = matrix(split.test);
      // Rank the cold items among themselves (as in the LightFM paper): warm items are excluded.
      const cold = new Uint8Array(train.nCols);
      for (const i of split.coldItems) cold[i] = 1;
      const warm = Int32Array.from({ length: train.nCols }, (_, i) => i).filter((i) => !cold[i]);
      const exclude = csrFromCoo(train.nRows, train.nCols, new Int32Array(train.nRows * warm.length).map((_, p) => Math.floor(p / warm.length)), new Int32Array(train.nRows * warm.length).map((_, p) => warm[p % warm.length]));
      for (const variant of ["features", "identity"] as const) {
        const model = new HybridMF({ loss: "warp", ...params });
        await model.fit({ interactions: train, rng: createRng(seed), itemFeatures: variant === "features" ? itemFeatures : undefined });
        const m = evaluateRanking(model, { train, test, exclude: [exclude], ks: [10] });
        results[variant].push([m.auc, m["p@10"], m["r@10"]]);
        log(`  cold start ${set.name} seed ${seed} ${variant}: auc ${m.auc.toFixed(4)} p@10 ${m["p@10"].toFixed(4)}`);
      }
    }
    for (const variant of ["features", "identity"] as const) {
      const mean = (j: number) => results[variant].reduce((a, r) => a + r[j], 0) / results[variant].length;
      const label = variant === "features" ? `hybrid WARP + item features (${featureSets.join("+")})` : "hybrid WARP, identity only";
      if (json) {
        console.log(JSON.stringify({ bench: "cold-start", dataset: set.name, protocol: "item-cold-start 20% of items", model: label, seeds: [0, 1, 2], metrics: { auc: mean(0), "p@10": mean(1), "r@10": mean(2) } }));
      } else {
        rows.push(`| ${set.name} | ${label} | ${mean(0).toFixed(4)} | ${mean(1).toFixed(4)} | ${mean(2).toFixed(4)} |`);
      }
    }
  }
  if (!json && rows.length) {
    console.log("Item cold start (all interactions of 20% of items held out; each user's held-out positives ranked among the cold items; mean of seeds 0,1,2)");
    console.log("| data | model | AUC | P@10 | R@10 |\n|---|---|---|---|---|");
    console.log(rows.join("\n"));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes("--cold-start")) {
  await runColdStart(process.argv.includes("--json"), process.argv.includes("--grocery"));
}
