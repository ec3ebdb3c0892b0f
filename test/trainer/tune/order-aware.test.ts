import { describe, expect, it } from "vitest";
import { csrFromCoo } from "../../../trainer/data/matrix.ts";
import { sequencesFromInteractions } from "../../../trainer/data/item-sequences.ts";
import { evaluateRanking } from "../../../trainer/eval/ranking.ts";
import { buildFromConfig, FeatureCache, type ModelConfig } from "../../../trainer/tune/config.ts";
import { SlistModel } from "../../../trainer/model/slist.ts";
import { SlistFits, slistFamily } from "../../../trainer/tune/order-aware.ts";
import { validTrainInput } from "../../../trainer/tune/prepare.ts";
import { tune, tuneFamilies, type TuneData, type TuneOptions } from "../../../trainer/tune/search.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { chainData } from "../support/chain-data.ts";

/**
 * Users walk a chain of items; validation is each user's next item, scored by HR@1. What comes
 * next is in the order alone, which only SLIST reads: a bag-of-items model sees the walk's
 * neighbourhood, with no direction to tell the item after it from the item before.
 */
function nextItemData(ordered = true): TuneData {
  const { x } = chainData(40, 300, 6, 11);
  const keep: number[] = [];
  const held: number[] = [];
  for (let k = 0; k < x.users.length; k++) (x.times[k] === 5 ? held : keep).push(k);
  const part = (rows: number[]) => ({ ...x, users: Int32Array.from(rows, (k) => x.users[k]), items: Int32Array.from(rows, (k) => x.items[k]), ratings: Float32Array.from(rows, () => Number.NaN), times: Float64Array.from(rows, (k) => x.times[k]) });
  const train = part(keep);
  const valid = part(held);
  const csr = (p: typeof train) => csrFromCoo(300, 40, Array.from(p.users), Array.from(p.items), undefined, "max");
  const trainM = csr(train);
  const validM = csr(valid);
  return {
    validTrain: trainM,
    validTrainSequences: sequencesFromInteractions(train),
    ordered,
    validate: (m, subset) => evaluateRanking(m, { train: trainM, test: validM, ks: [1], users: subset?.users, coverageMarks: subset?.coverageMarks }),
    primary: "hr@1",
    task: "ranking",
  };
}

const opts: TuneOptions = { trials: 1, seed: 0, maxEpochs: 10, evalEvery: 5, patience: 1, losses: ["bpr"], componentChoices: [8], easeLambdas: [10, 100], only: ["itemknn", "ease", "slist", "hybrid"] };

describe("tune's order-aware family", () => {
  it("tries each SLIST setting before EASE in every round, wins on a next-item task, and blends it", async () => {
    const data = nextItemData();
    const order: string[] = [];
    const result = await tune(data, { ...opts, onProgress: (p) => p.phase === "trial" && p.trial && order.push(p.trial.family!) });
    expect(order.slice(0, 4)).toEqual(["itemknn", "slist", "ease", "hybrid"]);
    const slists = result.leaderboard.filter((t) => t.family === "slist");
    expect(slists).toHaveLength(3);
    const bestOf = (family: string) => Math.max(...result.leaderboard.filter((t) => t.family === family).map((t) => t.score));
    // The chain's next item is found only by reading the order.
    expect(bestOf("slist")).toBeGreaterThan(bestOf("ease") + 0.2);
    expect(bestOf("slist")).toBeGreaterThan(bestOf("itemknn") + 0.2);
    const blends = result.leaderboard.filter((t) => t.family === "blend");
    expect(blends.some((t) => (t.config as Extract<ModelConfig, { model: "blend" }>).members.some((m) => m.config.model === "slist"))).toBe(true);
    expect(["slist", "blend"]).toContain(result.best.family);
  });

  it("a SLIST trial, and a blend with it, refit from their configs with the same sequences score what the leaderboard says", async () => {
    const data = nextItemData();
    const result = await tune(data, opts);
    const features = new FeatureCache({});
    const slists = result.leaderboard.filter((t) => t.family === "slist");
    const slist = slists[0];
    const blend = result.leaderboard.find((t) => t.family === "blend" && (t.config as Extract<ModelConfig, { model: "blend" }>).members.some((m) => m.config.model === "slist"))!;
    // Every setting, the ones that reused an earlier setting's fit with another recency decay included.
    for (const trial of [...slists, blend]) {
      const { model } = buildFromConfig(JSON.parse(JSON.stringify(trial.config)) as ModelConfig, features);
      await model.fit({ ...validTrainInput(data), rng: createRng(0) });
      expect(data.validate(model)["hr@1"], trial.description).toBe(trial.score);
    }
    // Without the order (what a refit that forgot the sequences would do) SLIST scores something else.
    const { model } = buildFromConfig(slist.config, features);
    await model.fit({ interactions: data.validTrain, rng: createRng(0) });
    expect(data.validate(model)["hr@1"]).not.toBe(slist.score);
  });

  it("sits out, saying why, when the interactions have no times or the catalogue is over its item limit", () => {
    const untimed = tuneFamilies(nextItemData(false), { ...opts, only: undefined });
    expect(untimed.families.some((f) => f.name === "slist")).toBe(false);
    expect(untimed.notes).toContain("slist: not tried, the interactions have no times, so there is no order to learn");
    const big = slistFamily({ task: "ranking", nUsers: 10, nItems: 30_000, nnz: 100, ordered: true });
    expect(big.family).toBeUndefined();
    expect(big.note).toMatch(/slist: not tried, 30000 items exceed its 22000-item limit/);
    // Rating classification has no item ranking for SLIST to do, and the settings can be turned off.
    expect(slistFamily({ task: "rating-class", nUsers: 10, nItems: 30, nnz: 100, ordered: true })).toEqual({});
    expect(slistFamily({ task: "ranking", nUsers: 10, nItems: 30, nnz: 100, ordered: true }, [])).toEqual({});
    // A one-shot fit like EASE: its estimate keeps it out of a budget it cannot fit.
    const fits = slistFamily({ task: "ranking", nUsers: 19_000, nItems: 12_000, nnz: 150_000, ordered: true, timeBudgetSeconds: 60 }).family!;
    expect(fits.iterative).toBe(false);
    expect(fits.estimateSeconds!(fits.configs[0])).toBeGreaterThan(60);
  });

  it("scores settings that differ only in recency decay or history length on one fit, exactly as their own fits score", async () => {
    const data = nextItemData();
    const fits = new SlistFits();
    const first: ModelConfig = { model: "slist", params: { lambda: 50, alpha: 0.5, recencyDecay: 2 } };
    const model = new SlistModel(first.params);
    await model.fit({ ...validTrainInput(data), rng: createRng(0) });
    fits.remember(first, model, 12);
    expect(fits.reuse({ model: "slist", params: { lambda: 100, alpha: 0.5, recencyDecay: 2 } })).toBeUndefined();
    expect(fits.reuse({ model: "ease", params: { lambda: 50 } })).toBeUndefined();
    for (const [decay, length] of [[0, 50], [1, 2], [4, 50]]) {
      const other: ModelConfig = { model: "slist", params: { lambda: 50, alpha: 0.5, recencyDecay: decay, historyLength: length } };
      const reused = fits.reuse(other)!;
      expect(reused.fitSeconds).toBe(12);
      const own = new SlistModel(other.params);
      await own.fit({ ...validTrainInput(data), rng: createRng(0) });
      expect(data.validate(reused.model), `recencyDecay ${decay}, historyLength ${length}`).toEqual(data.validate(own));
    }
    // The first model keeps its own scoring.
    expect(model.p).toMatchObject({ recencyDecay: 2, historyLength: 50 });
    // The fit is held only while a setting still to run can share it (a dense n×n matrix).
    const sharing: ModelConfig = { model: "slist", params: { lambda: 50, alpha: 0.5, recencyDecay: 4 } };
    fits.keepFor([{ model: "ease", params: { lambda: 50 } }, sharing]);
    expect(fits.reuse(sharing)).toBeDefined();
    fits.keepFor([{ model: "slist", params: { lambda: 200, alpha: 0.8, recencyDecay: 0 } }, { model: "ease", params: { lambda: 50 } }]);
    expect(fits.reuse(sharing)).toBeUndefined();
    fits.remember(first, model, 12);
    fits.clear();
    expect(fits.reuse(first)).toBeUndefined();
  });
});
