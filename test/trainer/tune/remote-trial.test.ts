import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../../trainer/data/load.ts";
import type { Dataset } from "../../../trainer/data/spec.ts";
import { ensureSample } from "../../../trainer/sample/ensure.ts";
import { prepare } from "../../../trainer/tune/prepare.ts";
import { JobSlots } from "../../../trainer/tune/remote-trial.ts";
import { tune, type TuneOptions, type TuneProgress } from "../../../trainer/tune/search.ts";

describe("hybrid trials in worker threads (--jobs)", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-jobs-"));
  let dataset: Dataset;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    const sample = ensureSample(join(dir, "sample"), { seed: 5, items: 150, users: 120 });
    dataset = await loadDataset({ interactions: [sample.reviews], items: sample.meta });
  });
  // Hybrids of two kinds with item features (halved at rungs 4, 8, 16), one-shot families between them, and the blend.
  const opts: TuneOptions = { trials: 6, seed: 2, maxEpochs: 16, evalEvery: 2, patience: 2, losses: ["warp", "bpr"], componentChoices: [8, 16], only: ["popularity", "itemknn", "ease", "hybrid"], easeLambdas: [10] };

  it("picks exactly what the one-job search picks: every trial's curve and metrics, the order of the leaderboard, the blend and its scores", async () => {
    const data = () => prepare(dataset, { task: "ranking", seed: 0 }).tuneData;
    const progress: Record<number, string[]> = { 1: [], 2: [] };
    const run = (jobs: number) => tune(data(), { ...opts, jobs, onProgress: (p: TuneProgress) => progress[jobs].push(p.trial?.key ?? p.note ?? "") });
    const one = await run(1);
    const two = await run(2);
    expect(one.trialsInWorkers).toBe(0);
    expect(two.trialsInWorkers).toBe(6);
    const view = (r: typeof one) => r.leaderboard.map((t) => [t.key, t.description, t.score, t.metrics, t.curve]);
    expect(view(two)).toEqual(view(one));
    expect(two.best.description).toBe(one.best.description);
    expect(two.skipped).toEqual(one.skipped);
    // Outcomes are taken in schedule order: the same progress lines, in the same order.
    expect(progress[2]).toEqual(progress[1]);
    // Models fitted in a worker come back scoring exactly as fitted here.
    const nItems = dataset.interactions.itemIds.length;
    const a = new Float32Array(nItems);
    const b = new Float32Array(nItems);
    for (const user of [0, 7, 31]) {
      one.bestModel!.scoreUser(user, a);
      two.bestModel!.scoreUser(user, b);
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    }
  }, 120_000);

  it("fails the search with the error the trial met in its worker, as the one-job search fails", async () => {
    const data = prepare(dataset, { task: "ranking", seed: 0 }).tuneData;
    const broken = { ...opts, trials: 2, blend: false, fixed: { bogus: 1 } as TuneOptions["fixed"] };
    await expect(tune(data, { ...broken, jobs: 1 })).rejects.toThrow(/unknown hybrid parameter "bogus"/);
    await expect(tune(data, { ...broken, jobs: 2 })).rejects.toThrow(/unknown hybrid parameter "bogus"/);
  }, 60_000);

  it("keeps every trial on this thread under a time budget, or for data without its recipe", async () => {
    const data = prepare(dataset, { task: "ranking", seed: 0 }).tuneData;
    const budgeted = await tune(data, { ...opts, trials: 2, blend: false, jobs: 2, timeBudgetSeconds: 600 });
    expect(budgeted.trialsInWorkers).toBe(0);
    const { recipe: _recipe, ...bare } = data;
    const withoutRecipe = await tune(bare, { ...opts, trials: 2, blend: false, jobs: 2 });
    expect(withoutRecipe.trialsInWorkers).toBe(0);
  }, 60_000);
});

describe("JobSlots", () => {
  it("lets at most n holders in at once, the others in the order they asked", async () => {
    const slots = new JobSlots(2);
    const order: string[] = [];
    const hold = async (name: string, release: Promise<void>) => {
      const done = await slots.acquire();
      order.push(`+${name}`);
      await release;
      order.push(`-${name}`);
      done();
      done(); // a second release is a no-op
    };
    let openA!: () => void;
    let openB!: () => void;
    const a = hold("a", new Promise((r) => (openA = r)));
    const b = hold("b", new Promise((r) => (openB = r)));
    const c = hold("c", Promise.resolve());
    const d = hold("d", Promise.resolve());
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(["+a", "+b"]);
    openB();
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(["+a", "+b", "-b", "+c", "-c", "+d", "-d"]);
    openA();
    await Promise.all([a, b, c, d]);
    expect(order.at(-1)).toBe("-a");
  });
});
