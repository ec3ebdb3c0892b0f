import { afterAll, describe, expect, it } from "vitest";
import { evaluateOnTest, evaluateNextItem, loadSequenceSplit, summariseNextItem, validateOnDev } from "../../../bench/lib/sequence-protocol.ts";
import type { Recommender } from "../../../trainer/model/model.ts";
import { fixtureDir } from "../../trainer/data/fixtures.ts";

const fx = fixtureDir();
afterAll(() => fx.cleanup());

/** Scores each item by a fixed table, and records the histories it was asked about. */
class FixedScores implements Recommender {
  readonly name = "fixed";
  seen: number[][] = [];
  constructor(private readonly table: number[]) {}
  async fit(): Promise<void> {}
  scoreUser(_u: number, out: Float32Array, history?: Int32Array): void {
    this.seen.push(Array.from(history ?? []));
    out.set(this.table);
  }
  params() {
    return {};
  }
}

describe("sequence leave-last-out protocol", () => {
  const file = fx.write("s.txt", "u1 a b c d e\nu2 c d f\n");

  it("splits each line into train / dev / test and scores dev from train, test from train + dev", async () => {
    const s = await loadSequenceSplit(file);
    const name = (i: number) => s.itemIds[i];
    expect(Array.from(s.dev, name)).toEqual(["d", "d"]);
    expect(Array.from(s.test, name)).toEqual(["e", "f"]);
    expect(s.train.indptr[2]).toBe(4);
    const m = new FixedScores(s.itemIds.map(() => 0));
    validateOnDev(m, s);
    expect(m.seen.map((h) => h.map(name))).toEqual([["a", "b", "c"], ["c"]]);
    m.seen = [];
    evaluateOnTest(m, s);
    // Test from train + dev, then the train-only read (its history without dev).
    expect(m.seen.map((h) => h.map(name))).toEqual([["a", "b", "c", "d"], ["c", "d"], ["a", "b", "c"], ["c"]]);
  });

  it("ranks the target against every non-excluded item, ties counting against it", async () => {
    const s = await loadSequenceSplit(file);
    const idx = (id: string) => s.itemIds.indexOf(id);
    // u1's test item e ties with f: rank 1 (f) → hit at k=10, gain 1/log2(3); with k=1 it misses.
    const table = s.itemIds.map((id) => (id === "e" || id === "f" ? 5 : 0));
    const r = evaluateNextItem(new FixedScores(table), { targets: s.test, histories: s.testHistories, exclude: s.testHistories, nItems: s.nItems, k: 1 });
    expect(r.hits[0]).toBe(0);
    const r10 = evaluateNextItem(new FixedScores(table), { targets: s.test, histories: s.testHistories, exclude: s.testHistories, nItems: s.nItems });
    expect(r10.gains[0]).toBeCloseTo(1 / Math.log2(3), 10);
    // u2's target f: e ties, a/b are not excluded for u2 but score 0 below it.
    expect(r10.gains[1]).toBeCloseTo(1 / Math.log2(3), 10);
    expect(idx("e")).toBeGreaterThanOrEqual(0);
  });

  it("gives a 95% bootstrap interval around the mean (a point when every user agrees)", () => {
    const all = summariseNextItem({ hits: new Float64Array(50).fill(1), gains: new Float64Array(50).fill(0.5) });
    expect(all["hr@10"]).toBe(1);
    expect([all["hr@10:lo"], all["hr@10:hi"]]).toEqual([1, 1]);
    const half = summariseNextItem({ hits: Float64Array.from({ length: 400 }, (_, i) => i % 2), gains: new Float64Array(400) });
    expect(half["hr@10"]).toBe(0.5);
    expect(half["hr@10:lo"]).toBeLessThan(0.5);
    expect(half["hr@10:hi"]).toBeGreaterThan(0.5);
    expect(half["hr@10:hi"] - half["hr@10:lo"]).toBeLessThan(0.15);
  });
});
