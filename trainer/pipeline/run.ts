import { writeFileSync } from "node:fs";
import { buildArtifactObject } from "../artifact/build.ts";
import { foldOverlay, readOverlayFile } from "../catalog/fold.ts";
import { sequencesFromInteractions } from "../data/item-sequences.ts";
import { loadDataset } from "../data/load.ts";
import { dropForgotten } from "../privacy/drop-forgotten.ts";
import { readTombstones, type TombstoneSource } from "../privacy/tombstones.ts";
import type { CsrMatrix } from "../data/matrix.ts";
import type { Dataset, DataSpec } from "../data/spec.ts";
import { InputError, type Interactions } from "../data/types.ts";
import type { SplitKind } from "../eval/prepare.ts";
import { usersWithPositives, type Metrics } from "../eval/ranking.ts";
import { BlendModel } from "../model/blend.ts";
import type { Recommender } from "../model/model.ts";
import { createModel } from "../model/registry.ts";
import { detectAnchors } from "../report/anchors.ts";
import { renderReport, type EpochPoint } from "../report/html.ts";
import { describeConfig, FeatureCache, type ModelConfig } from "../tune/config.ts";
import { prepare, type Prepared, type Task } from "../tune/prepare.ts";
import { createRng, shuffle } from "../util/rng.ts";
import { type CandidateSummary, stringAt, type TrainedOn } from "../../src/artifact/index.ts";
import { catalogSketch } from "./catalog-sketch.ts";
import { allInteractions } from "./all-interactions.ts";
import { candidateSummaries } from "./candidates-table.ts";
import { AUTO_DEFAULTS, chooseModel, type AutoOptions } from "./choose.ts";
import { fitConfig, type FittedConfig } from "./fit.ts";
import { fillItemUrls } from "./item-urls.ts";
import { DEFAULT_QUALITY_THRESHOLDS, formatQuality, measureQuality, qualitySummary, qualityViolations, type DataQuality, type QualityThresholds } from "./quality.ts";
import { describeSource, trainedOn } from "./trained-on.ts";
import { writeArtifact, type LayoutOptions, type WrittenArtifact } from "./write-artifact.ts";

/** Settings of the artifact build (neighbour lists, vectors, histories). */
export interface ArtifactSettings {
  k?: number;
  contentK?: number;
  vectorEncoding?: "int8" | "float16";
  historyLength?: number;
  userTopN?: number;
  neighbourMetric?: "cosine" | "dot";
  threads?: number;
  annThreshold?: number;
}

export interface PipelineOptions {
  /** Where the data comes from (or pass an already loaded `dataset`). */
  spec?: DataSpec;
  dataset?: Dataset;
  /** "auto" compares model families on validation; a configuration fits just that one. */
  model: "auto" | ModelConfig;
  auto?: Partial<AutoOptions>;
  split?: SplitKind;
  fraction?: number;
  task?: Task;
  minRating?: number;
  seed?: number;
  ks?: number[];
  /** Overrides the hybrid models' `threads`. */
  threads?: number;
  /** Progress bars and step lines on stderr. */
  progress?: boolean;
  /** Users sampled for the per-epoch held-out curve of a fixed configuration; 0 turns it off. */
  curveUsers?: number;
  /**
   * Fit the chosen configuration again on every interaction (train + dev + test) before building
   * the artifact (default). false serves the model evaluated on the train split (research).
   */
  refit?: boolean;
  /** What the data is, recorded in the artifact (default: the files' base names). */
  sourceLabel?: string;
  /** The live catalogue overlay (`edgerec catalog pull`), folded into the catalogue before the split. */
  overlay?: string;
  /** Forgotten shoppers (the worker's tombstones): dropped from every split before anything is fitted. */
  forgetFrom?: TombstoneSource;
  /** Fills missing product URLs, e.g. 'https://shop.example/p/{id}'. */
  itemUrlTemplate?: string;
  quality?: QualityThresholds;
  /** Build the serving artifact here (sharded builds: a directory beside it). */
  out?: string;
  /** Fit the served model even without an artifact (e.g. `predict` scores with it); default: only with `out`. */
  fitServed?: boolean;
  artifact?: ArtifactSettings;
  layout?: LayoutOptions;
  /** Write the HTML report here. */
  report?: string;
  log?: (line: string) => void;
}

export interface PipelineResult {
  dataset: Dataset;
  prepared: Prepared;
  config: ModelConfig;
  /** Every candidate compared (one row for a fixed configuration). */
  candidates: CandidateSummary[];
  /** The validation metric candidates were chosen by. */
  primary: string;
  /** Test metrics of the chosen configuration fitted on the train split. */
  metrics: Metrics;
  headlineMetric: string;
  fitSeconds: number;
  history: EpochPoint[];
  curveMetric: string;
  curveNote: string;
  quality: DataQuality;
  /** Quality thresholds crossed (warnings here; `edgerec gate` fails on them). */
  warnings: string[];
  /** The model the artifact serves, and what it was fitted on. */
  served: { model: Recommender; interactions: Interactions; itemFeatures?: CsrMatrix; refit: boolean; trainedOn: TrainedOn };
  artifact?: WrittenArtifact;
  /** With --forget-from: tombstones read, and the shoppers and interactions they removed here. */
  forgotten?: { onRecord: number; users: number; rows: number };
}

export function forgottenLine(f: NonNullable<PipelineResult["forgotten"]>): string {
  return `forgotten shoppers: ${f.onRecord} on record, ${f.users} with data here (${f.rows} interactions dropped before fitting)`;
}

/**
 * The one training pipeline every entry point runs (train, evaluate, build-artifact, predict,
 * tune's final fit, npm start, ci:train):
 *   load → split → choose on validation → evaluate on test → refit the choice on every
 *   interaction → build the artifact (single or sharded by size) → write the report.
 */
export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const log = o.log ?? (o.progress ? (line: string) => process.stderr.write(`${line}\n`) : () => {});
  const seed = o.seed ?? 0;
  const task = o.task ?? "ranking";
  const ks = o.ks ?? [10];

  // 1. load
  const dataset = o.dataset ?? (await loadDataset(o.spec ?? {}, { progress: o.progress }));
  if (o.overlay) {
    const f = foldOverlay(dataset, readOverlayFile(o.overlay));
    log(`overlay v${f.overlayVersion}: ${f.updated} items updated, ${f.added} new products added, ${f.skipped} skipped (removed or untitled), ${f.live} still live (stock/hidden/removed stay in the overlay)`);
  }
  let forgotten: PipelineResult["forgotten"];
  if (o.forgetFrom) {
    const ids = await readTombstones(o.forgetFrom);
    forgotten = { onRecord: ids.size, ...withoutForgotten(dataset, ids) };
    log(forgottenLine(forgotten));
  }
  const all = allInteractions(dataset);
  if (o.itemUrlTemplate) {
    const known = new Set(dataset.items.map((m) => m.id));
    for (const id of all.itemIds) if (!known.has(id)) dataset.items.push({ id });
    log(`item URLs: ${fillItemUrls(dataset.items, o.itemUrlTemplate)} filled from ${o.itemUrlTemplate}`);
  }
  const quality = measureQuality(dataset, all);
  for (const line of formatQuality(quality)) log(line);
  const warnings = qualityViolations(quality, o.quality ?? DEFAULT_QUALITY_THRESHOLDS);
  for (const w of warnings) log(`warning: ${w} (\`edgerec gate\` fails on this)`);

  // 2. split
  const prepared = prepare(dataset, { split: o.split, fraction: o.fraction, task, minRating: o.minRating, seed, ks });
  if (prepared.task.matrix(prepared.train).indices.length === 0) {
    throw new InputError("the training split has no (positive) interactions", undefined, undefined, "lower --min-rating or check the input");
  }
  const features = new FeatureCache(dataset);
  const headlineMetric = task === "rating-class" ? "pairAuc" : prepared.dev ? `hr@${ks[0]}` : `p@${ks[0]}`;

  // 3–4. choose on validation, evaluate on test
  let config: ModelConfig;
  let onTrain: FittedConfig;
  let candidates: CandidateSummary[];
  let primary: string;
  let curveNote: string;
  if (o.model === "auto") {
    const auto = { ...AUTO_DEFAULTS, ...o.auto };
    log(`choosing a model on validation (${prepared.tuneData.primary}; time budget ${auto.budgetSeconds} s):`);
    const choice = await chooseModel({ dataset, prepared, features, seed, threads: o.threads, progress: o.progress, log }, auto);
    config = choice.config;
    onTrain = choice.onTrain;
    candidates = candidateSummaries(choice.candidates);
    primary = choice.primary;
    curveNote = "Training loss per epoch of the chosen model's factor members (fitted on the train split); auto chose on the validation split, never on test.";
  } else {
    config = o.model;
    const monitorOn = prepared.dev ?? prepared.test;
    let curveUsers: Int32Array | undefined;
    const wanted = o.curveUsers ?? 1000;
    if (task === "ranking" && wanted > 0) {
      const users = usersWithPositives(prepared.task.matrix(monitorOn));
      curveUsers = users.length > wanted ? shuffle(users.slice(), createRng(seed + 3000)).slice(0, wanted).sort() : users;
    }
    const curveMetric = task === "rating-class" ? "pairAuc" : headlineMetric;
    onTrain = await fitConfig(config, prepared.task.matrix(prepared.train), features, {
      seed,
      sequences: sequencesFromInteractions(prepared.train),
      threads: o.threads,
      progress: o.progress,
      ratings: prepared.task.ratings?.(prepared.train),
      monitor: wanted > 0 ? (m) => prepared.task.evaluate(m, prepared.train, monitorOn, undefined, curveUsers)[curveMetric] : undefined,
    });
    primary = headlineMetric;
    curveNote =
      wanted === 0
        ? "Per-epoch held-out metric turned off."
        : `${curveMetric} per epoch on ${prepared.dev ? "the dev split" : "the test split"}${curveUsers ? ` (${curveUsers.length} sampled users)` : ""}: for monitoring only, nothing is chosen from it.`;
    candidates = [];
  }
  const metrics = prepared.task.evaluate(onTrain.model, prepared.train, prepared.test, prepared.dev);
  if (candidates.length === 0) {
    candidates = [{ family: config.model, description: describeConfig(config), test: metrics, fitSeconds: Number(onTrain.seconds.toFixed(2)), chosen: true }];
  }
  log(`model ${describeConfig(config)}: test ${headlineMetric} ${(metrics[headlineMetric] ?? NaN).toFixed(4)}`);

  // 5. refit on every interaction (what the shop serves), unless asked to keep the evaluated model
  const refit = o.refit !== false;
  let served: PipelineResult["served"];
  const { source, generatedSample } = describeSource(o.spec ?? {}, o.sourceLabel);
  if (refit && (o.out || o.fitServed)) {
    const t0 = performance.now();
    const fitted = await fitConfig(config, prepared.task.matrix(all), features, { seed, threads: o.threads, progress: o.progress, ratings: prepared.task.ratings?.(all), sequences: sequencesFromInteractions(all) });
    log(`refit on all ${all.users.length} interactions (train + dev + test) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    served = { model: await withNeighbourSource(fitted.model, prepared.task.matrix(all), seed), interactions: all, itemFeatures: fitted.itemFeatures, refit: true, trainedOn: trainedOn(all, source, generatedSample) };
  } else {
    served = {
      model: await withNeighbourSource(onTrain.model, prepared.task.matrix(prepared.train), seed),
      interactions: prepared.train,
      itemFeatures: onTrain.itemFeatures,
      refit: false,
      trainedOn: trainedOn(prepared.train, source, generatedSample),
    };
  }

  // 6. artifact, single or sharded by size
  let artifact: WrittenArtifact | undefined;
  if (o.out) {
    const a = o.artifact ?? {};
    const { artifact: built } = await buildArtifactObject({
      model: served.model,
      interactions: served.interactions,
      items: dataset.items,
      itemFeatures: served.itemFeatures,
      metrics,
      headlineMetric,
      trainedOn: served.trainedOn,
      candidates,
      k: a.k,
      contentK: a.contentK,
      vectorEncoding: a.vectorEncoding,
      historyLength: a.historyLength,
      userTopN: a.userTopN,
      neighbourMetric: a.neighbourMetric,
      threads: a.threads,
      annThreshold: a.annThreshold,
      log,
      // The demo's model card charts these (src/site/model-card.ts).
      extra: { trainingHistory: onTrain.history, curveMetric: headlineMetric, candidatesPrimary: primary },
    });
    built.header.dataQuality = qualitySummary(quality);
    built.header.catalogSketch = catalogSketch(Array.from({ length: built.header.counts.items }, (_, i) => stringAt(built.items.ids, i)));
    artifact = await writeArtifact(built, o.out, o.layout, log);
  }

  const result: PipelineResult = {
    dataset,
    prepared,
    config,
    candidates,
    primary,
    metrics,
    headlineMetric,
    fitSeconds: onTrain.seconds,
    history: onTrain.history,
    curveMetric: headlineMetric,
    curveNote,
    quality,
    warnings,
    served,
    artifact,
    forgotten,
  };

  // 7. report
  if (o.report) writeFileSync(o.report, pipelineReport(result, o, task));
  return result;
}

/**
 * The artifact's similar-item lists come from item vectors or item–item similarities. A model
 * with neither (popularity) keeps its ranking, with the lists from item-kNN on the same data.
 */
async function withNeighbourSource(model: Recommender, interactions: CsrMatrix, seed: number): Promise<Recommender> {
  if (model.itemVectors || model.itemSimilarities) return model;
  const knn = createModel("itemknn", {});
  await knn.fit({ interactions, rng: createRng(seed) });
  return BlendModel.ofFitted([{ model, weight: 1 }, { model: knn, weight: 0 }], model.name, "none");
}

function pipelineReport(r: PipelineResult, o: PipelineOptions, task: Task): string {
  const files = [...(o.spec?.splits?.train ?? []), ...(o.spec?.splits?.dev ?? []), ...(o.spec?.splits?.test ?? []), ...(o.spec?.interactions ?? [])];
  const itemCounts = new Int32Array(r.dataset.interactions.itemIds.length);
  for (let p = 0; p < r.prepared.train.items.length; p++) itemCounts[r.prepared.train.items[p]]++;
  const t = r.served.trainedOn;
  return renderReport({
    title: `edgerec training report: ${describeConfig(r.config)}`,
    generatedAt: new Date(),
    data: {
      users: r.dataset.interactions.userIds.length,
      items: itemCounts.length,
      train: r.prepared.train.users.length,
      test: r.prepared.test.users.length,
      dev: r.prepared.dev?.users.length,
      split: r.prepared.splitKind,
      task,
    },
    model: { description: describeConfig(r.config), config: r.config, fitSeconds: r.fitSeconds },
    history: r.history,
    curveMetric: r.curveMetric,
    curveNote: r.curveNote,
    metrics: r.metrics,
    anchors: detectAnchors(files, task, o.minRating),
    itemCounts,
    candidates: r.candidates,
    candidatesPrimary: r.primary,
    quality: { lines: formatQuality(r.quality), warnings: r.warnings },
    published: !o.out
      ? undefined
      : r.served.refit
      ? `The metrics below evaluate the chosen model fitted on the train split. The published model is the same configuration refitted on all ${t.interactions} interactions (${t.users} users, ${t.items} items${t.lastTime ? `, up to ${t.lastTime.slice(0, 10)}` : ""}).`
      : `The published model is the one evaluated below, fitted on the train split only (--no-refit): ${t.interactions} interactions.`,
  });
}

/**
 * Removes forgotten shoppers from the dataset in place: the interactions, every split (they share
 * one id space, and dropForgotten re-numbers users the same way for each) and user features.
 */
function withoutForgotten(dataset: Dataset, forgotten: ReadonlySet<string>): { users: number; rows: number } {
  if (forgotten.size === 0) return { users: 0, rows: 0 };
  const main = dropForgotten(dataset.interactions, forgotten);
  dataset.interactions = main.interactions;
  let rows = main.droppedRows;
  let users = main.droppedUsers;
  if (dataset.splits) {
    const { train, dev, test } = dataset.splits;
    const t = dropForgotten(train, forgotten);
    const d = dev && dropForgotten(dev, forgotten);
    const x = test && dropForgotten(test, forgotten);
    dataset.splits = { train: t.interactions, dev: d?.interactions, test: x?.interactions };
    // With splits, dataset.interactions is the train split: count the held-out rows too.
    rows = t.droppedRows + (d?.droppedRows ?? 0) + (x?.droppedRows ?? 0);
    users = Math.max(users, t.droppedUsers, d?.droppedUsers ?? 0, x?.droppedUsers ?? 0);
  }
  for (const id of forgotten) dataset.userFeatures?.delete(id);
  return { users, rows };
}
