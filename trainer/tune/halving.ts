import type { IterativeOutcome, TrialRunner } from "./iterative-trial.ts";

/** Validation checks every iterative trial gets before successive halving first compares it. */
export const FIRST_RUNG_CHECKS = 2;

/** An iterative trial paused at a rung, with its --resume key and its place in the schedule. */
export interface PausedTrial {
  trial: TrialRunner;
  key: string;
  order: number;
}

/** Where successive halving stands: the trials still in play and the checks its current rung fits them to. */
export class HalvingState {
  /** Trials paused at a rung, or going on in the current one. */
  readonly inPlay = new Set<PausedTrial>();
  /** Validation checks of the current rung (before halving starts: the first rung, which every trial in play has reached). */
  checks = FIRST_RUNG_CHECKS;

  /**
   * Seconds the rungs still need, an estimate for the progress ETA (never a decision): each
   * kind's trials in play first reach this rung; then at every rung the better half fits on to
   * twice the checks; the last one left runs on at least `patience` checks past its rung, as
   * early stopping does. Each kind's epochs cost what its trials' epochs have cost so far.
   */
  secondsLeft(kind: (entry: PausedTrial) => string): number {
    const groups = new Map<string, PausedTrial[]>();
    for (const entry of this.inPlay) groups.set(kind(entry), [...(groups.get(kind(entry)) ?? []), entry]);
    let seconds = 0;
    for (const group of groups.values()) {
      const fitted = group.reduce((sum, e) => sum + e.trial.epochs, 0);
      const rate = fitted > 0 ? group.reduce((sum, e) => sum + e.trial.secondsSoFar, 0) / fitted : 0;
      const first = group[0].trial;
      let epochs = group.reduce((sum, e) => sum + Math.max(0, e.trial.checkEpoch(this.checks) - e.trial.epochs), 0);
      let n = group.length;
      let checks = this.checks;
      while (n > 1) {
        n = Math.ceil(n / 2);
        epochs += n * (first.checkEpoch(2 * checks) - first.checkEpoch(checks));
        checks *= 2;
      }
      epochs += Math.min(first.patienceEpochs, Math.max(0, first.maxEpochs - first.checkEpoch(checks)));
      seconds += epochs * rate;
    }
    return seconds;
  }
}

export interface HalvingContext {
  /** Trials compete only within a kind (one blend member each): hybrids per loss, else per family. */
  kind: (entry: PausedTrial) => string;
  /** Clock time the trials must end by (the budget less the blend's reserve); Infinity without a budget. */
  trialsEnd: () => number;
  clock: () => number;
  record: (outcome: IterativeOutcome, entry: PausedTrial) => void;
  /**
   * The trials of a rung fit at the same time (in worker threads; only without a time budget),
   * their outcomes taken in schedule order as one after another would give them.
   */
  concurrent?: boolean;
}

/**
 * Successive halving over the paused trials: at every rung the better half of each kind (by
 * best validation score so far; ties by schedule order) fits on to twice as many checks, the
 * rest stop where they are, their best check standing as their result. The last trial of a
 * kind runs on to early stopping. Decisions depend only on scores, so a seed gives the same
 * search whatever the machine's load; a time budget only cuts fits short. Returns what the
 * budget cut short, one note per family.
 */
export async function continueByHalving(state: HalvingState, ctx: HalvingContext): Promise<string[]> {
  const outOfTime = new Map<string, number>();
  let level = [...state.inPlay].sort((a, b) => a.order - b.order);
  let checks = state.checks;
  const record = (outcome: IterativeOutcome, entry: PausedTrial) => {
    state.inPlay.delete(entry);
    ctx.record(outcome, entry);
  };
  while (level.length > 0) {
    checks *= 2;
    state.checks = checks;
    const groups = new Map<string, PausedTrial[]>();
    for (const entry of level) groups.set(ctx.kind(entry), [...(groups.get(ctx.kind(entry)) ?? []), entry]);
    const going: Array<{ entry: PausedTrial; last: boolean }> = [];
    for (const group of groups.values()) {
      const ranked = [...group].sort((a, b) => b.trial.bestScore - a.trial.bestScore || a.order - b.order);
      const keep = Math.ceil(ranked.length / 2);
      for (const entry of ranked.slice(keep)) {
        const epoch = entry.trial.epochs;
        record(await entry.trial.stop(`stopped at epoch ${epoch} by successive halving (${keep} of ${ranked.length} went on)`), entry);
      }
      for (const entry of ranked.slice(0, keep)) going.push({ entry, last: keep === 1 });
    }
    going.sort((a, b) => a.entry.order - b.entry.order);
    const next: PausedTrial[] = [];
    if (ctx.concurrent) {
      const advancing = going.map(({ entry, last }) => entry.trial.advance(last ? Infinity : entry.trial.checkEpoch(checks), Infinity));
      // Each is awaited below, in order; marked handled now so an early failure waits for that.
      for (const a of advancing) a.catch(() => undefined);
      for (let j = 0; j < going.length; j++) {
        const outcome = await advancing[j];
        if (outcome) record(outcome, going[j].entry);
        else next.push(going[j].entry);
      }
      level = next;
      continue;
    }
    for (let j = 0; j < going.length; j++) {
      const { entry, last } = going[j];
      const now = ctx.clock();
      const end = ctx.trialsEnd();
      if (now >= end) {
        record(await entry.trial.stop(`stopped at epoch ${entry.trial.epochs} of ${entry.trial.maxEpochs} by the time budget, before early stopping settled`), entry);
        outOfTime.set(entry.trial.family.name, (outOfTime.get(entry.trial.family.name) ?? 0) + 1);
        continue;
      }
      // With a budget, each fit of this rung gets an equal share of what is left.
      const stopAt = Number.isFinite(end) ? now + (end - now) / (going.length - j) : end;
      const outcome = await entry.trial.advance(last ? Infinity : entry.trial.checkEpoch(checks), stopAt);
      if (outcome) record(outcome, entry);
      else next.push(entry);
    }
    level = next;
  }
  return [...outOfTime].map(([family, n]) => `${family}: ${n} trial${n > 1 ? "s" : ""} stopped at a successive-halving rung (time budget), before early stopping settled`);
}
