import { describe, expect, it } from "vitest";
import { csrFromCoo } from "../../../trainer/data/matrix.ts";
import { PopularityModel } from "../../../trainer/model/popularity.ts";
import { pairRocAuc, scorePairs } from "../../../trainer/eval/pair-auc.ts";
import { createRng } from "../../../trainer/util/rng.ts";

describe("pairRocAuc", () => {
  it("matches the textbook example", () => {
    expect(pairRocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it("counts ties as one half", () => {
    // (pos 1 vs neg 1: ½) (pos 1 vs neg 2: 0) (pos 2 vs neg 1: 1) (pos 2 vs neg 2: ½) → 2/4
    expect(pairRocAuc([1, 1, 2, 2], [0, 1, 0, 1])).toBeCloseTo(0.5, 12);
    // pos 2 vs {neg 1: 1, neg 2: ½}, pos 3 vs both: 2 → 3.5/4
    expect(pairRocAuc([1, 2, 2, 3], [0, 1, 0, 1])).toBeCloseTo(0.875, 12);
    expect(pairRocAuc([5, 5, 5], [1, 0, 1])).toBeCloseTo(0.5, 12);
  });

  it("is NaN with one class only and rejects NaN scores", () => {
    expect(pairRocAuc([1, 2], [1, 1])).toBeNaN();
    expect(() => pairRocAuc([1, Number.NaN], [0, 1])).toThrow(/NaN/);
  });
});

describe("scorePairs", () => {
  it("returns the model's score for each (user, item) pair in input order", async () => {
    const x = csrFromCoo(3, 3, [0, 1, 2, 2], [0, 0, 0, 1]);
    const model = new PopularityModel();
    await model.fit({ interactions: x, rng: createRng(0) });
    const s = scorePairs(model, 3, Int32Array.from([2, 0, 2, 1]), Int32Array.from([1, 0, 2, 1]));
    expect(Array.from(s)).toEqual([1, 3, 0, 1]);
  });
});
