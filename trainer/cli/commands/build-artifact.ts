import { writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { decodeArtifact } from "../../../src/artifact/format.ts";
import { buildArtifactObject } from "../../artifact/build.ts";
import { encodeArtifact } from "../../../src/artifact/format.ts";
import { chooseLayout, singleBesideShards, writeSharded } from "../../artifact/shard.ts";
import { servingBytesPerItem } from "../../artifact/sections.ts";
import { addDataOptions, dataSpecFromOptions, printReadReports, type DataCliOptions } from "../../data/cli-options.ts";
import { interactionsToCsr } from "../../data/interactions-matrix.ts";
import { loadDataset } from "../../data/load.ts";
import { InputError, type Interactions } from "../../data/types.ts";
import { fitWithProgress } from "../../eval/fit.ts";
import { progressBar, type Progress } from "../../eval/progress-bar.ts";
import { subsetInteractions } from "../../eval/splits.ts";
import { buildItemFeatures } from "../../features/item-features.ts";
import { createModel } from "../../model/registry.ts";
import { createRng } from "../../util/rng.ts";
import { addModelOptions, itemFeatureSets, type ModelCliOptions, modelParams } from "./evaluate.ts";

interface BuildCliOptions extends DataCliOptions, ModelCliOptions {
  out: string;
  neighbours: string;
  contentNeighbours: string;
  vectorEncoding: "int8" | "float16";
  historyLength: string;
  userTopN?: string;
  metric: "cosine" | "dot";
  threads?: string;
  annThreshold: string;
  shardBytes?: string;
  single?: boolean;
  singleBesideMax?: string;
  forKv?: boolean;
  minRating?: string;
  seed: string;
  json?: boolean;
}

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`--${name} must be a whole number in ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
}

export function register(program: Command): void {
  const cmd = program
    .command("build-artifact")
    .description("fit a model on all given interactions and pack the artifact the edge worker serves (neighbour lists, vectors, metadata, popularity)");
  addDataOptions(cmd);
  addModelOptions(cmd, "itemknn");
  cmd
    .requiredOption("--out <file>", "where to write artifact.bin (sharded builds: a directory for manifest.bin + shard-<n>.bin)")
    .option("--neighbours <k>", "collaborative neighbours per item", "20")
    .option("--content-neighbours <k>", "metadata neighbours per item without interactions", "20")
    .addOption(new Option("--vector-encoding <enc>", "item/user vector storage").choices(["int8", "float16"]).default("int8"))
    .option("--history-length <n>", "recent items stored per user", "50")
    .option("--user-top-n <n>", "store the full model's top-n per user (0 = off; default 50 when users × items <= 5e8)")
    .addOption(new Option("--metric <m>", "neighbours from item vectors by dot product or cosine").choices(["dot", "cosine"]).default("dot"))
    .option("--threads <n>", "worker threads for neighbour search (default: all cores)")
    .option("--ann-threshold <n>", "above this many items use the approximate index (usearch)", "200000")
    .option("--shard-bytes <n>", "shard the artifact when it is larger than this many bytes, with shards of at most this size (< 25 MiB); default: shard above 8 MiB into 3 MiB shards")
    .option("--single", "always write one artifact object, however large (R2 only when over KV's 25 MiB)")
    .option("--single-beside-max <bytes>", "a sharded build also writes the version as one object (artifact.bin, which the worker swaps to after answering from shards) when it is at most this big; 0 = never (default 48 MiB)")
    .option("--for-kv", "the build will be published to KV: never write a single object over KV's 25 MiB value limit")
    .option("--min-rating <r>", "keep only interactions rated >= r (explicit data as positives)")
    .option("--seed <n>", "seed for the model", "0")
    .option("--json", "print a JSON summary")
    .action(async (opts: BuildCliOptions) => {
      const show = !opts.json;
      const dataset = await loadDataset(dataSpecFromOptions(opts), { progress: show });
      if (show) printReadReports(dataset.reports);
      let interactions: Interactions = dataset.interactions;
      if (opts.minRating !== undefined) {
        const r = Number(opts.minRating);
        if (!Number.isFinite(r)) throw new InputError(`--min-rating must be a number, got ${JSON.stringify(opts.minRating)}`);
        const keep: number[] = [];
        interactions.ratings.forEach((x, i) => x >= r && keep.push(i));
        interactions = subsetInteractions(interactions, keep);
      }
      const model = createModel(opts.model, modelParams(opts));
      const sets = itemFeatureSets(opts.itemFeatures);
      const itemFeatures = sets ? buildItemFeatures(dataset.items, { sets }).matrix : undefined;
      const fitSeconds = await fitWithProgress(model, { interactions: interactionsToCsr(interactions), itemFeatures, rng: createRng(Number(opts.seed) || 0) }, show);
      const bars = new Map<string, Progress>();
      const t0 = performance.now();
      const { artifact, report } = await buildArtifactObject({
        model,
        interactions,
        items: dataset.items,
        k: int("neighbours", opts.neighbours, 1, 1000),
        contentK: int("content-neighbours", opts.contentNeighbours, 0, 1000),
        vectorEncoding: opts.vectorEncoding,
        historyLength: int("history-length", opts.historyLength, 0, 10000),
        userTopN: int("user-top-n", opts.userTopN, 0, 1000),
        neighbourMetric: opts.metric,
        threads: int("threads", opts.threads, 1, 256),
        annThreshold: int("ann-threshold", opts.annThreshold, 0, 1e9),
        onProgress: (stage, done, total) => {
          let bar = bars.get(stage);
          if (!bar) bars.set(stage, (bar = progressBar(stage, total, show)));
          bar.update(done, total);
          if (done >= total) bar.stop();
        },
        log: (line) => show && process.stderr.write(`${line}\n`),
      });
      for (const bar of bars.values()) bar.stop();
      const shardBytes = int("shard-bytes", opts.shardBytes, 1024, 25 * 1024 * 1024 - 1);
      const bytes = await encodeArtifact(artifact);
      let written: { path: string; bytes: number; shards?: number; singleBytes?: number };
      const layout = chooseLayout(bytes.length, { single: opts.single, shardBytes });
      if (show) process.stderr.write(`layout: ${layout.layout} (${layout.why})\n`);
      if (layout.layout === "sharded") {
        // A sharded build is a directory; `--out x.bin` becomes x-shards/ beside it.
        const dir = opts.out.endsWith(".bin") ? `${opts.out.slice(0, -4)}-shards` : opts.out;
        const beside = singleBesideShards(bytes.length, { maxBytes: int("single-beside-max", opts.singleBesideMax, 0, 2 ** 31), kv: opts.forKv });
        if (show) process.stderr.write(`single object beside the shards: ${beside.write ? "yes" : "no"} (${beside.why})\n`);
        const result = await writeSharded(artifact, dir, { maxShardBytes: layout.maxShardBytes, single: beside.write ? bytes : undefined });
        written = { path: result.manifestPath, bytes: result.totalBytes, shards: result.shards, singleBytes: result.singleBytes };
      } else {
        await writeFile(opts.out, bytes);
        await decodeArtifact(bytes); // refuse to leave behind something the worker would reject
        written = { path: opts.out, bytes: bytes.length };
      }
      const summary = {
        out: written.path,
        layout: layout.layout,
        bytes: written.bytes,
        shards: written.shards ?? 0,
        singleBesideShards: written.singleBytes ?? 0,
        version: artifact.header.version,
        model: artifact.header.model.type,
        items: artifact.header.counts.items,
        users: artifact.header.counts.users,
        servingBytesPerItem: Number(servingBytesPerItem(artifact).toFixed(1)),
        fitSeconds: Number(fitSeconds.toFixed(2)),
        buildSeconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
        stageSeconds: report.seconds,
        ...(report.annRecall !== undefined ? { annRecall: report.annRecall } : {}),
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else
        process.stdout.write(
          `wrote ${summary.out} (${summary.bytes} bytes${summary.shards ? `, ${summary.shards} shards` : ""}): version ${summary.version}, ${summary.model}, ` +
            `${summary.items} items, ${summary.users} users, ${summary.servingBytesPerItem} bytes/item without display metadata; fit ${summary.fitSeconds} s, build ${summary.buildSeconds} s\n`,
        );
    });
}
