import { describe, expect, it } from "vitest";
import { evaluateRanking } from "../../../trainer/eval/ranking.ts";
import { tune, type Trial, type TuneData, type TuneOptions } from "../../../trainer/tune/search.ts";
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
});
