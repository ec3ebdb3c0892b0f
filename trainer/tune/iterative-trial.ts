import type { Metrics } from "../eval/ranking.ts";
import type { Recommender } from "../model/model.ts";
import { createRng } from "../util/rng.ts";
import { buildFromConfig, describeConfig, type FeatureCache, type ModelConfig } from "./config.ts";
import type { TuneFamily } from "./families.ts";
import { validTrainInput } from "./prepare.ts";
import type { Trial, TuneData } from "./types.ts";

export interface IterativeTrialOptions {
  seed: number;
  /** Epochs when the config names none. */
  maxEpochs: number;
  evalEvery: number;
  patience: number;
  onEpoch?: (family: string, epoch: number, maxEpochs: number) => void;
}

/** A finished iterative trial: its config's epochs are the best epoch's. */
export interface IterativeOutcome {
  trial: Trial;
  /**
   * The model as it was at the best epoch, when that is exactly what a refit of the chosen
   * config (same seed) builds: the live model when the best epoch was the last one fitted, else
   * the model's snapshot of that epoch (models without snapshots are refit when needed).
   */
  model?: Recommender;
  /** Why it ended before early stopping settled (time budget, successive halving). */
  note?: string;
  /** Successive halving stopped it (a choice of the search, not something the budget left out). */
  halved?: boolean;
}

type Pending = { resolve: (stop: boolean) => void };

/**
 * What the search and successive halving drive: an iterative trial fitted on this thread
 * (IterativeTrial) or in a worker thread (RemoteTrial); both fit and score exactly alike.
 */
export interface TrialRunner {
  readonly config: ModelConfig;
  readonly family: TuneFamily;
  readonly maxEpochs: number;
  /** Epochs fitted so far. */
  readonly epochs: number;
  /** The best validation score so far (-Infinity before the first check or after divergence). */
  readonly bestScore: number;
  /** Seconds spent fitting and validating so far (up to the last pause). */
  readonly secondsSoFar: number;
  /** Epochs early stopping waits past the best check before it stops. */
  readonly patienceEpochs: number;
  /** The epoch of the k-th validation check (1-based): where a rung can compare trials fairly. */
  checkEpoch(k: number): number;
  /**
   * Fits on until epoch `pauseAt` (then pauses, model kept) or until the trial ends: early
   * stopping, its last epoch, divergence, or the clock reaching `stopAt` (validated there).
   * Resolves with the outcome when it ended, undefined when it paused.
   */
  advance(pauseAt: number, stopAt: number): Promise<IterativeOutcome | undefined>;
  /** Ends a paused trial where it is (successive halving dropped it, or time ran out): its best check stands. */
  stop(reason: string, halved?: boolean): Promise<IterativeOutcome>;
}

/** A trial's epochs and validation schedule: the config's epochs (else maxEpochs), checks as sparse and patient as its family asks. */
export function checkSchedule(config: ModelConfig, family: TuneFamily, opts: Pick<IterativeTrialOptions, "maxEpochs" | "evalEvery" | "patience">) {
  const c = config as { params: Record<string, unknown> };
  return {
    maxEpochs: Number(c.params.epochs ?? opts.maxEpochs),
    evalEvery: Math.max(opts.evalEvery, family.checks?.evalEvery ?? 0),
    patience: Math.max(opts.patience, family.checks?.patience ?? 0),
  };
}

/**
 * One iterative configuration (hybrid, Mult-DAE…) fitted epoch by epoch with early stopping:
 * validated every `evalEvery` epochs, stopped after `patience` checks without improvement.
 * It can pause at an epoch (a rung of successive halving) with its model kept, and later go
 * on or be stopped there: the fit awaits its onEpoch hook, so pausing costs nothing and going on
 * fits exactly the epochs an uninterrupted fit would. Scores and snapshots depend only on the
 * config and seed, never on when the trial was paused.
 */
export class IterativeTrial implements TrialRunner {
  readonly maxEpochs: number;
  private readonly evalEvery: number;
  private readonly patience: number;
  private readonly model: Recommender;
  private readonly extraFit: ReturnType<typeof buildFromConfig>["extraFit"];
  private readonly curve: NonNullable<Trial["curve"]> = [];
  private best = { epoch: 0, score: -Infinity, metrics: {} as Metrics, model: undefined as Recommender | undefined };
  private bad = 0;
  private last = 0;
  private validateSeconds?: number;
  private seconds = 0;
  private segmentStart = 0;
  private pauseAt = Infinity;
  private stopAt = Infinity;
  private outOfTime = false;
  private pending?: Pending;
  private fitting?: Promise<void>;
  private onPause?: () => void;
  private finished?: IterativeOutcome;
  /** Why the trial was stopped from outside (successive halving), for its note. */
  private stoppedBecause?: string;
  private halved = false;

  constructor(
    readonly config: ModelConfig,
    readonly family: TuneFamily,
    private readonly data: TuneData,
    features: FeatureCache,
    private readonly opts: IterativeTrialOptions,
    private readonly clock: () => number,
  ) {
    ({ maxEpochs: this.maxEpochs, evalEvery: this.evalEvery, patience: this.patience } = checkSchedule(config, family, opts));
    ({ model: this.model, extraFit: this.extraFit } = buildFromConfig(config, features));
  }

  /** Epochs fitted so far. */
  get epochs(): number {
    return this.last;
  }

  /** Seconds spent fitting and validating so far (up to the last pause). */
  get secondsSoFar(): number {
    return this.seconds;
  }

  /** Epochs early stopping waits past the best check before it stops. */
  get patienceEpochs(): number {
    return this.patience * this.evalEvery;
  }

  /** The best validation score so far (-Infinity before the first check or after divergence). */
  get bestScore(): number {
    return this.best.score;
  }

  /** The epoch of the k-th validation check (1-based): where a rung can compare trials fairly. */
  checkEpoch(k: number): number {
    return Math.min(this.maxEpochs, k * this.evalEvery);
  }

  /**
   * Fits on until epoch `pauseAt` (then pauses, model kept) or until the trial ends: early
   * stopping, its last epoch, divergence, or the clock reaching `stopAt` (validated there).
   * Resolves with the outcome when it ended, undefined when it paused.
   */
  async advance(pauseAt: number, stopAt: number): Promise<IterativeOutcome | undefined> {
    if (this.finished) return this.finished;
    this.pauseAt = pauseAt;
    this.stopAt = stopAt;
    this.segmentStart = this.clock();
    const paused = new Promise<void>((resolve) => (this.onPause = resolve));
    if (!this.fitting) this.fitting = this.runFit();
    else this.release(false);
    await Promise.race([this.fitting, paused]);
    this.seconds += this.clock() - this.segmentStart;
    // (The fit settles `finished` meanwhile: TypeScript's narrowing above does not see that.)
    const outcome = this.finished as IterativeOutcome | undefined;
    if (outcome) outcome.trial.seconds = this.seconds;
    return outcome;
  }

  /** Ends a paused trial where it is (successive halving dropped it, or time ran out): its best check stands. */
  async stop(reason: string, halved = true): Promise<IterativeOutcome> {
    if (this.finished) return this.finished;
    this.stoppedBecause = reason;
    this.halved = halved;
    if (!this.fitting) {
      this.finish();
      return this.finished!;
    }
    const t0 = this.clock();
    this.release(true);
    await this.fitting;
    this.seconds += this.clock() - t0;
    this.finished!.trial.seconds = this.seconds;
    return this.finished!;
  }

  private release(stop: boolean): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(stop);
  }

  private async runFit(): Promise<void> {
    try {
      await this.model.fit({
        ...validTrainInput(this.data),
        rng: createRng(this.opts.seed),
        ...this.extraFit,
        onEpoch: (epoch, info) => this.onEpoch(epoch, info.loss),
      });
    } catch (err) {
      // A diverging configuration is a result (a bad one), not a reason to stop the search.
      this.best = { epoch: 0, score: -Infinity, metrics: { error: NaN }, model: undefined };
      this.curve.push({ epoch: 0, score: NaN });
      void err;
    }
    this.finish();
  }

  private onEpoch(epoch: number, loss: number | undefined): boolean | Promise<boolean> {
    this.opts.onEpoch?.(this.family.name, epoch, this.maxEpochs);
    this.last = epoch;
    this.outOfTime = this.clock() >= this.stopAt;
    if (epoch % this.evalEvery === 0 || epoch === this.maxEpochs || this.outOfTime) {
      const v0 = this.clock();
      const metrics = this.data.validate(this.model);
      this.validateSeconds = this.clock() - v0;
      const score = metrics[this.data.primary];
      this.curve.push({ epoch, score, loss });
      if (score > this.best.score) {
        this.best = { epoch, score, metrics, model: this.model.snapshot?.() };
        this.bad = 0;
      } else if (++this.bad >= this.patience) {
        return true;
      }
      if (this.outOfTime) return true;
    }
    if (epoch < this.pauseAt || epoch >= this.maxEpochs) return false;
    // Pause: the fit waits here until the search lets it go on, or stops it.
    return new Promise<boolean>((resolve) => {
      this.pending = { resolve };
      this.onPause?.();
    });
  }

  private finish(): void {
    if (this.finished) return;
    const best = this.best;
    const c = this.config as { model: string; params: Record<string, unknown> };
    const chosen = { ...c, params: { ...c.params, epochs: Math.max(1, best.epoch) } } as ModelConfig;
    const description = describeConfig(chosen);
    const trial: Trial = { config: chosen, description, score: best.score, metrics: best.metrics, curve: this.curve, seconds: this.seconds, family: this.family.name, validateSeconds: this.validateSeconds };
    const byClock = this.outOfTime && this.last < this.maxEpochs && this.bad < this.patience;
    const model = best.epoch === 0 ? undefined : best.epoch === this.last ? this.model : best.model;
    const note = this.stoppedBecause ? `${description}: ${this.stoppedBecause}` : byClock ? `${description}: stopped at epoch ${this.last} of ${this.maxEpochs} by the time budget, before early stopping settled` : undefined;
    this.finished = { trial, model, note, halved: this.stoppedBecause !== undefined && this.halved };
  }
}
