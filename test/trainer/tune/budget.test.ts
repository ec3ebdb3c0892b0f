import { describe, expect, it } from "vitest";
import { csrFromCoo } from "../../../trainer/data/matrix.ts";
import { evaluateRanking } from "../../../trainer/eval/ranking.ts";
import type { Recommender } from "../../../trainer/model/model.ts";
import { coarseFirst, searchBlends } from "../../../trainer/tune/blend-search.ts";
import { buildFromConfig, FeatureCache } from "../../../trainer/tune/config.ts";
import { registerTuneFamily } from "../../../trainer/tune/families.ts";
import { EaseModel } from "../../../trainer/model/ease.ts";
import { SlistModel } from "../../../trainer/model/slist.ts";
import { blendWeightGrid, MemberPool, trialKey, tune, type Trial, type TuneData, type TuneOptions, type TuneProgress } from "../../../trainer/tune/search.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { plantedData } from "../model/conformance.case.ts";

/**
 * Ranking on the planted groups with the validation users and cut-offs a real split carries,
 * and a clock that advances one second per validation pass (what a pass costs at scale), so
 * budgets are exact and the tests are deterministic.
 */
function timedData() {
  const d = plantedData();
  const time = { now: 0 };
  const users = Int32Array.from({ length: d.train.nRows }, (_, u) => u).filter((u) => d.test.indptr[u + 1] > d.test.indptr[u]);
  const data: TuneData = {
    validTrain: d.train,
    validate: (m, subset) => {
      time.now += 1;
      return evaluateRanking(m, { train: d.train, test: d.test, ks: [10], users: subset?.users ?? users, coverageMarks: subset?.coverageMarks });
    },
    primary: "p@10",
    task: "ranking",
    validationUsers: users,
    cutoffs: [10],
  };
  return { data, time, clock: () => time.now };
}

const NO_ORDER = "slist: not tried, the interactions have no times, so there is no order to learn";

const small: TuneOptions = {
  trials: 3,
  seed: 0,
  maxEpochs: 10,
  evalEvery: 5,
  patience: 1,
  losses: ["bpr"],
  componentChoices: [8],
  easeLambdas: [10, 100],
  ials: [{ components: 8, iterations: 4, alpha: 10, lambda: 1 }],
  multdae: [],
};

describe("tune's one time budget", () => {
  it("runs every family's first trial before any second, stops within the budget, and lists what it skipped", async () => {
    const { data, clock } = timedData();
    const order: string[] = [];
    const result = await tune(data, { ...small, timeBudgetSeconds: 20, clock, onProgress: (p) => p.trial && p.phase === "trial" && order.push(p.trial.family!) });
    const families = ["popularity", "itemknn", "rp3beta", "ials", "ease", "hybrid"];
    expect(order.slice(0, families.length)).toEqual(families);
    // Not everything fit: some second trials and part of the blend grid were left out, and said so.
    expect(order.length).toBeLessThan(3 + 3 + 1 + 1 + 2 + 3 + 1);
    expect(result.skipped.some((n) => /configurations not tried \(time budget\)/.test(n))).toBe(true);
    expect(result.skipped.some((n) => /weight vectors not scored \(time budget/.test(n))).toBe(true);
    // The blend ran anyway (the coarse points first), and the whole search kept to the budget.
    expect(result.leaderboard.some((t) => t.family === "blend")).toBe(true);
    expect(result.seconds).toBeLessThanOrEqual(20);
    expect(result.best.score).toBe(Math.max(...result.leaderboard.map((t) => t.score)));
  });

  it("does not start a one-shot fit whose estimate overruns the budget, even as its family's first", async () => {
    const { data, clock } = timedData();
    const slow = { name: "slow", iterative: false, configs: [{ model: "popularity", params: {} }], estimateSeconds: () => 1000 };
    const result = await tune(data, { ...small, only: ["itemknn", "slow"], families: [slow], timeBudgetSeconds: 20, blend: false, clock });
    expect(result.leaderboard.some((t) => t.family === "slow")).toBe(false);
    expect(result.skipped).toContain("slow: 1 of 1 configurations not tried (time budget)");
    const unbudgeted = await tune(data, { ...small, only: ["slow"], families: [slow], blend: false, clock });
    expect(unbudgeted.leaderboard.map((t) => t.family)).toEqual(["slow"]);
  });

  it("gives up an EASE fit whose steps so far project it past the budget, and skips the family's other settings", async () => {
    const rng = createRng(3);
    const rows: number[] = [];
    const cols: number[] = [];
    for (let u = 0; u < 60; u++) for (let k = 0; k < 30; k++) (rows.push(u), cols.push(rng.int(1000)));
    const train = csrFromCoo(60, 1000, rows, cols, rows.map(() => 1));
    // Every clock reading is a second later: EASE's 16 inverse steps would take about 16 s of a 12 s budget.
    let t = 0;
    const data: TuneData = { validTrain: train, validate: (m) => evaluateRanking(m, { train, test: train, ks: [10] }), primary: "auc", task: "ranking" };
    const result = await tune(data, { ...small, only: ["popularity", "ease"], easeLambdas: [10, 100], blend: false, timeBudgetSeconds: 12, clock: () => t++ });
    expect(result.leaderboard.map((x) => x.family)).toEqual(["popularity"]);
    expect(result.skipped.join("\n")).toMatch(/ease \{"lambda":10\}: given up after \d+ s, its fit was projected to take \d+ s, past the time budget/);
    expect(result.skipped).toContain("ease: 1 of 2 configurations not tried (time budget)");
  });

  it("gives up an iALS fit whose sweeps so far project it past the budget, like EASE", async () => {
    const { data } = timedData();
    // Every clock reading is a second later: 2 × 30 sweeps, one reading each, would take about 60 s of a 12 s budget.
    let t = 0;
    const result = await tune(data, { ...small, only: ["popularity", "ials"], ials: [{ components: 4, iterations: 30, alpha: 3, lambda: 1 }], blend: false, timeBudgetSeconds: 12, clock: () => t++ });
    expect(result.leaderboard.map((x) => x.family)).toEqual(["popularity"]);
    expect(result.skipped.join("\n")).toMatch(/ials \{"components":4,"iterations":30,"alpha":3,"lambda":1\}: given up after \d+ s, its fit was projected to take \d+ s, past the time budget/);
    expect(result.seconds).toBeLessThanOrEqual(12);
  });

  it("holds a slow one-shot fit to its share while other families wait, so they still get their first trial", async () => {
    const rng = createRng(3);
    const rows: number[] = [];
    const cols: number[] = [];
    for (let u = 0; u < 60; u++) for (let k = 0; k < 30; k++) (rows.push(u), cols.push(rng.int(1000)));
    const train = csrFromCoo(60, 1000, rows, cols, rows.map(() => 1));
    const data: TuneData = { validTrain: train, validate: (m) => evaluateRanking(m, { train, test: train, ks: [10] }), primary: "auc", task: "ranking" };
    // Every clock reading is a second later: iALS's 30 sweeps would end near 32 s of 40, leaving
    // EASE (16 inverse steps) too little; held to half of the budget, iALS is given up instead.
    let t = 0;
    const result = await tune(data, { ...small, only: ["ials", "ease"], ials: [{ components: 4, iterations: 15, alpha: 3, lambda: 1 }], easeLambdas: [10], blend: false, timeBudgetSeconds: 40, clock: () => t++ });
    expect(result.leaderboard.map((x) => x.family)).toEqual(["ease"]);
    expect(result.skipped.join("\n")).toMatch(/ials .*: given up after \d+ s, its fit was projected to take \d+ s, past the time budget/);
  });

  it("a long iterative fit leaves room for the cheap one-shot settings still to come", async () => {
    const { data, clock } = timedData();
    // The hybrid would validate every epoch for 200 epochs: far beyond the budget.
    const result = await tune(data, { ...small, trials: 2, maxEpochs: 200, evalEvery: 1, patience: 1000, only: ["itemknn", "hybrid"], blend: false, timeBudgetSeconds: 40, clock });
    expect(result.leaderboard.filter((t) => t.family === "itemknn").length).toBeGreaterThanOrEqual(2);
    expect(result.skipped.some((n) => /stopped at epoch \d+ of 200 by the time budget/.test(n))).toBe(true);
    expect(result.seconds).toBeLessThanOrEqual(41);
  });

  it("without a budget tries everything and skips nothing", async () => {
    const { data, clock } = timedData();
    const result = await tune(data, { ...small, clock });
    // Only the order-aware family sits out, for a reason that is not the budget: this data has no times.
    expect(result.skipped).toEqual([NO_ORDER]);
    for (const family of ["popularity", "itemknn", "rp3beta", "ials", "ease", "hybrid", "blend"]) expect(result.leaderboard.some((t) => t.family === family)).toBe(true);
    expect(result.leaderboard.filter((t) => t.family === "itemknn")).toHaveLength(3);
  });

  it("reports progress with an ETA after every trial, and the leaderboard so far", async () => {
    const { data, clock } = timedData();
    const events: TuneProgress[] = [];
    const snapshots: number[] = [];
    await tune(data, { ...small, only: ["popularity", "itemknn", "ease"], clock, onProgress: (p) => events.push(p), onLeaderboard: (s) => snapshots.push(s.trials.length) });
    const trials = events.filter((e) => e.phase === "trial");
    expect(trials.map((e) => e.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(trials.every((e) => e.total === 7 && e.etaSeconds !== undefined)).toBe(true);
    // Itemknn's second and third, EASE's second (1 s each) and the blend remain after the third trial.
    expect(trials[2].etaSeconds).toBeGreaterThanOrEqual(3);
    expect(trials.at(-1)!.etaSeconds).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ phase: "blend", done: 7, total: 7, etaSeconds: 0 });
    expect(snapshots.slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(snapshots.at(-1)).toBeGreaterThan(6);
  });

  it("resumes from an earlier run's leaderboard without running its trials again", async () => {
    const { data, clock } = timedData();
    const first = await tune(data, { ...small, timeBudgetSeconds: 12, blend: false, clock });
    const done = first.leaderboard.filter((t) => t.key);
    expect(done.length).toBeGreaterThan(0);
    const resumed: string[] = [];
    const ran: Trial[] = [];
    const second = await tune(data, {
      ...small,
      blend: false,
      clock,
      resume: JSON.parse(JSON.stringify(done)) as Trial[],
      onProgress: (p) => (p.note === "resumed" ? resumed.push(p.trial!.key!) : p.trial && ran.push(p.trial)),
    });
    expect(resumed.sort()).toEqual(done.map((t) => t.key!).sort());
    for (const t of ran) expect(done.some((d) => d.key === t.key)).toBe(false);
    expect(second.leaderboard.length).toBe(done.length + ran.length);
    expect(second.skipped).toEqual([NO_ORDER]);
  });
});

describe("what tune reports is what you get", () => {
  for (const seed of [0, 7]) {
    it(`a trial's validation score is its config's refit with the same seed (${seed}), early-stopped hybrids included`, async () => {
      const { data } = timedData();
      const result = await tune(data, { ...small, seed, trials: 2, maxEpochs: 15, patience: 1, only: ["hybrid", "ease", "itemknn", "rp3beta"], blend: true });
      const features = new FeatureCache({});
      for (const family of ["hybrid", "ease", "itemknn", "rp3beta", "blend"]) {
        const trial = result.leaderboard.find((t) => t.family === family)!;
        const { model } = buildFromConfig(trial.config, features);
        await model.fit({ interactions: data.validTrain, rng: createRng(seed) });
        expect(data.validate(model)["p@10"], `${family}: ${trial.description}`).toBe(trial.score);
      }
      // Some hybrid stopped early past its best epoch, or this test would not test refitting.
      expect(result.leaderboard.some((t) => t.family === "hybrid" && t.curve!.at(-1)!.epoch > Number((t.config as { params: { epochs: number } }).params.epochs))).toBe(true);
    });
  }
});

describe("the blend search", () => {
  it("scores the same metrics whether member scores are remembered at once or streamed in user blocks", async () => {
    const whole = timedData();
    const opts = { ...small, trials: 1, easeLambdas: [10], only: ["hybrid", "ease", "itemknn"], blendSelection: undefined };
    const once = (await tune(whole.data, { ...opts, clock: whole.clock })).leaderboard.filter((t) => t.family === "blend");
    const blocks = timedData();
    const nItems = blocks.data.validTrain.nCols;
    // Room for three users' rows of three members: the validation users in many blocks.
    const streamed = (await tune(blocks.data, { ...opts, clock: blocks.clock, memoBudgetBytes: 3 * 3 * nItems * 4 })).leaderboard.filter((t) => t.family === "blend");
    expect(streamed.map((t) => t.description).sort()).toEqual(once.map((t) => t.description).sort());
    expect(once.length).toBe(blendWeightGrid(3).length);
    const onceBy = new Map(once.map((t) => [t.description, t.metrics]));
    for (const t of streamed) {
      for (const [key, value] of Object.entries(onceBy.get(t.description)!)) expect(t.metrics[key], `${t.description} ${key}`).toBeCloseTo(value, 10);
    }
  });

  it("is not started when scoring its members once would already overrun the budget", async () => {
    const { data, time, clock } = timedData();
    const members = await Promise.all(
      ["popularity", "itemknn"].map(async (name) => {
        const { model } = buildFromConfig({ model: name, params: {} }, new FeatureCache({}));
        await model.fit({ interactions: data.validTrain, rng: createRng(0) });
        const trial: Trial = { config: { model: name, params: {} }, description: name, score: 0.1, metrics: {}, seconds: 1, validateSeconds: 30 };
        return { trial, model };
      }),
    );
    const input = { data, members, features: new FeatureCache({}), seed: 0, selection: "p@10", memoBudgetBytes: 2 ** 30, clock };
    const tight = await searchBlends({ ...input, deadline: time.now + 50 });
    expect(tight.trials).toEqual([]);
    expect(tight.skipped).toEqual(["blend: not tried, scoring its 2 members once would take about 60 s, past the time budget"]);
    const roomy = await searchBlends({ ...input, deadline: time.now + 1000 });
    expect(roomy.trials.length).toBe(blendWeightGrid(2).length);
  });

  it("tries the coarse weight vectors first", () => {
    const grid = coarseFirst(blendWeightGrid(2));
    expect(grid[0]).toEqual([0.5, 0.5]);
    expect(grid.slice(1, 5).every((w) => w.every((x) => Math.round(x * 10) % 2 === 0))).toBe(true);
    expect(grid).toHaveLength(9);
  });

  it("keeps fitted models only for the families that can still be blend members", () => {
    const pool = new MemberPool(2);
    const family = (name: string) => ({ name, iterative: false, configs: [] });
    const model = (name: string): Recommender => ({ name, fit: async () => {}, scoreUser: () => {}, params: () => ({}) });
    const trial = (model: string, score: number): Trial => ({ config: { model, params: { score } }, description: `${model} ${score}`, score, metrics: {}, seconds: 1 });
    const ease1 = trial("ease", 0.3);
    const ease2 = trial("ease", 0.2);
    const knn = trial("itemknn", 0.25);
    const rp3 = trial("rp3beta", 0.1);
    pool.offer(ease1, model("ease1"), family("ease"));
    pool.offer(ease2, model("ease2"), family("ease"));
    pool.offer(knn, model("knn"), family("itemknn"));
    pool.offer(rp3, model("rp3"), family("rp3beta"));
    expect(pool.members().map((m) => m.trial)).toEqual([ease1, knn]);
    expect(pool.modelOf(ease1)?.name).toBe("ease1");
    // A worse EASE and a family outside the top two hold no model.
    expect(pool.modelOf(ease2)).toBeUndefined();
    expect(pool.modelOf(rp3)).toBeUndefined();
    pool.offer(trial("ials", 0.4), model("ials"), family("ials"));
    expect(pool.modelOf(knn)).toBeUndefined();
    pool.offer(trial("popularity", 0.9), model("pop"), { ...family("popularity"), blendable: false });
    expect(pool.members().map((m) => m.trial.config.model)).toEqual(["ials", "ease"]);
  });

  it("holds one inverse-sized model (EASE, SLIST) at most, the best-ranked: the blend refits another", () => {
    const pool = new MemberPool(4);
    const family = (name: string) => ({ name, iterative: false, configs: [] });
    const trial = (model: string, score: number): Trial => ({ config: { model, params: { score } }, description: `${model} ${score}`, score, metrics: {}, seconds: 1 });
    const ease = trial("ease", 0.2);
    const slist = trial("slist", 0.3);
    const knn = trial("itemknn", 0.25);
    const knnModel: Recommender = { name: "itemknn", fit: async () => {}, scoreUser: () => {}, params: () => ({}) };
    pool.offer(ease, new EaseModel({ lambda: 100 }), family("ease"));
    pool.offer(knn, knnModel, family("itemknn"));
    expect(pool.modelOf(ease)).toBeInstanceOf(EaseModel);
    pool.offer(slist, new SlistModel({}), family("slist"));
    expect(pool.modelOf(slist)).toBeInstanceOf(SlistModel);
    expect(pool.modelOf(ease)).toBeUndefined();
    expect(pool.modelOf(knn)).toBe(knnModel);
    expect(pool.members().map((m) => m.trial)).toEqual([slist, knn, ease]);
  });
});

describe("tune families", () => {
  it("a registered family joins every search after the built-in ones, and --families style filters name it", async () => {
    const { data, clock } = timedData();
    const unregister = registerTuneFamily((ctx) => (ctx.task === "ranking" ? { name: "popular-again", iterative: false, configs: [{ model: "popularity", params: {} }] } : undefined));
    try {
      const result = await tune(data, { ...small, only: ["popular-again", "ease"], blend: false, clock });
      expect(result.leaderboard.map((t) => t.family).sort()).toEqual(["ease", "ease", "popular-again"]);
      expect(result.leaderboard.find((t) => t.family === "popular-again")!.key).toBe(trialKey({ model: "popularity", params: {} }));
    } finally {
      unregister();
    }
    await expect(tune(data, { ...small, only: ["sasrec"], clock })).rejects.toThrow(/unknown family sasrec; choose from/);
  });

  it("leaves Mult-DAE out by default unless a budget is set and its estimated epoch fits, and says why at scale", async () => {
    const { data, clock } = timedData();
    const opts = { ...small, multdae: undefined, only: ["multdae"], blend: false, clock };
    const unbudgeted = await tune(data, { ...opts, only: undefined, trials: 0, easeLambdas: [], itemKnn: [], rp3beta: [], ials: [] });
    expect(unbudgeted.leaderboard.some((t) => t.family === "multdae")).toBe(false);
    const budgeted = await tune(data, { ...opts, only: undefined, trials: 0, easeLambdas: [], itemKnn: [], rp3beta: [], ials: [], maxEpochs: 10, timeBudgetSeconds: 1000 });
    expect(budgeted.leaderboard.some((t) => t.family === "multdae")).toBe(true);
    // A catalogue where an epoch is estimated at minutes: left out, with the estimate.
    const big: TuneData = { ...data, validTrain: { ...data.validTrain, nRows: 19_412, nCols: 11_924 } };
    const { tuneFamilies } = await import("../../../trainer/tune/search.ts");
    const { families, notes } = tuneFamilies(big, { ...small, multdae: undefined, timeBudgetSeconds: 600 });
    expect(families.some((f) => f.name === "multdae")).toBe(false);
    expect(notes.join("\n")).toMatch(/multdae: not tried, an epoch is estimated at \d+ s/);
  });
});
