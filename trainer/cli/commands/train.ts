import { readFileSync, writeFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { foldOverlay, readOverlayFile } from "../../catalog/fold.ts";
import { addDataOptions, dataSpecFromOptions, printReadReports, type DataCliOptions } from "../../data/cli-options.ts";
import { loadDataset } from "../../data/load.ts";
import type { CsrMatrix } from "../../data/matrix.ts";
import type { Dataset, DataSpec } from "../../data/spec.ts";
import { InputError, type Interactions } from "../../data/types.ts";
import { SPLIT_KINDS, type SplitKind } from "../../eval/prepare.ts";
import { progressBar } from "../../eval/progress-bar.ts";
import { usersWithPositives, type Metrics } from "../../eval/ranking.ts";
import { BlendModel } from "../../model/blend.ts";
import type { Recommender } from "../../model/model.ts";
import { detectAnchors } from "../../report/anchors.ts";
import { renderReport, type EpochPoint } from "../../report/html.ts";
import { buildFromConfig, checkConfig, describeConfig, FeatureCache, type ModelConfig } from "../../tune/config.ts";
import { prepare, type Task } from "../../tune/prepare.ts";
import { createRng, shuffle } from "../../util/rng.ts";
import { addModelOptions, itemFeatureSets, modelParams, type ModelCliOptions } from "./evaluate.ts";

export interface TrainModelOptions {
  /** Where the data comes from (or pass an already loaded `dataset`). */
  spec?: DataSpec;
  dataset?: Dataset;
  config: ModelConfig;
  split?: SplitKind;
  fraction?: number;
  task?: Task;
  minRating?: number;
  seed?: number;
  ks?: number[];
  /** Overrides the hybrid models' `threads`. */
  threads?: number;
  /** Progress bars on stderr (only shown on a terminal). */
  progress?: boolean;
  /** Users sampled for the per-epoch held-out curve (ranking); 0 turns the curve off. */
  curveUsers?: number;
}

export interface TrainResult {
  model: Recommender;
  dataset: Dataset;
  /** The split the model was fit on (model indexes = dataset ids). */
  train: Interactions;
  test: Interactions;
  dev?: Interactions;
  metrics: Metrics;
  /** Item × metadata-feature matrix the model used (undefined for identity-only models). */
  itemFeatures?: CsrMatrix;
  history: EpochPoint[];
  curveMetric: string;
  curveNote: string;
  config: ModelConfig;
  fitSeconds: number;
  splitKind: SplitKind;
}

/**
 * Trains a configured model on the train part of a split and evaluates it on the held-out
 * part; used by `edgerec train`, `npm start` and the artifact builder. Blends fit member by
 * member so every factor model's loss and held-out metric are recorded per epoch.
 */
export async function trainModel(o: TrainModelOptions): Promise<TrainResult> {
  checkConfig(o.config);
  const seed = o.seed ?? 0;
  const task = o.task ?? "ranking";
  const dataset = o.dataset ?? (await loadDataset(o.spec ?? {}, { progress: o.progress }));
  const prepared = prepare(dataset, { split: o.split, fraction: o.fraction, task, minRating: o.minRating, seed, ks: o.ks });
  const { train, test, dev } = prepared;
  const trainM = prepared.task.matrix(train);
  if (trainM.indices.length === 0) throw new InputError("the training split has no (positive) interactions", undefined, undefined, "lower --min-rating or check the input");
  const trainRatings = prepared.task.ratings?.(train);
  const features = new FeatureCache(dataset);

  // Per-epoch monitoring on the dev split when there is one, else a sample of test users.
  const monitor = dev ?? test;
  const ks = o.ks ?? [10];
  const curveMetric = task === "rating-class" ? "pairAuc" : dev ? `hr@${ks[0]}` : `p@${ks[0]}`;
  let curveUsers: Int32Array | undefined;
  const wanted = o.curveUsers ?? 1000;
  if (task === "ranking" && wanted > 0) {
    const all = usersWithPositives(prepared.task.matrix(monitor));
    curveUsers = all.length > wanted ? shuffle(all.slice(), createRng(seed + 3000)).slice(0, wanted).sort() : all;
  }
  const curveNote =
    wanted === 0
      ? "Per-epoch held-out metric turned off."
      : `${curveMetric} per epoch on ${dev ? "the dev split" : "the test split"}${curveUsers ? ` (${curveUsers.length} sampled users)` : ""}: for monitoring only, nothing is chosen from it (hyper-parameters come from \`edgerec tune\` on validation carved from train).`;

  const history: EpochPoint[] = [];
  let itemFeatures: CsrMatrix | undefined;
  const fitOne = async (config: ModelConfig, label: string): Promise<Recommender> => {
    const built = buildFromConfig(config, features, { threads: o.threads });
    if (built.extraFit.itemFeatures && !itemFeatures) itemFeatures = built.extraFit.itemFeatures;
    const model = built.model;
    const epochs = Number(model.params().epochs);
    const bar = progressBar(`fit ${label}`, Number.isFinite(epochs) && epochs > 0 ? epochs : 1, o.progress ?? false);
    const isMse = config.model === "hybrid" && (config as { params: { loss?: string } }).params.loss === "mse";
    await model.fit({
      interactions: isMse && trainRatings ? trainRatings : trainM,
      ratings: trainRatings,
      rng: createRng(seed),
      ...built.extraFit,
      onEpoch: (epoch, info) => {
        bar.update(epoch);
        const point: EpochPoint = { model: label, epoch, loss: info.loss };
        if (wanted > 0) {
          const m = prepared.task.evaluate(model, train, monitor, dev ? undefined : undefined, curveUsers);
          point.metric = m[curveMetric];
        }
        history.push(point);
      },
    });
    bar.stop();
    return model;
  };

  const t0 = performance.now();
  let model: Recommender;
  if (o.config.model === "blend") {
    const c = o.config as Extract<ModelConfig, { model: "blend" }>;
    const members = [];
    for (let k = 0; k < c.members.length; k++) {
      members.push({ model: await fitOne(c.members[k].config, `${c.members[k].config.model}#${k + 1}`), weight: c.members[k].weight });
    }
    model = BlendModel.ofFitted(members, "blend", c.scaling ?? "per-user");
  } else {
    model = await fitOne(o.config, o.config.model);
  }
  const fitSeconds = (performance.now() - t0) / 1000;
  const metrics = prepared.task.evaluate(model, train, test, dev);
  return { model, dataset, train, test, dev, metrics, itemFeatures, history, curveMetric, curveNote, config: o.config, fitSeconds, splitKind: prepared.splitKind };
}

interface TrainCliOptions extends DataCliOptions, ModelCliOptions {
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
}

function num(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new InputError(`--${name} must be a number in ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
}

/** The model recipe from --config (tune's best.json) or from --model/--param/--item-features. */
export function configFromOptions(opts: TrainCliOptions): ModelConfig {
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
  const params = modelParams(opts);
  if (opts.model === "hybrid") {
    return { model: "hybrid", params, itemFeatures: itemFeatureSets(opts.itemFeatures) ?? [], userFeatures: Boolean(opts.userFeatures) };
  }
  return { model: opts.model, params };
}

export function register(program: Command): void {
  const cmd = program
    .command("train")
    .description("train a model (or tune's best configuration) on the train split, evaluate it on the held-out split, optionally write an HTML report and the serving artifact");
  addDataOptions(cmd);
  addModelOptions(cmd, "hybrid");
  cmd
    .option("--config <file>", "model configuration written by `edgerec tune` (overrides --model/--param)")
    .addOption(new Option("--split <kind>", "how to hold out data for evaluation (default: given files, else leave-last-out)").choices(SPLIT_KINDS))
    .option("--fraction <f>", "random / item-cold-start split share")
    .addOption(new Option("--task <task>", "ranking or rating-class").choices(["ranking", "rating-class"]).default("ranking"))
    .option("--min-rating <r>", "ranking: positives are ratings >= r; rating-class: label threshold (default 4)")
    .option("--seed <n>", "seed for splits and models", "0")
    .option("--threads <n>", "Hogwild threads for hybrid models")
    .option("--ks <list>", "cut-offs for p@k, r@k, hr@k, ndcg@k", "10")
    .option("--report <file>", "write a self-contained HTML training report")
    .option("--out <file>", "build the serving artifact into this file")
    .option("--overlay <file>", "fold the live catalogue overlay (`edgerec catalog pull`) into the catalogue first")
    .option("--json", "print one JSON object instead of a table")
    .action(async (opts: TrainCliOptions & { overlay?: string }) => {
      const show = !opts.json;
      const config = configFromOptions(opts);
      const spec = dataSpecFromOptions(opts);
      const dataset = await loadDataset(spec, { progress: show });
      if (show) printReadReports(dataset.reports);
      if (opts.overlay) {
        const folded = foldOverlay(dataset, readOverlayFile(opts.overlay));
        if (show) process.stderr.write(`overlay v${folded.overlayVersion}: ${folded.updated} items updated, ${folded.added} new products added, ${folded.skipped} skipped (removed or untitled), ${folded.live} still live (stock/hidden/removed stay in the overlay)\n`);
      }
      const minRating = num("min-rating", opts.minRating, -1e9, 1e9);
      const ks = opts.ks.split(",").map((k) => num("ks", k, 1, 1e6)!);
      const result = await trainModel({
        dataset,
        config,
        split: opts.split,
        fraction: num("fraction", opts.fraction, 0, 1),
        task: opts.task,
        minRating,
        seed: num("seed", opts.seed, 0, 2 ** 31) ?? 0,
        threads: num("threads", opts.threads, 1, 256),
        ks,
        progress: show,
      });
      if (opts.report) {
        const files = [...(opts.train ?? []), ...(opts.dev ?? []), ...(opts.test ?? []), ...(opts.interactions ?? [])];
        const itemCounts = new Int32Array(result.dataset.interactions.itemIds.length);
        for (let p = 0; p < result.train.items.length; p++) itemCounts[result.train.items[p]]++;
        const html = renderReport({
          title: `edgerec training report: ${describeConfig(config)}`,
          generatedAt: new Date(),
          data: {
            users: result.dataset.interactions.userIds.length,
            items: itemCounts.length,
            train: result.train.users.length,
            test: result.test.users.length,
            dev: result.dev?.users.length,
            split: result.splitKind,
            task: opts.task,
          },
          model: { description: describeConfig(config), config, fitSeconds: result.fitSeconds },
          history: result.history,
          curveMetric: result.curveMetric,
          curveNote: result.curveNote,
          metrics: result.metrics,
          anchors: detectAnchors(files, opts.task, minRating),
          itemCounts,
        });
        writeFileSync(opts.report, html);
      }
      if (opts.out) {
        const { buildArtifact } = await import("../../artifact/build.ts");
        const bytes = await buildArtifact({
          model: result.model,
          interactions: result.train,
          items: result.dataset.items,
          itemFeatures: result.itemFeatures,
          metrics: result.metrics,
          headlineMetric: result.curveMetric,
          // The demo's model card charts these (src/demo/model-card.ts).
          extra: { trainingHistory: result.history, curveMetric: result.curveMetric },
        });
        writeFileSync(opts.out, bytes);
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify({ config, metrics: result.metrics, fitSeconds: result.fitSeconds, history: result.history, report: opts.report, artifact: opts.out }) + "\n");
        return;
      }
      const lines = [
        `model ${describeConfig(config)}`,
        `split ${result.splitKind}: train ${result.train.users.length}, ${result.dev ? `dev ${result.dev.users.length}, ` : ""}test ${result.test.users.length} interactions`,
        `fit ${result.fitSeconds.toFixed(2)} s`,
        "",
        ...Object.entries(result.metrics).map(([k, v]) => `${k.padEnd(12)} ${Number.isInteger(v) ? v : v.toFixed(4)}`),
        opts.report ? `\nreport: ${opts.report}` : "",
        opts.out ? `artifact: ${opts.out}` : "",
      ];
      process.stdout.write(lines.filter((l) => l !== "").join("\n") + "\n");
    });
}
