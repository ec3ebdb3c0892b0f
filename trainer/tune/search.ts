import { ALL_ITEM_FEATURE_SETS, type ItemFeatureSet } from "../features/item-features.ts";
import { EaseModel, MAX_ITEMS as EASE_MAX_ITEMS } from "../model/ease.ts";
import type { Metrics } from "../eval/ranking.ts";
import type { HybridLoss, HybridParams } from "../model/hybrid.ts";
import { IALS_DEFAULTS, IalsModel } from "../model/ials.ts";
import type { Recommender } from "../model/model.ts";
import { MULTDAE_DEFAULTS } from "../model/multdae.ts";
import { SlistModel } from "../model/slist.ts";
import { createRng, type Rng } from "../util/rng.ts";
import { blendWeightGrid, refitSeconds, searchBlends } from "./blend-search.ts";
import type { Trial, TuneData } from "./types.ts";
import { buildFromConfig, describeConfig, FeatureCache, type ModelConfig } from "./config.ts";
import { registeredTuneFamilies, roundRobin, type FamilyContext, type TuneFamily } from "./families.ts";
import { continueByHalving, FIRST_RUNG_CHECKS, HalvingState } from "./halving.ts";
import { IterativeTrial, type IterativeOutcome, type TrialRunner } from "./iterative-trial.ts";
import { JobSlots, RemoteTrial } from "./remote-trial.ts";
import { SlistFits, slistFamily } from "./order-aware.ts";
import { validTrainInput } from "./prepare.ts";
import { collectGarbage } from "../util/collect-garbage.ts";

export interface TuneOptions {
  /** Random hybrid configurations to try. */
  trials: number;
  /** Seeds the sampled configurations and every fit: a trial is fit exactly as `train --config … --seed` refits it. */
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
  /** Ranking: try the popularity baseline (default true). */
  popularity?: boolean;
  /** Item-kNN settings tried (ranking; default DEFAULT_ITEMKNN, [] = none). */
  itemKnn?: Array<Record<string, number>>;
  /** RP3beta settings tried (ranking; default DEFAULT_RP3BETA, [] = none). */
  rp3beta?: Array<Record<string, number>>;
  /** EASE λ values tried (ranking only; [] = no EASE; catalogues above EASE's item limit get none). */
  easeLambdas?: number[];
  /** iALS settings tried (ranking only; default one setting, [] = no iALS). */
  ials?: Array<Record<string, number>>;
  /**
   * Mult-DAE settings tried (ranking only). Epochs by early stopping, up to the setting's
   * `epochs` (else maxEpochs). Default: one setting when a time budget is set and its estimated
   * epoch time fits it (see multdaeEpochSeconds), else none.
   */
  multdae?: Array<Record<string, number>>;
  /** SLIST settings tried (ranking data with times; default DEFAULT_SLIST, [] = none). */
  slist?: Array<Record<string, number>>;
  /** More families (e.g. order-aware models), besides those registered with registerTuneFamily. */
  families?: TuneFamily[];
  /** Only these families (by name, see BUILT_IN_FAMILIES); default every family that applies. */
  only?: string[];
  /**
   * Successive halving of iterative trials (default true): each fits up to its second
   * validation check, then only the better half of each blend kind (hybrids per loss) goes on
   * to twice the checks, and so on; the last one left in its kind runs to early stopping.
   */
  successiveHalving?: boolean;
  /** Try blends of the best model of each family (default true). */
  blend?: boolean;
  /** Members of a blend: the best model of each family, at most this many, best first (default 4). */
  maxBlendMembers?: number;
  /**
   * The validation metric that picks the blend weights (default: the primary metric, and every
   * grid point joins the leaderboard). Another one (e.g. "ndcg@20", which counts more positives
   * and rewards their order) picks with less noise; then only its pick joins the leaderboard,
   * scored by the primary metric like every other trial.
   */
  blendSelection?: string;
  /** Bytes the blend search may spend remembering member scores (default 1 GiB). */
  memoBudgetBytes?: number;
  /** Hybrid configurations tried as they are (epochs still by early stopping), besides the random trials. */
  candidates?: ModelConfig[];
  /**
   * Rating classification: also try a rating-stack of the best model of each pointwise loss
   * (mse on ratings, logistic on labels) and the rate logit (default true).
   */
  stack?: boolean;
  threads?: number;
  /**
   * Hybrid trials fitted at once, each in its own worker thread (default 1: every fit on this
   * thread). Applies without a time budget, to data that carries its recipe (prepare() keeps
   * it); each trial fits and scores exactly as on this thread and outcomes are taken in
   * schedule order, so the search picks the same whatever the number.
   */
  jobs?: number;
  /**
   * Wall-clock seconds for the whole search: trials, baselines and the blend. Every family gets
   * its first trial before any gets a second; an iterative fit stops when its share is spent;
   * what did not fit is listed in the result's `skipped`.
   */
  timeBudgetSeconds?: number;
  /** Trials of an earlier run of the same search (its leaderboard): not run again. */
  resume?: Trial[];
  onProgress?: (progress: TuneProgress) => void;
  /** After every trial (and the blend): the trials so far, for a partial leaderboard. */
  onLeaderboard?: (snapshot: { trials: Trial[]; skipped: string[] }) => void;
  onEpoch?: (family: string, epoch: number, maxEpochs: number) => void;
  /** Seconds since some origin (default performance.now()/1000); tests inject a clock. */
  clock?: () => number;
}

export interface TuneProgress {
  phase: "trial" | "blend";
  /** Steps finished (trials, then the blend as one step) out of `total`. */
  done: number;
  total: number;
  elapsedSeconds: number;
  /** Estimated seconds left (trial times so far per family, capped by the time budget). */
  etaSeconds?: number;
  trial?: Trial;
  /** What just happened, in words (e.g. "skipped: …", "blend: 120 of 282 points"). */
  note?: string;
}

export interface TuneResult {
  /** Best first. */
  leaderboard: Trial[];
  best: Trial;
  /**
   * The best trial's model as fitted on validTrain, when that fit is exactly its config. When
   * validTrain is the final training set this saves refitting.
   */
  bestModel?: Recommender;
  /** What the time budget (or the catalogue's size) left out, in words. */
  skipped: string[];
  seconds: number;
  /** Iterative trials that were fitted in worker threads (TuneOptions.jobs). */
  trialsInWorkers: number;
}

/** The iALS setting the search tries when none are given: the model's own defaults. */
export const DEFAULT_IALS: Record<string, number> = IALS_DEFAULTS;
/** Mult-DAE settings for a given hidden size: the model's own defaults, less `epochs`, which early stopping picks. */
export const MULTDAE_TUNE_DEFAULTS: Record<string, number> = (({ epochs: _epochs, ...rest }) => rest)(MULTDAE_DEFAULTS);
/** Item-kNN settings: the model's default, a wider neighbourhood with more shrinkage, a narrow one without. */
export const DEFAULT_ITEMKNN: Array<Record<string, number>> = [
  { k: 100, shrink: 10 },
  { k: 300, shrink: 50 },
  { k: 30, shrink: 0 },
];
/** RP3beta settings: the model's default, then a weaker and a stronger popularity penalty. */
export const DEFAULT_RP3BETA: Array<Record<string, number>> = [
  { alpha: 1, beta: 0.5, k: 200 },
  { alpha: 0.8, beta: 0.3, k: 200 },
  { alpha: 1, beta: 0.7, k: 100 },
];
/** The families tune builds itself (besides registered ones), in the order each round runs them. */
export const BUILT_IN_FAMILIES = ["popularity", "itemknn", "rp3beta", "ials", "slist", "ease", "hybrid", "multdae", "rate-logit"] as const;
const IALS_DEFAULT_MAX_ITEMS = 50_000;
/**
 * Seconds a Mult-DAE epoch costs per user × item × hidden unit (its dense output layer):
 * 251 s an epoch at 19,412 users × 11,924 items × 200 hidden on one core.
 */
const MULTDAE_SECONDS_PER_UNIT = 5.4e-9;
/** Fewest epochs Mult-DAE needs to say anything (its first validation check). */
const MULTDAE_MIN_EPOCHS = 10;

/** Seconds an EASE fit costs per item³ (its inverse): about 52 s at 11,924 items on one core. */
const EASE_SECONDS_PER_ITEM_CUBED = 3.1e-11;

/** Estimated seconds of an EASE fit over n items. */
export function easeFitSeconds(nItems: number): number {
  return nItems ** 3 * EASE_SECONDS_PER_ITEM_CUBED;
}

/** Estimated seconds of one Mult-DAE epoch on a users × items matrix. */
export function multdaeEpochSeconds(nUsers: number, nItems: number, hidden: number): number {
  return nUsers * nItems * hidden * MULTDAE_SECONDS_PER_UNIT;
}

export type { Trial, TuneData, ValidationSubset } from "./types.ts";
export { blendWeightGrid, simplexGrid } from "./blend-search.ts";

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
  if (set === "attributes") return has((m) => m.attributes?.length);
  if (set === "brand") return has((m) => m.brand);
  if (set === "price") return has((m) => m.price !== undefined);
  if (set === "text") return has((m) => m.title || m.description);
  return has((m) => m.alsoBuy?.length || m.alsoView?.length);
}


/**
 * The families a search tries, in the order each round runs them: cheap baselines first, so a
 * tight budget always has them; the registered and extra families last.
 */
export function tuneFamilies(data: TuneData, opts: TuneOptions): { families: TuneFamily[]; notes: string[] } {
  const notes: string[] = [];
  const ranking = data.task === "ranking";
  const nItems = data.validTrain.nCols;
  const ctx: FamilyContext = { task: data.task, nUsers: data.validTrain.nRows, nItems, nnz: data.validTrain.indices.length, ordered: data.ordered === true, timeBudgetSeconds: opts.timeBudgetSeconds };
  const closed = (name: string, model: string, settings: Array<Record<string, unknown>>): TuneFamily => ({
    name,
    iterative: false,
    configs: settings.map((params): ModelConfig => ({ model, params })),
  });
  const families: TuneFamily[] = [];
  if (ranking) {
    if (opts.popularity !== false) families.push({ ...closed("popularity", "popularity", [{}]), blendable: false });
    families.push(closed("itemknn", "itemknn", opts.itemKnn ?? DEFAULT_ITEMKNN));
    families.push(closed("rp3beta", "rp3beta", opts.rp3beta ?? DEFAULT_RP3BETA));
    // By default iALS only on catalogues where its k×k solves per item stay seconds, not minutes.
    families.push(closed("ials", "ials", opts.ials ?? (nItems <= IALS_DEFAULT_MAX_ITEMS ? [DEFAULT_IALS] : [])));
    // Where there is an order, SLIST comes before EASE: it generalises EASE (its similarity
    // part), and on every sequence set measured it ranked above it.
    const slist = slistFamily(ctx, opts.slist);
    if (slist.family) families.push(slist.family);
    if (slist.note) notes.push(slist.note);
    const lambdas = opts.easeLambdas ?? [100, 300, 1000];
    if (nItems > EASE_MAX_ITEMS && lambdas.length) notes.push(`ease: not tried, ${nItems} items exceed its ${EASE_MAX_ITEMS}-item limit`);
    else families.push({ ...closed("ease", "ease", lambdas.map((lambda) => ({ lambda }))), estimateSeconds: () => easeFitSeconds(nItems) });
  }
  const rng = createRng(opts.seed);
  const hybrids: ModelConfig[] = Array.from({ length: opts.trials }, () => sampleHybrid(rng, data, opts));
  for (const config of opts.candidates ?? []) {
    if (config.model !== "hybrid") throw new Error(`tune: candidates must be hybrid configurations, got "${config.model}"`);
    hybrids.push(config);
  }
  families.push({ name: "hybrid", iterative: true, configs: hybrids });
  if (ranking) families.push({ name: "multdae", iterative: true, configs: multdaeConfigs(data, opts, notes), checks: MULTDAE_CHECKS });
  else families.push(closed("rate-logit", "rate-logit", [{ prior: 5 }]));
  families.push(...registeredTuneFamilies(ctx), ...(opts.families ?? []));
  const only = opts.only;
  if (only) {
    const known = new Set([...BUILT_IN_FAMILIES, ...families.map((f) => f.name)]);
    const unknown = only.filter((name) => !known.has(name));
    if (unknown.length) throw new Error(`tune: unknown famil${unknown.length > 1 ? "ies" : "y"} ${unknown.join(", ")}; choose from ${[...known].join(", ")}`);
  }
  return { families: families.filter((f) => f.configs.length > 0 && (!only || only.includes(f.name))), notes: notes.filter((n) => !only || only.some((name) => n.startsWith(`${name}:`))) };
}

/** Adam at a small rate climbs slowly and noisily: Mult-DAE checks less often and waits longer before stopping. */
const MULTDAE_CHECKS = { evalEvery: 10, patience: 3 };

function multdaeConfigs(data: TuneData, opts: TuneOptions, notes: string[]): ModelConfig[] {
  const asConfig = (params: Record<string, number>): ModelConfig => ({ model: "multdae", params: { ...params, epochs: params.epochs ?? opts.maxEpochs } });
  if (opts.multdae) return opts.multdae.map(asConfig);
  // Asked for by name: its default setting, whatever the estimate.
  if (opts.only?.includes("multdae")) return [asConfig({ ...MULTDAE_TUNE_DEFAULTS })];
  if (opts.timeBudgetSeconds === undefined) return [];
  const epoch = multdaeEpochSeconds(data.validTrain.nRows, data.validTrain.nCols, MULTDAE_TUNE_DEFAULTS.hidden);
  // It must leave room for the other families: at most a quarter of the budget for its first check.
  if (epoch * MULTDAE_MIN_EPOCHS > opts.timeBudgetSeconds / 4) {
    notes.push(`multdae: not tried, an epoch is estimated at ${epoch.toFixed(0)} s (${MULTDAE_MIN_EPOCHS} epochs would take more than a quarter of the ${opts.timeBudgetSeconds} s budget)`);
    return [];
  }
  return [asConfig({ ...MULTDAE_TUNE_DEFAULTS })];
}

/** What the blend keeps one member of: a family, and for hybrids each loss apart (they rank differently and blend well). */
export function blendKind(config: ModelConfig, family: TuneFamily): string {
  return config.model === "hybrid" ? `hybrid:${String((config as { params: { loss?: string } }).params.loss)}` : family.name;
}

/** The key --resume matches a scheduled configuration by. */
export const trialKey = (config: ModelConfig): string => JSON.stringify(config);

/**
 * Seeded search on the validation split: popularity, item-kNN, RP3beta, iALS, EASE, random
 * hybrid factorisations with early stopping, Mult-DAE, then blends of the best of each family —
 * whichever scores best on validation wins. All within one time budget; nothing here sees test.
 */
export async function tune(data: TuneData, opts: TuneOptions): Promise<TuneResult> {
  const clock = opts.clock ?? (() => performance.now() / 1000);
  const started = clock();
  const budget = opts.timeBudgetSeconds;
  const deadline = budget === undefined ? Infinity : started + budget;
  const features = new FeatureCache(data);
  const { families, notes } = tuneFamilies(data, opts);
  const schedule = roundRobin(families);
  const resumed = new Map((opts.resume ?? []).filter((t) => t.key !== undefined).map((t) => [t.key!, t]));
  const trials: Trial[] = [];
  const skipped: string[] = [...notes];
  const notTried = new Map<string, number>();
  const pool = new MemberPool(opts.maxBlendMembers ?? 4);
  const blending = opts.blend !== false;
  const stacking = data.task === "rating-class" && opts.stack !== false;
  const total = schedule.length + (stacking ? 1 : 0) + (blending ? 1 : 0);
  const familyTimes = new Map<string, number[]>();
  let done = 0;

  const halvingState = new HalvingState();
  const pausedKind = (p: { trial: TrialRunner }) => blendKind(p.trial.config, p.trial.family);
  const pausedKinds = () => new Set([...halvingState.inPlay].map(pausedKind).filter((kind) => !pool.has(kind))).size;
  const reserve = () => (budget === undefined || !blending ? 0 : blendReserve(pool, trials, budget, pausedKinds()));
  const eta = (from: number) => {
    // Before any trial has finished, the first-rung fits so far tell what a trial costs.
    const finished = [...familyTimes.values()].flat();
    const times = finished.length ? finished : [...halvingState.inPlay].map((p) => p.trial.secondsSoFar);
    const overall = times.length ? times.reduce((a, b) => a + b, 0) / times.length : undefined;
    if (overall === undefined) return budget === undefined ? undefined : Math.max(0, deadline - clock());
    let left = 0;
    for (let s = from; s < schedule.length; s++) {
      if (resumed.has(trialKey(schedule[s].config))) continue;
      const own = familyTimes.get(schedule[s].family.name);
      left += own ? own.reduce((a, b) => a + b, 0) / own.length : overall;
    }
    // Trials paused at a successive-halving rung have rungs still to run.
    left += halvingState.secondsLeft(pausedKind) / jobs;
    left += blending ? (budget === undefined ? blendReserve(pool, trials, Infinity, pausedKinds()) : reserve()) : 0;
    return budget === undefined ? left : Math.min(left, Math.max(0, deadline - clock()));
  };
  const publish = (trial: Trial | undefined, next: number, note?: string) => {
    opts.onProgress?.({ phase: "trial", done, total, elapsedSeconds: clock() - started, etaSeconds: eta(next), trial, note });
    opts.onLeaderboard?.({ trials: [...trials], skipped: [...skipped] });
  };
  const halving = opts.successiveHalving !== false;
  // Trials per blend kind still to run: one alone in its kind has nothing to be halved against.
  const kindCounts = new Map<string, number>();
  for (const { family, config } of schedule) {
    if (family.iterative && !resumed.has(trialKey(config))) kindCounts.set(blendKind(config, family), (kindCounts.get(blendKind(config, family)) ?? 0) + 1);
  }
  const slistFits = new SlistFits();
  // Trials in worker threads: their outcomes are taken in schedule order (`settled`), so the
  // leaderboard, the blend pool and the progress lines are the one-job search's.
  const jobs = budget === undefined && data.recipe ? Math.max(1, Math.floor(opts.jobs ?? 1)) : 1;
  const slots = jobs > 1 ? new JobSlots(jobs) : undefined;
  const remotes: RemoteTrial[] = [];
  const newTrial = (config: ModelConfig, family: TuneFamily): TrialRunner => {
    if (!slots || config.model !== "hybrid") return new IterativeTrial(config, family, data, features, opts, clock);
    const remote = new RemoteTrial(config, family, data.recipe!, opts, slots);
    remotes.push(remote);
    return remote;
  };
  let settled: Promise<void> = Promise.resolve();
  const inOrder = async (step: () => void | Promise<void>) => {
    if (!slots) return step();
    settled = settled.then(step);
    // Observed at the end of the schedule; marked handled now so a failure waits for that.
    settled.catch(() => undefined);
  };
  const record = (outcome: IterativeOutcome, family: TuneFamily, key: string, next: number) => {
    outcome.trial.key = key;
    trials.push(outcome.trial);
    pool.offer(outcome.trial, outcome.model, family);
    familyTimes.set(family.name, [...(familyTimes.get(family.name) ?? []), outcome.trial.seconds]);
    if (outcome.note && !outcome.halved) skipped.push(outcome.note);
    done++;
    publish(outcome.trial, next, outcome.halved ? "stopped at a successive-halving rung" : undefined);
  };

  try {
    for (let s = 0; s < schedule.length; s++) {
      const { family, config } = schedule[s];
      const key = trialKey(config);
      const previous = resumed.get(key);
      if (previous) {
        await inOrder(() => {
          trials.push(previous);
          pool.offer(previous, undefined, family);
          done++;
          publish(previous, s + 1, "resumed");
        });
        continue;
      }
      const now = clock();
      const trialsEnd = deadline - reserve();
      const own = familyTimes.get(family.name);
      const expected = own ? Math.min(...own) : family.estimateSeconds?.(config);
      if (now >= trialsEnd || (!family.iterative && expected !== undefined && now + expected > trialsEnd)) {
        notTried.set(family.name, (notTried.get(family.name) ?? 0) + 1);
        done++;
        continue;
      }
      // While some family still waits for its first trial, an iterative fit gets only its share of
      // what is left; after that it leaves room for the one-shot fits still to come whose cost is
      // known (up to half of what is left), so cheap settings are not crowded out by one long fit.
      const later = schedule.slice(s + 1).filter((x) => !resumed.has(trialKey(x.config)));
      const waiting = later.filter((x) => x.round === 0).length;
      const oneShots = later.reduce((sum, x) => sum + (x.family.iterative ? 0 : (familyTimes.has(x.family.name) ? Math.min(...familyTimes.get(x.family.name)!) : 0)), 0);
      const stopAt = !Number.isFinite(trialsEnd) ? trialsEnd : waiting > 0 ? now + (trialsEnd - now) / (waiting + 1) : trialsEnd - Math.min(oneShots, (trialsEnd - now) / 2);
      if (family.iterative) {
        // An iterative trial with rivals in its kind first fits up to the first rung; successive halving below decides which go on.
        const trial = newTrial(config, family);
        const rivals = halving ? (kindCounts.get(blendKind(config, family)) ?? 0) > 1 : false;
        const advancing = trial.advance(rivals ? trial.checkEpoch(FIRST_RUNG_CHECKS) : Infinity, stopAt);
        // Awaited in schedule order below, maybe after it failed: marked handled now, so the failure waits for that.
        advancing.catch(() => undefined);
        await inOrder(async () => {
          const outcome = await advancing;
          if (outcome) record(outcome, family, key, s + 1);
          else {
            halvingState.inPlay.add({ trial, key, order: s });
            publish(undefined, s + 1, `${describeConfig(config)}: ${data.primary} ${trial.bestScore.toFixed(4)} at epoch ${trial.epochs}, paused at the first successive-halving rung`);
          }
        });
        continue;
      }
      // The last inverse-sized fit's work memory, and models the pool or the reuse cache let go,
      // are returned before the next such fit allocates its own (see collectGarbage).
      if (isInverseSized(config)) collectGarbage();
      // A one-shot fit that reports progress is held to the same share while families wait: given
      // up there, it leaves them their first trial instead of spending the whole budget alone.
      const run = await runClosedFormTrial(config, family, data, features, opts, waiting > 0 ? stopAt : trialsEnd, clock, slistFits);
      slistFits.keepFor(later.map((x) => x.config));
      await inOrder(() => {
        familyTimes.set(family.name, [...(familyTimes.get(family.name) ?? []), run.projectedSeconds]);
        if (!run.trial) {
          // A one-shot fit given up on: its projected time keeps the family's other settings out too.
          skipped.push(run.note);
          done++;
          publish(undefined, s + 1, run.note);
          return;
        }
        run.trial.key = key;
        trials.push(run.trial);
        pool.offer(run.trial, run.model, family);
        if (run.note) skipped.push(run.note);
        done++;
        publish(run.trial, s + 1);
      });
    }
    await settled;
    slistFits.clear();
    const cutShort = await continueByHalving(halvingState, {
      kind: pausedKind,
      trialsEnd: () => deadline - reserve(),
      clock,
      record: (outcome, entry) => record(outcome, entry.trial.family, entry.key, schedule.length),
      concurrent: slots !== undefined,
    });
    skipped.push(...cutShort);
  } finally {
    // A search that failed midway leaves no worker behind (a finished one has none left).
    await Promise.all(remotes.map((r) => r.close()));
  }
  for (const [name, count] of notTried) skipped.push(`${name}: ${count} of ${families.find((f) => f.name === name)!.configs.length} configurations not tried (time budget)`);

  if (stacking) {
    if (clock() < deadline) {
      const stacked = await tryRatingStack(data, opts, trials, features);
      if (stacked) trials.push(stacked.trial);
    } else skipped.push("rating-stack: not tried (time budget)");
    done++;
    publish(trials.at(-1), schedule.length);
  }
  let blendModel: { trial: Trial; model: Recommender } | undefined;
  if (blending) {
    // Before the blend remembers member scores: the last inverse-sized fit's work memory.
    if (schedule.some((x) => isInverseSized(x.config))) collectGarbage();
    const outcome = await searchBlends({
      data,
      members: pool.members(),
      features,
      seed: opts.seed,
      selection: opts.blendSelection ?? data.primary,
      memoBudgetBytes: opts.memoBudgetBytes ?? 2 ** 30,
      deadline,
      clock,
      onProgress: (note) => opts.onProgress?.({ phase: "blend", done, total, elapsedSeconds: clock() - started, etaSeconds: budget === undefined ? undefined : Math.max(0, deadline - clock()), note }),
    });
    trials.push(...outcome.trials);
    skipped.push(...outcome.skipped);
    blendModel = outcome.best;
    done++;
    opts.onProgress?.({ phase: "blend", done, total, elapsedSeconds: clock() - started, etaSeconds: 0, note: outcome.summary });
    opts.onLeaderboard?.({ trials: [...trials], skipped: [...skipped] });
  }
  const leaderboard = [...trials].filter((t) => Number.isFinite(t.score)).sort((a, b) => b.score - a.score);
  if (leaderboard.length === 0) throw new Error("tune: no trial produced a finite validation score; check the data (does validation have positives?), or give it more --time-budget");
  const best = leaderboard[0];
  const bestModel = blendModel?.trial === best ? blendModel.model : pool.modelOf(best);
  return { leaderboard, best, bestModel, skipped, seconds: clock() - started, trialsInWorkers: remotes.length };
}

/**
 * Seconds the blend step is expected to need, kept back from the trials: refitting the
 * iterative members that ran past their best epoch, scoring each member once, and one
 * validation pass of blend arithmetic per grid point (the cheapest trial's validation, a bound
 * on ranking alone). At most 40% of the budget, at least 10% once a budget is set.
 */
function blendReserve(pool: MemberPool, trials: Trial[], budget: number, pausedKinds: number): number {
  const members = pool.members();
  const pass = Math.min(Infinity, ...trials.map((t) => t.validateSeconds ?? Infinity));
  // Kinds whose draws are paused at a halving rung join the pool later: counted now, each
  // scoring validation once at the slowest pass seen so far.
  const later = Math.max(0, Math.min(pool.maxMembers, members.length + pausedKinds) - members.length);
  const slowest = Math.max(0, ...trials.map((t) => t.validateSeconds ?? 0));
  let need = 0;
  if (members.length + later >= 2 && Number.isFinite(pass)) {
    for (const m of members) need += (m.model ? 0 : refitSeconds(m.trial)) + (m.trial.validateSeconds ?? pass);
    need += later * slowest;
    need += blendWeightGrid(members.length + later).length * pass;
  }
  return Number.isFinite(budget) ? Math.min(0.4 * budget, Math.max(0.1 * budget, need)) : need;
}

/**
 * The best trial of each blend kind (a family; hybrids per loss) and, for the best
 * `maxMembers` kinds only, their fitted models: a model outside them can never be a blend
 * member again (scores only ever get added), so it is dropped at once — at catalogue scale an
 * EASE model is a gigabyte. Of the inverse-sized models (EASE, SLIST) only the best-ranked is
 * held; the blend refits another that it uses.
 */
export class MemberPool {
  private readonly best = new Map<string, { trial: Trial; model?: Recommender }>();
  constructor(readonly maxMembers: number) {}

  offer(trial: Trial, model: Recommender | undefined, family: TuneFamily): void {
    if (family.blendable === false || !Number.isFinite(trial.score)) return;
    const kind = blendKind(trial.config, family);
    const current = this.best.get(kind);
    if (current && current.trial.score >= trial.score) return;
    this.best.set(kind, { trial, model });
    const ranked = this.ranked();
    for (const dropped of ranked.slice(this.maxMembers)) dropped.model = undefined;
    // One inverse-sized model at most (the best-ranked): each is an n×n matrix, and the next
    // such fit needs half as much again while it runs. The blend refits the others it uses.
    let denseHeld = false;
    for (const entry of ranked) {
      if (!isInverseSizedModel(entry.model)) continue;
      if (denseHeld) entry.model = undefined;
      denseHeld = true;
    }
  }

  /** The blend's members, best first: a model when the trial's fit is exactly its config, else refit from the config. */
  members(): Array<{ trial: Trial; model?: Recommender }> {
    return this.ranked().slice(0, this.maxMembers);
  }

  /** Whether a trial of this blend kind is in the pool. */
  has(kind: string): boolean {
    return this.best.has(kind);
  }

  modelOf(trial: Trial): Recommender | undefined {
    return [...this.best.values()].find((e) => e.trial === trial)?.model;
  }

  private ranked() {
    return [...this.best.values()].sort((a, b) => b.trial.score - a.trial.score);
  }
}

function isInverseSizedModel(model: Recommender | undefined): boolean {
  return model instanceof EaseModel || model instanceof SlistModel;
}

/** Fits that work in an n×n matrix (EASE's and SLIST's inverses). */
function isInverseSized(config: ModelConfig): boolean {
  return config.model === "ease" || config.model === "slist";
}

/** Thrown from a fit's progress callback when it is projected to end past its deadline. */
class FitOverrun extends Error {}

/**
 * Fits and validates a one-shot configuration. A fit that reports progress (the inverse of EASE
 * and SLIST, iALS's sweeps, in uniform steps) is given up when, projected from its steps so far, it would end past `stopAt`:
 * on a busy machine an a-priori estimate can be off by a factor of ten.
 */
async function runClosedFormTrial(config: ModelConfig, family: TuneFamily, data: TuneData, features: FeatureCache, opts: TuneOptions, stopAt: number, clock: () => number, slistFits: SlistFits) {
  const t0 = clock();
  const reused = slistFits.reuse(config);
  if (reused) return scoreClosedForm(config, family, data, reused.model, t0, clock, reused.fitSeconds);
  const { model, extraFit } = buildFromConfig(config, features);
  let projected = 0;
  if ((model instanceof EaseModel || model instanceof SlistModel || model instanceof IalsModel) && Number.isFinite(stopAt)) {
    model.onProgress = (done, total) => {
      const elapsed = clock() - t0;
      projected = (elapsed * total) / done;
      if (done >= Math.max(2, total / 50) && t0 + projected > stopAt) throw new FitOverrun();
    };
  }
  try {
    await model.fit({ ...validTrainInput(data), rng: createRng(opts.seed), ...extraFit });
  } catch (err) {
    if (!(err instanceof FitOverrun)) throw err;
    const description = describeConfig(config);
    return { trial: undefined, projectedSeconds: projected, note: `${description}: given up after ${(clock() - t0).toFixed(0)} s, its fit was projected to take ${projected.toFixed(0)} s, past the time budget` };
  }
  slistFits.remember(config, model, clock() - t0);
  return scoreClosedForm(config, family, data, model, t0, clock);
}

/** A fitted one-shot trial's validation; `fitSeconds` is what a fit of it costs when it reused another's (a later setting's estimate). */
function scoreClosedForm(config: ModelConfig, family: TuneFamily, data: TuneData, model: Recommender, t0: number, clock: () => number, fitSeconds?: number) {
  const v0 = clock();
  const metrics = data.validate(model);
  const trial: Trial = { config, description: describeConfig(config), score: metrics[data.primary], metrics, seconds: clock() - t0, family: family.name, validateSeconds: clock() - v0 };
  return { trial, model: model as Recommender | undefined, note: undefined as string | undefined, projectedSeconds: (fitSeconds ?? 0) + trial.seconds };
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

