import { describe, expect, it } from "vitest";
import { evaluateRanking } from "../../../trainer/eval/ranking.ts";
import { HalvingState, type PausedTrial } from "../../../trainer/tune/halving.ts";
import type { TrialRunner } from "../../../trainer/tune/iterative-trial.ts";
import { tune, type Trial, type TuneData, type TuneOptions, type TuneProgress } from "../../../trainer/tune/search.ts";
import { plantedData } from "../model/conformance.case.ts";

function rankingData(): TuneData {
  const d = plantedData();
  return { validTrain: d.train, validate: (m) => evaluateRanking(m, { train: d.train, test: d.test, ks: [10] }), primary: "p@10", task: "ranking" };
}

/** Six hybrids of one kind (bpr) that never stop early: rungs at 2 checks (epoch 4), 4 (8), 8 (16), then the end (20): 6 → 3 → 2 → 1. */
const opts: TuneOptions = { trials: 6, seed: 3, maxEpochs: 20, evalEvery: 2, patience: 100, losses: ["bpr"], componentChoices: [8, 16], only: ["hybrid"], blend: false };

const lastEpoch = (t: Trial) => t.curve!.at(-1)!.epoch;
const bestUpTo = (t: Trial, epoch: number) => Math.max(...t.curve!.filter((p) => p.epoch <= epoch).map((p) => p.score));

describe("successive halving of iterative trials", () => {
  it("fits every trial to the first rung, then only the better half of the kind goes on at each rung", async () => {
    const result = await tune(rankingData(), opts);
    const hybrids = result.leaderboard.filter((t) => t.family === "hybrid");
    expect(hybrids.map(lastEpoch).sort((a, b) => a - b)).toEqual([4, 4, 4, 8, 16, 20]);
    // At each rung, every trial that went on had a better score so far than every one that stopped there.
    for (const rung of [4, 8, 16]) {
      const stopped = hybrids.filter((t) => lastEpoch(t) === rung);
      const went = hybrids.filter((t) => lastEpoch(t) > rung);
      for (const s of stopped) for (const g of went) expect(bestUpTo(g, rung)).toBeGreaterThanOrEqual(bestUpTo(s, rung));
    }
    // A stopped trial's config keeps its best check's epochs, like early stopping.
    for (const t of hybrids) expect(Number((t.config as { params: { epochs: number } }).params.epochs)).toBe(t.curve!.find((p) => p.score === t.score)!.epoch);
  });

  it("pausing changes nothing: each trial's curve is the uninterrupted fit's, and the search is the same on every run", async () => {
    const halved = await tune(rankingData(), opts);
    const full = await tune(rankingData(), { ...opts, successiveHalving: false });
    const fullBy = new Map(full.leaderboard.map((t) => [t.key, t]));
    expect(full.leaderboard.map(lastEpoch)).toEqual([20, 20, 20, 20, 20, 20]);
    for (const t of halved.leaderboard) {
      const uninterrupted = fullBy.get(t.key)!.curve!;
      expect(t.curve).toEqual(uninterrupted.slice(0, t.curve!.length));
    }
    const again = await tune(rankingData(), opts);
    expect(again.leaderboard.map((t) => [t.key, t.score, t.curve])).toEqual(halved.leaderboard.map((t) => [t.key, t.score, t.curve]));
  });

  it("halves within each blend kind: every loss keeps a trial that runs to the end", async () => {
    const result = await tune(rankingData(), { ...opts, trials: 8, losses: ["bpr", "warp"] });
    for (const loss of ["bpr", "warp"]) {
      const ofLoss = result.leaderboard.filter((t) => (t.config as { params: { loss: string } }).params.loss === loss);
      expect(ofLoss.length, loss).toBeGreaterThan(0);
      expect(Math.max(...ofLoss.map(lastEpoch)), loss).toBe(20);
    }
  });

  it("counts the rungs still to run in the progress ETA while trials wait at the first rung", async () => {
    const events: TuneProgress[] = [];
    await tune(rankingData(), { ...opts, onProgress: (p) => events.push(p) });
    const pausedAt = events.filter((p) => p.note?.includes("paused at the first successive-halving rung"));
    expect(pausedAt).toHaveLength(6);
    // After the last first-rung fit no trial is left to schedule, but the rungs (at least 28 more epochs) are.
    expect(pausedAt.at(-1)!.etaSeconds).toBeGreaterThan(0);
  });
});

describe("HalvingState.secondsLeft", () => {
  // A trial as the estimate sees it: epochs fitted, seconds so far, checks every 2 epochs up to 20, patience 3 checks.
  const paused = (epochs: number, seconds: number, order: number, kind = "bpr"): PausedTrial & { kind: string } => ({
    trial: { epochs, secondsSoFar: seconds, maxEpochs: 20, patienceEpochs: 6, checkEpoch: (k: number) => Math.min(20, 2 * k) } as unknown as TrialRunner,
    key: String(order),
    order,
    kind,
  });
  const kindOf = (e: PausedTrial) => (e as PausedTrial & { kind: string }).kind;

  it("runs the halving forward: 6 trials at the first rung (epoch 4) → 3 to epoch 8, 2 to 16, 1 to 20, at each kind's seconds per epoch", () => {
    const state = new HalvingState();
    for (let t = 0; t < 6; t++) state.inPlay.add(paused(4, 4, t));
    // 3 × 4 + 2 × 8 + 1 × 4 epochs at 1 s an epoch; no patience left past epoch 20.
    expect(state.secondsLeft(kindOf)).toBe(32);
    state.inPlay.add(paused(4, 8, 6, "warp"));
    // A lone warp trial runs its patience (3 checks, 6 epochs) past its rung at 2 s an epoch.
    expect(state.secondsLeft(kindOf)).toBe(32 + 12);
  });

  it("mid-rung, counts what the trials still going have left of it", () => {
    const state = new HalvingState();
    state.checks = 4;
    state.inPlay.add(paused(8, 8, 0));
    state.inPlay.add(paused(4, 4, 1));
    state.inPlay.add(paused(4, 4, 2));
    // Two trials still to reach epoch 8 (4 + 4), then 2 to epoch 16 (2 × 8), 1 to epoch 20 (4).
    expect(state.secondsLeft(kindOf)).toBe(8 + 16 + 4);
  });
});
