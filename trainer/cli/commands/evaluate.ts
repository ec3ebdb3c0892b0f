import { Option, type Command } from "commander";
import { addDataOptions, dataSpecFromOptions, printReadReports, type DataCliOptions } from "../../data/cli-options.ts";
import { interactionsToCsr } from "../../data/interactions-matrix.ts";
import { loadDataset } from "../../data/load.ts";
import type { CsrMatrix } from "../../data/matrix.ts";
import { InputError, type Interactions } from "../../data/types.ts";
import { fitWithProgress } from "../../eval/fit.ts";
import { pairRocAuc, scorePairs } from "../../eval/pair-auc.ts";
import { SPLIT_KINDS, splitDataset, type SplitKind } from "../../eval/prepare.ts";
import { progressBar } from "../../eval/progress-bar.ts";
import { evaluateRanking, type Metrics } from "../../eval/ranking.ts";
import { buildItemFeatures, ALL_ITEM_FEATURE_SETS, type ItemFeatureSet } from "../../features/item-features.ts";
import { createModel, modelNames } from "../../model/registry.ts";
import type { ModelConfig } from "../../tune/config.ts";
import { readModelConfig, validateConfig } from "../../tune/validate-config.ts";
import { createRng } from "../../util/rng.ts";

export interface ModelCliOptions {
  model: string;
  param?: string[];
  lambda?: string;
  k?: string;
  shrink?: string;
  itemFeatures?: string;
}

/** Adds --model and the hyper-parameter options shared by evaluate and predict. */
export function addModelOptions(cmd: Command, defaultModel = "ease"): Command {
  return cmd
    .option("--model <name>", `model: ${modelNames().join(", ")}`, defaultModel)
    .option("--lambda <λ>", "EASE: L2 regularisation λ (default 500)")
    .option("--k <n>", "item-kNN: neighbours kept per item (default 100)")
    .option("--shrink <s>", "item-kNN: cosine shrinkage (default 10)")
    .option("--param <key=value...>", "any other model hyper-parameter, e.g. --param loss=warp epochs=30")
    .option("--item-features <sets>", `item metadata features for hybrid models: all or a comma list of ${ALL_ITEM_FEATURE_SETS.join(",")}`);
}

function parseValue(v: string): unknown {
  if (v === "true") return true;
  if (v === "false") return false;
  const n = Number(v);
  return v.trim() !== "" && Number.isFinite(n) ? n : v;
}

/** Model hyper-parameters from the CLI options (named ones and --param key=value). */
export function modelParams(opts: ModelCliOptions): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (opts.lambda !== undefined) params.lambda = parseValue(opts.lambda);
  if (opts.k !== undefined) params.k = parseValue(opts.k);
  if (opts.shrink !== undefined) params.shrink = parseValue(opts.shrink);
  for (const kv of opts.param ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new InputError(`--param ${JSON.stringify(kv)} is not key=value`, undefined, undefined, "write e.g. --param epochs=30");
    params[kv.slice(0, eq)] = parseValue(kv.slice(eq + 1));
  }
  return params;
}

export function itemFeatureSets(spec: string | undefined): ItemFeatureSet[] | undefined {
  if (!spec) return undefined;
  if (spec === "all") return ALL_ITEM_FEATURE_SETS;
  const sets = spec.split(",").map((s) => s.trim()) as ItemFeatureSet[];
  for (const s of sets) {
    if (!ALL_ITEM_FEATURE_SETS.includes(s)) throw new InputError(`--item-features: unknown set ${JSON.stringify(s)}; choose all or ${ALL_ITEM_FEATURE_SETS.join(",")}`);
  }
  return sets;
}

interface EvaluateOptions extends DataCliOptions, ModelCliOptions {
  split?: SplitKind;
  fraction?: string;
  task: "ranking" | "rating-class";
  minRating?: string;
  seed: string;
  ks: string;
  json?: boolean;
  on: "test" | "dev";
  config?: string;
  validationUsers?: string;
}

function numberOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new InputError(`--${name} must be a number in ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
}

export function register(program: Command): void {
  const cmd = program
    .command("evaluate")
    .description("fit a model on a train split and report ranking metrics (LightFM semantics) or rating-classification ROC AUC on the test split");
  addDataOptions(cmd);
  addModelOptions(cmd);
  cmd
    .addOption(new Option("--split <kind>", "how to split: given files (--train/--test), random pairs, per-user leave-last-out by time (dev + test), item cold-start").choices(SPLIT_KINDS))
    .option("--fraction <f>", "random: share of interactions in test; item-cold-start: share of items held out (default 0.2)")
    .addOption(new Option("--task <task>", "ranking: top-k metrics over all items; rating-class: global ROC AUC of test pairs labelled rating >= --min-rating").choices(["ranking", "rating-class"]).default("ranking"))
    .option("--min-rating <r>", "positives are ratings >= r (lower ratings are dropped for ranking, negatives for rating-class); default: every interaction is positive (rating-class: 4)")
    .option("--seed <n>", "seed for splits and models", "0")
    .option("--ks <list>", "cut-offs for p@k, r@k, hr@k, ndcg@k, coverage@k", "10")
    .option("--json", "print one JSON object instead of a table")
    .addOption(new Option("--on <part>", "test: fit on train, score test; dev: score on tune's validation split (carved from train, same seed and user sample), the number tune's leaderboard shows").choices(["test", "dev"]).default("test"))
    .option("--config <file>", "with --on dev: the model configuration to score (tune's best.json) instead of --model/--param")
    .option("--validation-users <n|all>", "with --on dev: validation users sampled, as tune's option", "5000")
    .action(async (opts: EvaluateOptions) => {
      if (opts.on === "dev") return printDevScore(opts);
      if (opts.config) throw new InputError("--config is read with --on dev; to fit a configuration on train and score test use `edgerec train --config`");
      const result = await runEvaluate(opts);
      if (opts.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      const lines = [
        `model ${result.model} ${JSON.stringify(result.params)}`,
        `split ${result.split}: train ${result.counts.train}, ${result.counts.dev !== undefined ? `dev ${result.counts.dev}, ` : ""}test ${result.counts.test} interactions (before --min-rating); ${result.counts.users} users × ${result.counts.items} items`,
        `fit ${result.fitSeconds.toFixed(2)} s, evaluate ${result.evalSeconds.toFixed(2)} s`,
        "",
        ...Object.entries(result.metrics).map(([k, v]) => `${k.padEnd(12)} ${Number.isInteger(v) ? v : v.toFixed(4)}`),
      ];
      process.stdout.write(lines.join("\n") + "\n");
    });
}

export async function runEvaluate(opts: EvaluateOptions) {
  const show = !opts.json;
  const seed = numberOption("seed", opts.seed, 0, 2 ** 31) ?? 0;
  const minRating = numberOption("min-rating", opts.minRating, -1e9, 1e9);
  const ks = opts.ks.split(",").map((k) => {
    const n = Number(k);
    if (!Number.isInteger(n) || n < 1) throw new InputError(`--ks must be positive integers, got ${JSON.stringify(opts.ks)}`);
    return n;
  });
  const spec = dataSpecFromOptions(opts);
  const dataset = await loadDataset(spec, { progress: show });
  if (show) printReadReports(dataset.reports);
  const kind: SplitKind = opts.split ?? (dataset.splits ? "given" : "leave-last-out");
  const split = splitDataset(dataset, { kind, fraction: numberOption("fraction", opts.fraction, 0, 1), rng: createRng(seed) });
  const nItems = dataset.interactions.itemIds.length;
  const nUsers = dataset.interactions.userIds.length;

  const params = modelParams(opts);
  const model = createModel(opts.model, params);
  const sets = itemFeatureSets(opts.itemFeatures);
  const itemFeatures = sets ? buildItemFeatures(dataset.items, { sets }).matrix : undefined;

  const ratingClass = opts.task === "rating-class";
  const threshold = minRating ?? 4;
  const matrix = (x: Interactions): CsrMatrix =>
    ratingClass
      ? interactionsToCsr(x, { kind: "labels", threshold })
      : minRating !== undefined
        ? interactionsToCsr(x, { kind: "positives", threshold: minRating })
        : interactionsToCsr(x, { kind: "ones" });
  const train = matrix(split.train);
  if (train.indices.length === 0) throw new InputError("the training split has no (positive) interactions", undefined, undefined, "lower --min-rating or check the input");
  const fitSeconds = await fitWithProgress(model, { interactions: train, itemFeatures, rng: createRng(seed) }, show);

  const t0 = performance.now();
  let metrics: Metrics;
  if (ratingClass) {
    const labels = new Float32Array(split.test.ratings.length);
    for (let k = 0; k < labels.length; k++) {
      const r = split.test.ratings[k];
      if (Number.isNaN(r)) throw new InputError("--task rating-class needs explicit ratings in the test split");
      labels[k] = r >= threshold ? 1 : 0;
    }
    metrics = { pairAuc: pairRocAuc(scorePairs(model, nItems, split.test.users, split.test.items), labels), pairs: labels.length };
  } else {
    const test = matrix(split.test);
    const bar = progressBar("evaluate", nUsers, show);
    metrics = evaluateRanking(model, { train, test, exclude: split.dev ? [matrix(split.dev)] : [], ks, onUser: (d, t) => bar.update(d, t) });
    bar.stop();
  }
  const evalSeconds = (performance.now() - t0) / 1000;
  return {
    model: model.name,
    params: model.params(),
    split: kind,
    task: opts.task,
    seed,
    counts: { users: nUsers, items: nItems, train: split.train.users.length, dev: split.dev?.users.length, test: split.test.users.length },
    metrics,
    fitSeconds,
    evalSeconds,
  };
}

/** `evaluate --on dev`: a configuration scored on tune's validation split. */
async function printDevScore(opts: EvaluateOptions): Promise<void> {
  const seed = numberOption("seed", opts.seed, 0, 2 ** 31) ?? 0;
  const ks = [...new Set(opts.ks.split(",").map((k) => numberOption("ks", k, 1, 1e6) ?? 10))];
  const sets = itemFeatureSets(opts.itemFeatures);
  const config: ModelConfig = opts.config
    ? readModelConfig(opts.config)
    : opts.model === "hybrid"
      ? { model: "hybrid", params: modelParams(opts), itemFeatures: sets ?? [], userFeatures: false }
      : { model: opts.model, params: modelParams(opts) };
  const dataset = await loadDataset(dataSpecFromOptions(opts), { progress: !opts.json });
  if (!opts.json) printReadReports(dataset.reports);
  const result = await validateConfig(dataset, config, {
    split: opts.split,
    fraction: numberOption("fraction", opts.fraction, 0, 1),
    task: opts.task,
    minRating: numberOption("min-rating", opts.minRating, -1e9, 1e9),
    seed,
    ks,
    maxValidUsers: opts.validationUsers === "all" ? Infinity : numberOption("validation-users", opts.validationUsers, 1, 1e9),
  });
  if (opts.json) {
    process.stdout.write(JSON.stringify({ on: "dev", seed, ...result }) + "\n");
    return;
  }
  const lines = [`${result.description}`, `on tune's validation split (seed ${seed}), fit ${result.fitSeconds.toFixed(2)} s; primary metric ${result.primary}`, "", ...Object.entries(result.metrics).map(([k, v]) => `${k.padEnd(12)} ${Number.isInteger(v) ? v : v.toFixed(4)}`)];
  process.stdout.write(lines.join("\n") + "\n");
}
