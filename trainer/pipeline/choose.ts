import type { Dataset } from "../data/spec.ts";
import type { Metrics } from "../eval/ranking.ts";
import { ALL_ITEM_FEATURE_SETS } from "../features/item-features.ts";
import { BlendModel } from "../model/blend.ts";
import type { Recommender } from "../model/model.ts";
import { describeConfig, type FeatureCache, type ModelConfig } from "../tune/config.ts";
import type { Prepared } from "../tune/prepare.ts";
import { sequencesFromInteractions } from "../data/item-sequences.ts";
import { fitConfig, type FittedConfig } from "./fit.ts";

/**
 * `--model auto`: which model families are fitted, and within what time. The defaults keep
 * `npm start` on the sample store under a minute on 2 cores (docs/training.md).
 */
export interface AutoOptions {
  /** Start no new candidate after this many seconds (the running one finishes; popularity always runs). */
  budgetSeconds: number;
  /** EASE inverts an items × items matrix: only when the catalogue has at most this many items. */
  easeMaxItems: number;
  /** The hybrid factorisation's settings (epochs fixed, so the refit on every interaction is the same recipe). */
  hybrid: { components: number; epochs: number };
  /** Blend weights of the best two candidates tried on validation. */
  blendWeights: number[];
}

export const AUTO_DEFAULTS: AutoOptions = {
  budgetSeconds: 30,
  easeMaxItems: 5_000,
  hybrid: { components: 32, epochs: 15 },
  blendWeights: [0.25, 0.5, 0.75],
};

/** One row of the candidates table (terminal, HTML report, artifact header, demo model card). */
export interface CandidateRow {
  family: string;
  description: string;
  config?: ModelConfig;
  /** Metrics on the validation split (what the choice is made on). */
  validation?: Metrics;
  /** Metrics on the test split (reported only; never used to choose). */
  test?: Metrics;
  fitSeconds: number;
  chosen: boolean;
  /** Why the candidate was not fitted (time budget, catalogue too large…). */
  skipped?: string;
}

export interface Choice {
  config: ModelConfig;
  /** The metric candidates are ranked by on validation. */
  primary: string;
  candidates: CandidateRow[];
  /** The chosen configuration fitted on the train split (what the test metrics describe). */
  onTrain: FittedConfig;
}

export interface ChooseContext {
  dataset: Dataset;
  prepared: Prepared;
  features: FeatureCache;
  seed: number;
  threads?: number;
  progress?: boolean;
  log?: (line: string) => void;
}

/** The candidate families auto fits for this data, in the order they are tried (cheap first). */
export function autoCandidates(dataset: Dataset, task: "ranking" | "rating-class", o: AutoOptions = AUTO_DEFAULTS): Array<{ family: string; config?: ModelConfig; skipped?: string }> {
  const nItems = dataset.interactions.itemIds.length;
  const hasMetadata = dataset.items.some((m) => m.title || m.brand || (m.categories?.length ?? 0) > 0 || m.description);
  const out: Array<{ family: string; config?: ModelConfig; skipped?: string }> = [
    { family: "popularity", config: { model: "popularity", params: {} } },
    { family: "item-kNN", config: { model: "itemknn", params: {} } },
  ];
  out.push(
    nItems <= o.easeMaxItems
      ? { family: "EASE", config: { model: "ease", params: { lambda: 500 } } }
      : { family: "EASE", skipped: `catalogue of ${nItems} items is over ${o.easeMaxItems} (EASE keeps an items × items matrix in memory)` },
  );
  out.push({
    family: hasMetadata ? "hybrid + catalogue" : "hybrid",
    config: {
      model: "hybrid",
      params: { loss: task === "rating-class" ? "logistic" : "warp", components: o.hybrid.components, epochs: o.hybrid.epochs },
      itemFeatures: hasMetadata ? ALL_ITEM_FEATURE_SETS : [],
      userFeatures: false,
    },
  });
  // The order-aware model reads each shopper's latest items: worth a fit only when there is an order.
  const timed = dataset.interactions.times.some((t) => !Number.isNaN(t));
  if (task === "ranking") {
    out.push(
      !timed
        ? { family: "SLIST (order-aware)", skipped: "the interactions have no times, so there is no order to learn" }
        : nItems <= o.easeMaxItems
          ? { family: "SLIST (order-aware)", config: { model: "slist", params: {} } }
          : { family: "SLIST (order-aware)", skipped: `catalogue of ${nItems} items is over ${o.easeMaxItems} (SLIST inverts an items × items matrix)` },
    );
  }
  return out;
}

/** A candidate's validation score; NaN (no validation users) ranks last. */
const primaryOf = (m: Metrics | undefined, primary: string) => {
  const v = m?.[primary];
  return v !== undefined && Number.isFinite(v) ? v : -Infinity;
};

/**
 * Fits every candidate on the validation split's train part, scores validation (the choice)
 * and test (reported), tries a blend of the best two, and picks the best on validation.
 * The test split is never used to choose. A later search (trainer/tune) can stand in for
 * this function: the pipeline only needs a Choice back.
 */
export async function chooseModel(ctx: ChooseContext, o: AutoOptions = AUTO_DEFAULTS): Promise<Choice> {
  const { prepared, features } = ctx;
  const log = ctx.log ?? (() => {});
  const primary = prepared.tuneData.primary;
  const task = prepared.tuneData.task;
  // With a dev split, validation trains on the train split itself: one fit serves both scores.
  const sameFit = prepared.dev !== undefined;
  const trainM = sameFit ? prepared.tuneData.validTrain : prepared.task.matrix(prepared.train);
  const fitOpts = { seed: ctx.seed, threads: ctx.threads, progress: ctx.progress, ratings: prepared.tuneData.validTrainRatings, sequences: prepared.tuneData.validTrainSequences };
  const t0 = performance.now();
  const rows: CandidateRow[] = [];
  const fitted: Array<{ row: CandidateRow; valid: Recommender; train: FittedConfig }> = [];
  const testMetrics = (m: Recommender) => prepared.task.evaluate(m, prepared.train, prepared.test, prepared.dev);

  for (const c of autoCandidates(ctx.dataset, task, o)) {
    if (!c.config) {
      rows.push({ family: c.family, description: c.family, fitSeconds: 0, chosen: false, skipped: c.skipped });
      continue;
    }
    const description = describeConfig(c.config);
    const elapsed = (performance.now() - t0) / 1000;
    if (fitted.length > 0 && elapsed > o.budgetSeconds) {
      rows.push({ family: c.family, description, config: c.config, fitSeconds: 0, chosen: false, skipped: `time budget of ${o.budgetSeconds} s used up (${elapsed.toFixed(1)} s); raise --auto-budget` });
      continue;
    }
    const onValid = await fitConfig(c.config, prepared.tuneData.validTrain, features, fitOpts);
    const validation = prepared.tuneData.validate(onValid.model);
    const onTrain = sameFit ? onValid : await fitConfig(c.config, trainM, features, { ...fitOpts, ratings: prepared.task.ratings?.(prepared.train), sequences: sequencesFromInteractions(prepared.train) });
    const row: CandidateRow = { family: c.family, description, config: c.config, validation, test: testMetrics(onTrain.model), fitSeconds: onValid.seconds, chosen: false };
    rows.push(row);
    fitted.push({ row, valid: onValid.model, train: onTrain });
    log(`  ${c.family}: validation ${primary} ${fmt(validation[primary])} (fit ${onValid.seconds.toFixed(1)} s)`);
  }

  // A blend of the two best on validation, when one of its weightings beats both.
  const ranked = fitted.slice().sort((a, b) => primaryOf(b.row.validation, primary) - primaryOf(a.row.validation, primary));
  let blend: { row: CandidateRow; train: FittedConfig } | undefined;
  if (ranked.length >= 2 && o.blendWeights.length > 0) {
    const [a, b] = ranked;
    const scaling = task === "rating-class" ? "none" : "per-user";
    let best: { weight: number; validation: Metrics } | undefined;
    for (const weight of o.blendWeights) {
      const validation = prepared.tuneData.validate(BlendModel.ofFitted([{ model: a.valid, weight }, { model: b.valid, weight: 1 - weight }], "blend", scaling));
      if (!best || primaryOf(validation, primary) > primaryOf(best.validation, primary)) best = { weight, validation };
    }
    const margin = task === "ranking" ? standardError(a.row.validation!, primary) : 0;
    if (best && primaryOf(best.validation, primary) > primaryOf(a.row.validation, primary) + margin) {
      const config: ModelConfig = { model: "blend", scaling, members: [{ weight: best.weight, config: a.row.config! }, { weight: 1 - best.weight, config: b.row.config! }] };
      const model = BlendModel.ofFitted([{ model: a.train.model, weight: best.weight }, { model: b.train.model, weight: 1 - best.weight }], "blend", scaling);
      const row: CandidateRow = { family: "blend", description: describeConfig(config), config, validation: best.validation, test: testMetrics(model), fitSeconds: a.row.fitSeconds + b.row.fitSeconds, chosen: false };
      rows.push(row);
      blend = { row, train: { model, itemFeatures: a.train.itemFeatures ?? b.train.itemFeatures, history: [...a.train.history, ...b.train.history], seconds: row.fitSeconds } };
      log(`  blend ${best.weight.toFixed(2)}×${a.row.family} + ${(1 - best.weight).toFixed(2)}×${b.row.family}: validation ${primary} ${fmt(best.validation[primary])}`);
    } else {
      const got = best ? `best weighting ${fmt(best.validation[primary])}` : "no weighting";
      rows.push({
        family: "blend",
        description: `blend of ${a.row.family} and ${b.row.family}`,
        fitSeconds: 0,
        chosen: false,
        skipped: `${got} did not beat ${a.row.family}'s ${fmt(a.row.validation![primary])} by one standard error (${fmt(margin)}) on validation`,
      });
    }
  }

  const winner = blend ?? ranked[0];
  if (!winner) throw new Error("auto: no candidate could be fitted");
  winner.row.chosen = true;
  return { config: winner.row.config!, primary, candidates: rows, onTrain: winner.train };
}

/**
 * One standard error of a hit-rate-like metric over the validation users (binomial). A blend
 * costs two fits and is kept only when it wins by more than this (the one-standard-error rule:
 * on small validation sets a blend's edge is mostly noise; Gift Cards' 0.007 edge was).
 */
function standardError(m: Metrics, primary: string): number {
  const p = m[primary];
  const n = m.users;
  if (!(p >= 0 && p <= 1) || !(n > 0)) return 0;
  return Math.sqrt((p * (1 - p)) / n);
}

function fmt(v: number | undefined): string {
  return v === undefined ? "–" : v.toFixed(4);
}
