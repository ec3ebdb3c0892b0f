import type { CsrMatrix } from "../data/matrix.ts";
import type { Metrics } from "../eval/ranking.ts";
import { ALL_ITEM_FEATURE_SETS, type ItemFeatureSet } from "../features/item-features.ts";
import type { HybridLoss, HybridParams } from "../model/hybrid.ts";
import { IALS_DEFAULTS } from "../model/ials.ts";
import { MemoScores } from "../model/memo-scores.ts";
import type { Recommender } from "../model/model.ts";
import { MULTDAE_DEFAULTS } from "../model/multdae.ts";
import { createRng, type Rng } from "../util/rng.ts";
import { buildFromConfig, describeConfig, FeatureCache, type FeatureSource, type ModelConfig } from "./config.ts";

/** What tuning sees: training data with a validation split carved from it (never test). */
export interface TuneData extends FeatureSource {
  /** Fit candidates on this (train minus validation). */
  validTrain: CsrMatrix;
  /** Metrics of a model fitted on validTrain, on the validation split. */
  validate(model: Recommender): Metrics;
  /** The metric maximised, e.g. "p@10", "hr@10", "auc", "pairAuc". */
  primary: string;
  /** "ranking" (WARP/BPR/EASE/blends) or "rating-class" (logistic/mse on ±1 labels or ratings). */
  task: "ranking" | "rating-class";
  /** Rating-class only: validTrain with ratings as values, for the mse loss (optional). */
  validTrainRatings?: CsrMatrix;
  /**
   * Splits that choose the blend weights instead of the validation split (ranking): the blend's
   * members are fit on each fold's train and the grid is ranked by the selection metric averaged
   * over the folds. Folds that hold out a few ratings per user keep their train close to the
   * data the final model is fit on, and pooling several of them counts as many positives as one
   * larger hold-out. The pick still joins the leaderboard with its validation-split metrics.
   * On ML-100k they chose no better than the validation split (bench/nested-study.ts).
   */
  blendFolds?: BlendFold[];
}

/** One split of the training data for choosing blend weights: fit on `train`, score with `validate`. */
export interface BlendFold {
  train: CsrMatrix;
  validate(model: Recommender): Metrics;
}

export interface TuneOptions {
  /** Random hybrid configurations to try. */
  trials: number;
  seed: number;
  /** Upper bound on epochs; early stopping picks the epoch count. */
  maxEpochs: number;
  /** Validate every this many epochs; stop after `patience` checks without improvement. */
  evalEvery: number;
  patience: number;
  losses?: HybridLoss[];
  /** Feature sets to choose among (default: none, all, and each single set present). */
  featureChoices?: ItemFeatureSet[][];
  userFeatureChoices?: boolean[];
  componentChoices?: number[];
  /** Hybrid parameters fixed instead of sampled (e.g. when only one trial is affordable). */
  fixed?: Partial<HybridParams>;
  /** EASE λ values tried (ranking only; [] = no EASE). */
  easeLambdas?: number[];
  /** iALS settings tried (ranking only; default one setting, [] = no iALS). Blends take the best one. */
  ials?: Array<Record<string, number>>;
  /**
   * Mult-DAE settings tried (ranking only; default none: a fit costs minutes). Epochs by early
   * stopping, up to the setting's `epochs` (else maxEpochs). Blends take the best one.
   */
  multdae?: Array<Record<string, number>>;
  /** Try blends of the best models (EASE + factor models, or logistic + rate logit). */
  blend?: boolean;
  /**
   * The validation metric that picks the blend weights (default: the primary metric, and every
   * grid point joins the leaderboard). Another one (e.g. "ndcg@20", which counts more positives
   * and rewards their order) picks with less noise; then only its pick joins the leaderboard,
   * scored by the primary metric like every other trial.
   */
  blendSelection?: string;
  /** Hybrid configurations tried as they are (epochs still by early stopping), besides the random trials. */
  candidates?: ModelConfig[];
  /**
   * Rating classification: also try a rating-stack of the best model of each pointwise loss
   * (mse on ratings, logistic on labels) and the rate logit (default true).
   */
  stack?: boolean;
  threads?: number;
  /** Stop starting new trials after this many seconds (the running one finishes). */
  timeBudgetSeconds?: number;
  onTrial?: (trial: Trial, done: number, total: number) => void;
  onEpoch?: (trialIndex: number, epoch: number, maxEpochs: number) => void;
  /** After each blend fold's members are refit and its grid scored (TuneData.blendFolds: minutes each). */
  onBlendFold?: (done: number, total: number, seconds: number) => void;
}

export interface Trial {
  config: ModelConfig;
  description: string;
  score: number;
  metrics: Metrics;
  /** Per validation check: epoch and primary metric (hybrid trials). */
  curve?: Array<{ epoch: number; score: number; loss?: number }>;
  seconds: number;
}

export interface TuneResult {
  /** Best first. */
  leaderboard: Trial[];
  best: Trial;
  /**
   * The best trial's model as fitted on validTrain, when that fit is exactly its config
   * (EASE, blends of refit members; not early-stopped hybrids, which ran past their best epoch).
   * When validTrain is the final training set this saves refitting.
   */
  bestModel?: Recommender;
}

/** The iALS setting the search tries when none are given: the model's own defaults. */
export const DEFAULT_IALS: Record<string, number> = IALS_DEFAULTS;
/** Mult-DAE settings for a given hidden size: the model's own defaults, less `epochs`, which early stopping picks. */
export const MULTDAE_TUNE_DEFAULTS: Record<string, number> = (({ epochs: _epochs, ...rest }) => rest)(MULTDAE_DEFAULTS);
const IALS_DEFAULT_MAX_ITEMS = 50_000;

const LOG_UNIFORM = (rng: Rng, lo: number, hi: number) => Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

/** Samples one hybrid configuration from the search space. */
export function sampleHybrid(rng: Rng, data: TuneData, opts: TuneOptions): ModelConfig {
  const losses: HybridLoss[] = opts.losses ?? (data.task === "ranking" ? ["warp", "bpr", "warp-kos"] : data.validTrainRatings ? ["logistic", "mse"] : ["logistic"]);
  const loss = pick(rng, losses);
  const alphaChoices = data.task === "ranking" ? [0, 1e-6, 1e-5, 1e-4, 1e-3] : [1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];
  const params: Partial<HybridParams> = {
    loss,
    components: pick(rng, opts.componentChoices ?? [16, 32, 64, 96]),
    learningRate: +LOG_UNIFORM(rng, 0.01, 0.1).toPrecision(2),
    schedule: rng.next() < 0.8 ? "adagrad" : "adadelta",
    userAlpha: pick(rng, alphaChoices),
    itemAlpha: pick(rng, alphaChoices),
    epochs: opts.maxEpochs,
    threads: opts.threads ?? 1,
  };
  if (loss === "warp" || loss === "warp-kos") params.maxSampled = pick(rng, [10, 20, 50]);
  Object.assign(params, opts.fixed ?? {});
  if (params.schedule === "adadelta") delete params.learningRate;
  const available = ALL_ITEM_FEATURE_SETS.filter((s) => hasFeatureSet(data, s));
  const featureChoices = opts.featureChoices ?? [[], available, ...available.map((s) => [s])];
  const itemFeatures = data.items ? pick(rng, featureChoices) : [];
  const userFeatures = data.userFeatures ? pick(rng, opts.userFeatureChoices ?? [false, true]) : false;
  if (itemFeatures.length || userFeatures) params.normalization = rng.next() < 0.8 ? "split" : "l1";
  return { model: "hybrid", params, itemFeatures, userFeatures };
}

function hasFeatureSet(data: TuneData, set: ItemFeatureSet): boolean {
  const items = data.items ?? [];
  const has = (f: (m: (typeof items)[number]) => unknown) => items.some((m) => f(m));
  if (set === "categories") return has((m) => m.categories?.length);
  if (set === "brand") return has((m) => m.brand);
  if (set === "price") return has((m) => m.price !== undefined);
  if (set === "text") return has((m) => m.title || m.description);
  return has((m) => m.alsoBuy?.length || m.alsoView?.length);
}

/**
 * Seeded random search with early stopping on the validation split, plus EASE's λ and
 * blends of the winners — whichever scores best on validation wins. Nothing here sees test.
 */
export async function tune(data: TuneData, opts: TuneOptions): Promise<TuneResult> {
  const rng = createRng(opts.seed);
  const features = new FeatureCache(data);
  const trials: Trial[] = [];
  const fitted = new Map<Trial, Recommender>();
  const started = performance.now();
  const overBudget = () => opts.timeBudgetSeconds !== undefined && (performance.now() - started) / 1000 > opts.timeBudgetSeconds;
  const easeLambdas = data.task === "ranking" ? (opts.easeLambdas ?? [100, 300, 1000]) : [];
  const candidates = opts.candidates ?? [];
  // By default iALS only on catalogues where its k×k solves per item stay seconds, not minutes.
  const ialsSettings = data.task === "ranking" ? (opts.ials ?? (data.validTrain.nCols <= IALS_DEFAULT_MAX_ITEMS ? [DEFAULT_IALS] : [])) : [];
  const daeSettings = data.task === "ranking" ? (opts.multdae ?? []) : [];
  const total = opts.trials + candidates.length + easeLambdas.length + ialsSettings.length + daeSettings.length;
  let done = 0;
  const record = (t: Trial, model: Recommender) => {
    trials.push(t);
    fitted.set(t, model);
    opts.onTrial?.(t, ++done, total);
  };

  for (let t = 0; t < opts.trials && !overBudget(); t++) {
    const config = sampleHybrid(rng, data, opts);
    const trial = await runIterativeTrial(config, data, features, opts, t);
    record(trial.trial, trial.model);
  }
  for (const [k, config] of candidates.entries()) {
    if (overBudget()) break;
    if (config.model !== "hybrid") throw new Error(`tune: candidates must be hybrid configurations, got "${config.model}"`);
    const trial = await runIterativeTrial(config, data, features, opts, opts.trials + k);
    record(trial.trial, trial.model);
  }
  const closedForm: ModelConfig[] = [
    ...easeLambdas.map((lambda): ModelConfig => ({ model: "ease", params: { lambda } })),
    ...ialsSettings.map((params): ModelConfig => ({ model: "ials", params })),
  ];
  for (const config of closedForm) {
    if (overBudget()) break;
    const t0 = performance.now();
    const { model } = buildFromConfig(config, features);
    await model.fit({ interactions: data.validTrain, rng: createRng(opts.seed) });
    const metrics = data.validate(model);
    record({ config, description: describeConfig(config), score: metrics[data.primary], metrics, seconds: (performance.now() - t0) / 1000 }, model);
  }
  for (const [k, params] of daeSettings.entries()) {
    if (overBudget()) break;
    const config: ModelConfig = { model: "multdae", params: { ...params, epochs: params.epochs ?? opts.maxEpochs } };
    // Adam at a small rate climbs slowly and noisily: check less often, wait longer before stopping.
    const checks = { ...opts, evalEvery: Math.max(opts.evalEvery, 10), patience: Math.max(opts.patience, 3) };
    const trial = await runIterativeTrial(config, data, features, checks, opts.trials + candidates.length + k);
    record(trial.trial, trial.model);
  }
  if (data.task === "rating-class") {
    const config: ModelConfig = { model: "rate-logit", params: { prior: 5 } };
    const t0 = performance.now();
    const { model } = buildFromConfig(config, features);
    await model.fit({ interactions: data.validTrain, rng: createRng(opts.seed) });
    const metrics = data.validate(model);
    record({ config, description: describeConfig(config), score: metrics[data.primary], metrics, seconds: (performance.now() - t0) / 1000 }, model);
  }
  if (data.task === "rating-class" && opts.stack !== false && !overBudget()) {
    const stacked = await tryRatingStack(data, opts, trials, features);
    if (stacked) record(stacked.trial, stacked.model);
  }
  if (opts.blend !== false) await tryBlends(data, opts, trials, fitted, features);
  const leaderboard = [...trials].filter((t) => Number.isFinite(t.score)).sort((a, b) => b.score - a.score);
  if (leaderboard.length === 0) throw new Error("tune: no trial produced a finite validation score; check the data (does validation have positives?)");
  const best = leaderboard[0];
  return { leaderboard, best, bestModel: isIterative(best.config) ? undefined : fitted.get(best) };
}

/** Models trained epoch by epoch, whose tuning fit runs past the best epoch (early stopping's patience). */
const isIterative = (config: ModelConfig) => config.model === "hybrid" || config.model === "multdae";

/** Fits one iterative configuration (hybrid, Mult-DAE) with early stopping; its config's epochs become the best epoch. */
async function runIterativeTrial(config: ModelConfig, data: TuneData, features: FeatureCache, opts: TuneOptions, index: number): Promise<{ trial: Trial; model: Recommender }> {
  const c = config as { model: string; params: Record<string, unknown> };
  const maxEpochs = Number(c.params.epochs ?? opts.maxEpochs);
  const t0 = performance.now();
  const { model, extraFit } = buildFromConfig(config, features);
  const curve: NonNullable<Trial["curve"]> = [];
  let best = { epoch: 0, score: -Infinity, metrics: {} as Metrics };
  let bad = 0;
  try {
    await model.fit({
      interactions: data.validTrain,
      ratings: data.validTrainRatings,
      rng: createRng(opts.seed + index),
      ...extraFit,
      onEpoch: (epoch, info) => {
        opts.onEpoch?.(index, epoch, maxEpochs);
        if (epoch % opts.evalEvery !== 0 && epoch !== maxEpochs) return;
        const metrics = data.validate(model);
        const score = metrics[data.primary];
        curve.push({ epoch, score, loss: info.loss });
        if (score > best.score) {
          best = { epoch, score, metrics };
          bad = 0;
        } else if (++bad >= opts.patience) {
          return true;
        }
      },
    });
  } catch (err) {
    // A diverging configuration is a result (a bad one), not a reason to stop the search.
    best = { epoch: 0, score: -Infinity, metrics: { error: NaN } };
    curve.push({ epoch: 0, score: NaN });
    void err;
  }
  const chosen = { ...c, params: { ...c.params, epochs: Math.max(1, best.epoch) } } as ModelConfig;
  return {
    trial: { config: chosen, description: describeConfig(chosen), score: best.score, metrics: best.metrics, curve, seconds: (performance.now() - t0) / 1000 },
    model,
  };
}

/**
 * Rating classification: a rating-stack of the best hybrid of each pointwise loss (mse learns
 * the stars, logistic the ±1 labels) plus the rate logit. The stack learns its weights on
 * pairs it holds out of validTrain itself, so its validation score is as honest as any trial's.
 */
async function tryRatingStack(data: TuneData, opts: TuneOptions, trials: Trial[], features: FeatureCache): Promise<{ trial: Trial; model: Recommender } | undefined> {
  const ranked = [...trials].filter((t) => Number.isFinite(t.score) && t.config.model === "hybrid").sort((a, b) => b.score - a.score);
  // Per loss: the best trial, and the best one with other features (a different view helps a stack more than a near-copy).
  const chosen = new Map<string, ModelConfig[]>();
  const featureKey = (c: ModelConfig) => {
    const h = c as Extract<ModelConfig, { model: "hybrid" }>;
    return `${[...(h.itemFeatures ?? [])].sort().join(",")}|${h.userFeatures ?? false}`;
  };
  for (const t of ranked) {
    const loss = String((t.config as { params: { loss?: string } }).params.loss);
    const list = chosen.get(loss) ?? [];
    if (list.length === 0 || (list.length === 1 && featureKey(list[0]) !== featureKey(t.config))) list.push(t.config);
    chosen.set(loss, list);
  }
  if (chosen.size === 0) return undefined;
  const config: ModelConfig = { model: "rating-stack", params: {}, members: [...[...chosen.values()].flat(), { model: "rate-logit", params: { prior: 5 } }] };
  const t0 = performance.now();
  const { model } = buildFromConfig(config, features);
  try {
    await model.fit({ interactions: data.validTrain, ratings: data.validTrainRatings, rng: createRng(opts.seed) });
  } catch (err) {
    // Too few rated pairs per user to hold any out, or one class only: no stack, the search goes on.
    void err;
    return undefined;
  }
  const metrics = data.validate(model);
  return { trial: { config, description: describeConfig(config), score: metrics[data.primary], metrics, seconds: (performance.now() - t0) / 1000 }, model };
}

/**
 * Blends on validation: the best factor model of each loss with the best EASE (ranking), or
 * the best pointwise model with the rate logit (rating classification), weights on a grid.
 * Members are re-fit at their chosen epoch count so the blend is what training will build.
 */
async function tryBlends(data: TuneData, opts: TuneOptions, trials: Trial[], fitted: Map<Trial, Recommender>, features: FeatureCache): Promise<void> {
  const ranked = [...trials].filter((t) => Number.isFinite(t.score)).sort((a, b) => b.score - a.score);
  const hybrids = ranked.filter((t) => t.config.model === "hybrid");
  // The best model of each other kind: EASE, iALS and Mult-DAE (ranking), the rate logit (rating classification).
  const otherKinds = data.task === "ranking" ? ["ease", "ials", "multdae"] : ["rate-logit"];
  const others = otherKinds.map((kind) => ranked.find((t) => t.config.model === kind)).filter((t): t is Trial => t !== undefined);
  if (hybrids.length === 0 || others.length === 0) return;
  // Best hybrid per loss family (up to two).
  const families = new Map<string, Trial>();
  for (const t of hybrids) {
    const loss = String((t.config as { params: { loss?: string } }).params.loss);
    if (!families.has(loss) && families.size < 2) families.set(loss, t);
  }
  const members: Array<{ trial: Trial; model: Recommender }> = [];
  for (const t of [...families.values(), ...others]) {
    if (!isIterative(t.config)) {
      members.push({ trial: t, model: fitted.get(t)! });
      continue;
    }
    // Early stopping ran past the best epoch: refit at the chosen epoch count.
    const { model, extraFit } = buildFromConfig(t.config, features);
    await model.fit({ interactions: data.validTrain, ratings: data.validTrainRatings, rng: createRng(opts.seed), ...extraFit });
    members.push({ trial: t, model });
  }
  const scaling = data.task === "ranking" ? "per-user" : "none";
  // Validation scoring is cheap next to fitting, so every grid point is tried.
  const grid = blendWeightGrid(members.length);
  const { BlendModel } = await import("../model/blend.ts");
  // Every grid point scores the same members again: remember their rows when that fits in memory.
  const memo = MemoScores.affordable(data.validTrain.nRows, data.validTrain.nCols);
  const parts = memo ? members.map((p) => ({ ...p, model: new MemoScores(p.model) })) : members;
  const selection = opts.blendSelection ?? data.primary;
  const blendOf = (models: Recommender[], weights: number[]) => new BlendModel(models.map((model, k) => ({ model, weight: weights[k] })), "blend", scaling);
  const candidate = (weights: number[]): { trial: Trial; blend: Recommender } => {
    const t0 = performance.now();
    const blend = blendOf(parts.map((p) => p.model), weights);
    const metrics = data.validate(blend);
    if (!(selection in metrics)) throw new Error(`tune: blendSelection "${selection}" is not among the validation metrics (${Object.keys(metrics).join(", ")}); choose one of those`);
    const config: ModelConfig = { model: "blend", scaling, members: parts.map((p, k) => ({ weight: weights[k], config: p.trial.config })).filter((m) => m.weight > 0) };
    return { trial: { config, description: describeConfig(config), score: metrics[data.primary], metrics, seconds: (performance.now() - t0) / 1000 }, blend };
  };
  let chosen: Array<{ trial: Trial; blend: Recommender }>;
  if (data.blendFolds?.length) {
    if (data.task !== "ranking") throw new Error("tune: blendFolds choose ranking blends; rating-class blends are chosen on the validation pairs");
    const pooled = await poolBlendFolds(data.blendFolds, members, grid, selection, opts, features, blendOf);
    chosen = [candidate(grid[pooled.indexOf(Math.max(...pooled))])];
  } else {
    const candidates = grid.map(candidate);
    chosen = selection === data.primary ? candidates : [candidates.reduce((a, b) => (b.trial.metrics[selection] > a.trial.metrics[selection] ? b : a))];
  }
  for (const { trial, blend } of chosen) {
    trials.push(trial);
    fitted.set(trial, blend);
  }
}

/** The selection metric of every grid point, averaged over the blend folds (members fit on each fold's train). */
async function poolBlendFolds(
  folds: BlendFold[],
  members: Array<{ trial: Trial }>,
  grid: number[][],
  selection: string,
  opts: TuneOptions,
  features: FeatureCache,
  blendOf: (models: Recommender[], weights: number[]) => Recommender,
): Promise<Float64Array> {
  const pooled = new Float64Array(grid.length);
  for (const [f, fold] of folds.entries()) {
    const t0 = performance.now();
    const models: Recommender[] = [];
    for (const { trial } of members) {
      const { model, extraFit } = buildFromConfig(trial.config, features);
      await model.fit({ interactions: fold.train, rng: createRng(opts.seed), ...extraFit });
      models.push(MemoScores.affordable(fold.train.nRows, fold.train.nCols) ? new MemoScores(model) : model);
    }
    for (const [g, weights] of grid.entries()) {
      const metrics = fold.validate(blendOf(models, weights));
      if (!(selection in metrics)) throw new Error(`tune: blend fold ${f + 1}'s metrics (${Object.keys(metrics).join(", ")}) lack the blend selection metric "${selection}"; compute it there too`);
      pooled[g] += metrics[selection] / folds.length;
    }
    opts.onBlendFold?.(f + 1, folds.length, (performance.now() - t0) / 1000);
  }
  return pooled;
}

/** The weights a blend search tries over n members: the 0.1 simplex grid, at least two members in each (one alone is that member's own trial). */
export function blendWeightGrid(n: number): number[][] {
  return simplexGrid(n, 10).filter((w) => w.filter((x) => x > 0).length >= 2);
}

/** Every weight vector of n entries in steps of 1/steps that sums to 1. */
export function simplexGrid(n: number, steps: number): number[][] {
  const counts = (parts: number, total: number): number[][] =>
    parts === 1 ? [[total]] : Array.from({ length: total + 1 }, (_, a) => counts(parts - 1, total - a).map((rest) => [a, ...rest])).flat();
  return counts(n, steps).map((c) => c.map((x) => +(x / steps).toFixed(6)));
}
