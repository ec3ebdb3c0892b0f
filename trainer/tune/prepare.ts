import { interactionsToCsr } from "../data/interactions-matrix.ts";
import { sequencesFromInteractions } from "../data/item-sequences.ts";
import type { CsrMatrix } from "../data/matrix.ts";
import type { Dataset } from "../data/spec.ts";
import { InputError, type Interactions } from "../data/types.ts";
import { pairRocAuc, scorePairs } from "../eval/pair-auc.ts";
import { splitDataset, type SplitKind } from "../eval/prepare.ts";
import { evaluateRanking, usersWithPositives, type Metrics } from "../eval/ranking.ts";
import { holdOutPerUser } from "../eval/splits.ts";
import type { FitInput, ItemSequences, Recommender } from "../model/model.ts";
import { createRng, shuffle } from "../util/rng.ts";
import type { PrepareOptions, Task, TuneData, TuneDataRecipe } from "./types.ts";

export type { PrepareOptions, Task, TuneDataRecipe } from "./types.ts";

/** Users validation scores by default: a standard error of about 0.004 at HR@10 0.09, seconds a pass at 12k items. */
export const DEFAULT_VALIDATION_USERS = 5000;

/** The matrices one task learns from and is scored on. */
export interface TaskMatrices {
  /** What ranking models and logistic fit on (positives, or ±1 labels). */
  matrix(x: Interactions): CsrMatrix;
  /** Ratings as values (rating-class with explicit ratings; for the mse loss). */
  ratings?(x: Interactions): CsrMatrix;
  /** The held-out metrics of a fitted model. */
  evaluate(model: Recommender, train: Interactions, test: Interactions, exclude?: Interactions, users?: Int32Array, coverageMarks?: Uint8Array[]): Metrics;
  primary: string;
}

export function taskMatrices(opts: PrepareOptions, hasRatings: boolean): TaskMatrices {
  const ks = opts.ks ?? [10];
  if (opts.task === "rating-class") {
    if (!hasRatings) throw new InputError("--task rating-class needs explicit ratings", undefined, undefined, "use --task ranking for implicit data");
    const threshold = opts.minRating ?? 4;
    const matrix = (x: Interactions) => interactionsToCsr(x, { kind: "labels", threshold });
    return {
      matrix,
      ratings: (x) => interactionsToCsr(x, { kind: "rating" }),
      evaluate(model, _train, test) {
        const labels = Float32Array.from(test.ratings, (r) => (r >= threshold ? 1 : 0));
        return { pairAuc: pairRocAuc(scorePairs(model, test.itemIds.length, test.users, test.items), labels), pairs: labels.length };
      },
      primary: "pairAuc",
    };
  }
  const matrix = (x: Interactions) =>
    opts.minRating !== undefined ? interactionsToCsr(x, { kind: "positives", threshold: opts.minRating }) : interactionsToCsr(x, { kind: "ones" });
  // Tuning scores the same splits over and over (every epoch check, every blend grid point):
  // each is converted once. evaluateRanking only reads the matrices.
  const converted = new WeakMap<Interactions, CsrMatrix>();
  const histories = new WeakMap<Interactions, WeakMap<Interactions, ItemSequences>>();
  // Ranking test behind a dev split: the user is scored from train followed by the dev item,
  // as the served model (refit on everything) sees every earlier interaction.
  const observed = (train: Interactions, dev: Interactions) => {
    let byDev = histories.get(train);
    if (!byDev) histories.set(train, (byDev = new WeakMap()));
    let h = byDev.get(dev);
    if (!h) byDev.set(dev, (h = sequencesFromInteractions(concatInteractions([train, dev], opts.minRating))));
    return h;
  };
  const scored = (x: Interactions) => {
    let m = converted.get(x);
    if (!m) converted.set(x, (m = matrix(x)));
    return m;
  };
  return {
    matrix,
    evaluate(model, train, test, exclude, users, coverageMarks) {
      return evaluateRanking(model, {
        train: scored(train),
        test: scored(test),
        exclude: exclude ? [scored(exclude)] : [],
        ks,
        users,
        coverageMarks,
        histories: exclude ? observed(train, exclude) : undefined,
      });
    },
    primary: `p@${ks[0]}`,
  };
}

export interface Prepared {
  train: Interactions;
  dev?: Interactions;
  test: Interactions;
  coldItems?: Int32Array;
  task: TaskMatrices;
  /** Validation carved from train (dev split when there is one), never test. */
  tuneData: TuneData;
  splitKind: SplitKind;
}

/** Splits a dataset for training/evaluation and carves the validation split tuning may look at. */
export function prepare(dataset: Dataset, opts: PrepareOptions): Prepared {
  const kind: SplitKind = opts.split ?? (dataset.splits ? "given" : "leave-last-out");
  const split = splitDataset(dataset, { kind, fraction: opts.fraction, rng: createRng(opts.seed) });
  const hasRatings = split.train.ratings.some((r) => !Number.isNaN(r));
  const task = taskMatrices(opts, hasRatings);
  let validTrain: Interactions;
  let valid: Interactions;
  if (split.dev) {
    validTrain = split.train;
    valid = split.dev;
  } else {
    const held = holdOutPerUser(split.train, opts.validPerUser ?? 5, createRng(opts.seed + 1000));
    validTrain = held.train;
    valid = held.valid;
  }
  let users: Int32Array | undefined;
  if (opts.task === "ranking") {
    const all = usersWithPositives(task.matrix(valid));
    const max = opts.maxValidUsers ?? DEFAULT_VALIDATION_USERS;
    users = all.length > max ? shuffle(all.slice(), createRng(opts.seed + 2000)).slice(0, max).sort() : all;
  }
  const primary = opts.task === "ranking" && split.dev ? `hr@${(opts.ks ?? [10])[0]}` : task.primary;
  const tuneData = tuneDataFrom({ validTrain, valid, users, primary, options: opts, hasRatings, items: dataset.items, userIds: dataset.interactions.userIds, userFeatures: dataset.userFeatures });
  return { train: split.train, dev: split.dev, test: split.test, coldItems: (split as { coldItems?: Int32Array }).coldItems, task, tuneData, splitKind: kind };
}

/** The tuning data of a validation split: matrices, order and the validation pass (the recipe rides along for workers). */
export function tuneDataFrom(recipe: TuneDataRecipe): TuneData {
  const { validTrain, valid, users, options: opts } = recipe;
  const task = taskMatrices(opts, recipe.hasRatings);
  return {
    validTrain: task.matrix(validTrain),
    validTrainRatings: task.ratings?.(validTrain),
    ...(opts.task === "ranking" ? { validTrainSequences: sequencesFromInteractions(validTrain), ordered: validTrain.times.some((t) => !Number.isNaN(t)) } : {}),
    validate: (m, subset) => task.evaluate(m, validTrain, valid, undefined, subset?.users ?? users, subset?.coverageMarks),
    ...(users ? { validationUsers: users, cutoffs: (opts.ks ?? [10]).slice().sort((a, b) => a - b) } : {}),
    primary: recipe.primary,
    task: opts.task,
    items: recipe.items,
    userIds: recipe.userIds,
    userFeatures: recipe.userFeatures,
    recipe,
  };
}

/**
 * What every fit during tuning learns from: validTrain, its ratings and its time order. `edgerec
 * train --config` fits with the same parts of its train split, so a configuration is refit as scored.
 */
export function validTrainInput(data: TuneData): Pick<FitInput, "interactions" | "ratings" | "sequences"> {
  return { interactions: data.validTrain, ratings: data.validTrainRatings, sequences: data.validTrainSequences };
}

/**
 * Rows of several splits of one id space, in split order (kept rows only: ratings >= minRating
 * when it is given, as the ranking matrices keep them).
 */
function concatInteractions(parts: Interactions[], minRating: number | undefined): Interactions {
  const keep = (x: Interactions, r: number) => minRating === undefined || x.ratings[r] >= minRating;
  let n = 0;
  for (const x of parts) for (let r = 0; r < x.users.length; r++) if (keep(x, r)) n++;
  const out: Interactions = { userIds: parts[0].userIds, itemIds: parts[0].itemIds, users: new Int32Array(n), items: new Int32Array(n), ratings: new Float32Array(n), times: new Float64Array(n) };
  let q = 0;
  for (const x of parts) {
    for (let r = 0; r < x.users.length; r++) {
      if (!keep(x, r)) continue;
      out.users[q] = x.users[r];
      out.items[q] = x.items[r];
      out.ratings[q] = x.ratings[r];
      out.times[q] = x.times[r];
      q++;
    }
  }
  return out;
}
