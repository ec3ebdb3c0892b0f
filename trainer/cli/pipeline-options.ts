import { readFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { InputError } from "../data/types.ts";
import { dataSpecFromOptions, type DataCliOptions } from "../data/cli-options.ts";
import { SPLIT_KINDS, type SplitKind } from "../eval/prepare.ts";
import { AUTO_DEFAULTS } from "../pipeline/choose.ts";
import { parseForgetFrom } from "../privacy/forget-source.ts";
import { thresholdsFromOptions } from "../pipeline/quality.ts";
import type { PipelineOptions } from "../pipeline/run.ts";
import { checkConfig, type ModelConfig } from "../tune/config.ts";
import type { Task } from "../tune/prepare.ts";
import { addModelOptions, itemFeatureSets, modelParams, type ModelCliOptions } from "./model-options.ts";
import { optionalNumber } from "../util/option-parsers.ts";

/** The options every pipeline command (train, evaluate, build-artifact) shares. */
export interface PipelineCliOptions extends DataCliOptions, ModelCliOptions {
  config?: string;
  split?: SplitKind;
  fraction?: string;
  task: Task;
  minRating?: string;
  seed: string;
  threads?: string;
  ks: string;
  report?: string;
  out?: string;
  json?: boolean;
  refit: boolean;
  autoBudget?: string;
  dataSource?: string;
  itemUrl?: string;
  forgetFrom?: string;
  overlay?: string;
  maxMissing?: string[];
  // artifact build and layout
  neighbours?: string;
  contentNeighbours?: string;
  vectorEncoding?: "int8" | "float16";
  historyLength?: string;
  userTopN?: string;
  metric?: "cosine" | "dot";
  buildThreads?: string;
  annThreshold?: string;
  shardBytes?: string;
  single?: boolean;
  singleBesideMax?: string;
  forKv?: boolean;
}

/** Adds the model, split, evaluation, data-quality and artifact options of the pipeline. */
export function addPipelineOptions(cmd: Command, o: { artifact: boolean } = { artifact: true }): Command {
  addModelOptions(cmd, "auto");
  cmd
    .option("--config <file>", "model configuration written by `edgerec tune` (overrides --model/--param)")
    .addOption(new Option("--split <kind>", "how to hold out data for evaluation (default: given files, else leave-last-out)").choices(SPLIT_KINDS))
    .option("--fraction <f>", "random / item-cold-start split share")
    .addOption(new Option("--task <task>", "ranking or rating-class").choices(["ranking", "rating-class"]).default("ranking"))
    .option("--min-rating <r>", "ranking: positives are ratings >= r; rating-class: label threshold (default 4)")
    .option("--seed <n>", "seed for splits and models", "0")
    .option("--threads <n>", "Hogwild threads for hybrid models")
    .option("--ks <list>", "cut-offs for p@k, r@k, hr@k, ndcg@k", "10")
    .option("--auto-budget <seconds>", `--model auto: start no new candidate after this many seconds (default ${AUTO_DEFAULTS.budgetSeconds})`)
    .option("--max-missing <field=share...>", "data-quality thresholds: warn (and fail `edgerec gate`) when more than this share of catalogue items lack the field (title, image, url, price, category); default title=0.2, others 0.5")
    .option("--overlay <file>", "fold the live catalogue overlay (written by `edgerec catalog pull`) into the catalogue first")
    .option("--forget-from <where>", "drop forgotten shoppers before fitting: local, local:<dir>, remote, remote:<env> (the worker's tombstones) or a file from `edgerec forget --export`")
    .option("--item-url <template>", "fill missing product URLs from a template, e.g. 'https://shop.example/p/{id}'")
    .option("--report <file>", "write a self-contained HTML training report")
    .option("--json", "print one JSON object instead of a table");
  if (!o.artifact) return cmd;
  return cmd
    .option("--no-refit", "serve the model fitted on the train split (what the metrics evaluate) instead of refitting it on every interaction")
    .option("--data-source <text>", "what the data is, recorded in the artifact (default: the input files' names)")
    .option("--neighbours <k>", "collaborative neighbours per item", "20")
    .option("--content-neighbours <k>", "metadata neighbours per item without interactions", "20")
    .addOption(new Option("--vector-encoding <enc>", "item/user vector storage").choices(["int8", "float16"]).default("int8"))
    .option("--history-length <n>", "recent items stored per user", "50")
    .option("--user-top-n <n>", "store the full model's top-n per user (0 = off; default 50 when users × items <= 5e8)")
    .addOption(new Option("--metric <m>", "neighbours from item vectors by dot product or cosine").choices(["dot", "cosine"]).default("dot"))
    .option("--build-threads <n>", "worker threads for neighbour search (default: all cores)")
    .option("--ann-threshold <n>", "above this many items use the approximate index (usearch)", "200000")
    .option("--shard-bytes <n>", "shard the artifact when it is larger than this many bytes, with shards of at most this size (< 25 MiB); default: shard above 8 MiB into 3 MiB shards")
    .option("--single", "always write one artifact object, however large (R2 only when over KV's 25 MiB)")
    .option("--single-beside-max <bytes>", "a sharded build also writes the version as one object when it is at most this big; 0 = never (default 48 MiB)")
    .option("--for-kv", "the build will be published to KV: never write a single object over KV's 25 MiB value limit");
}


/** The model recipe from --config (tune's best.json), --model auto, or --model/--param/--item-features. */
export function configFromOptions(opts: PipelineCliOptions): "auto" | ModelConfig {
  if (opts.config) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(opts.config, "utf8"));
    } catch (err) {
      throw new InputError(`cannot read the model configuration: ${(err as Error).message}`, opts.config, undefined, "pass the best.json written by `edgerec tune`");
    }
    checkConfig(parsed, opts.config);
    return parsed;
  }
  if (opts.model === "auto") {
    if (opts.param?.length || opts.lambda || opts.k || opts.shrink) throw new InputError("--model auto chooses its own hyper-parameters; drop --param/--lambda/--k/--shrink or name a model with --model");
    return "auto";
  }
  const params = modelParams(opts);
  if (opts.model === "hybrid") {
    return { model: "hybrid", params, itemFeatures: itemFeatureSets(opts.itemFeatures) ?? [], userFeatures: Boolean(opts.userFeatures) };
  }
  return { model: opts.model, params };
}

/** PipelineOptions from the parsed command line (data, model, evaluation, artifact). */
export function pipelineOptionsFromCli(opts: PipelineCliOptions, show: boolean, dataFilesOptional = false): PipelineOptions {
  const budget = optionalNumber("auto-budget", opts.autoBudget, { min: 0, max: 1e7 });
  const hasFiles = Boolean(opts.interactions?.length || opts.train?.length || opts.dev?.length || opts.test?.length);
  return {
    // Files may be absent when the data comes from elsewhere (train --events); the caller loads it.
    spec: dataFilesOptional && !hasFiles ? undefined : dataSpecFromOptions(opts),
    model: configFromOptions(opts),
    ...(budget !== undefined ? { auto: { budgetSeconds: budget } } : {}),
    split: opts.split,
    fraction: optionalNumber("fraction", opts.fraction, { min: 0, max: 1 }),
    task: opts.task,
    minRating: optionalNumber("min-rating", opts.minRating, { min: -1e9, max: 1e9 }),
    seed: optionalNumber("seed", opts.seed, { min: 0, max: 2 ** 31, integer: true }) ?? 0,
    threads: optionalNumber("threads", opts.threads, { min: 1, max: 256, integer: true }),
    ks: opts.ks.split(",").map((k) => optionalNumber("ks", k, { min: 1, max: 1e6, integer: true })!),
    progress: show,
    refit: opts.refit !== false,
    sourceLabel: opts.dataSource,
    itemUrlTemplate: opts.itemUrl,
    overlay: opts.overlay,
    forgetFrom: opts.forgetFrom === undefined ? undefined : parseForgetFrom(opts.forgetFrom),
    quality: thresholdsFromOptions(opts.maxMissing),
    out: opts.out,
    report: opts.report,
    artifact: {
      k: optionalNumber("neighbours", opts.neighbours, { min: 1, max: 1000, integer: true }),
      contentK: optionalNumber("content-neighbours", opts.contentNeighbours, { min: 0, max: 1000, integer: true }),
      vectorEncoding: opts.vectorEncoding,
      historyLength: optionalNumber("history-length", opts.historyLength, { min: 0, max: 10000, integer: true }),
      userTopN: optionalNumber("user-top-n", opts.userTopN, { min: 0, max: 1000, integer: true }),
      neighbourMetric: opts.metric,
      threads: optionalNumber("build-threads", opts.buildThreads, { min: 1, max: 256, integer: true }),
      annThreshold: optionalNumber("ann-threshold", opts.annThreshold, { min: 0, max: 1e9, integer: true }),
    },
    layout: {
      single: opts.single,
      shardBytes: optionalNumber("shard-bytes", opts.shardBytes, { min: 1024, max: 25 * 1024 * 1024 - 1, integer: true }),
      singleBesideMax: optionalNumber("single-beside-max", opts.singleBesideMax, { min: 0, max: 2 ** 31, integer: true }),
      forKv: opts.forKv,
    },
  };
}
