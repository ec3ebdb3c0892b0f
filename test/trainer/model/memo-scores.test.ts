import { describe, expect, it } from "vitest";
import { EaseModel } from "../../../trainer/model/ease.ts";
import { MemoScores } from "../../../trainer/model/memo-scores.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { plantedData } from "./conformance.case.ts";

describe("MemoScores", () => {
  it("returns the wrapped model's scores, remembers a training user's row, and scores explicit histories afresh", async () => {
    const d = plantedData();
    const ease = new EaseModel({ lambda: 10 });
    await ease.fit({ interactions: d.train, rng: createRng(0) });
    const memo = new MemoScores(ease);
    const direct = new Float32Array(d.nItems);
    const remembered = new Float32Array(d.nItems);
    ease.scoreUser(3, direct);
    memo.scoreUser(3, remembered);
    expect(remembered).toEqual(direct);
    expect(memo.itemSimilarities).toBeDefined();

    // Refit the wrapped model on other data: the remembered row stays, a history is scored by the new fit.
    await ease.fit({ interactions: d.test, rng: createRng(0) });
    memo.scoreUser(3, remembered);
    expect(remembered).toEqual(direct);
    const history = Int32Array.from([0, 1, 2]);
    const fresh = new Float32Array(d.nItems);
    ease.scoreUser(3, direct, history);
    memo.scoreUser(3, fresh, history);
    expect(fresh).toEqual(direct);
    await expect(memo.fit()).rejects.toThrow(/already fitted/);
  });

  it("with a user list, keeps those users' rows in one slab and scores everyone else afresh", async () => {
    const d = plantedData();
    const ease = new EaseModel({ lambda: 10 });
    await ease.fit({ interactions: d.train, rng: createRng(0) });
    let calls = 0;
    const counted = { name: "ease", fit: () => ease.fit({ interactions: d.train, rng: createRng(0) }), scoreUser: (u: number, out: Float32Array, h?: Int32Array) => (calls++, ease.scoreUser(u, out, h)), params: () => ease.params() };
    const memo = new MemoScores(counted, Int32Array.from([2, 5]), d.nItems);
    const direct = new Float32Array(d.nItems);
    const got = new Float32Array(d.nItems);
    for (const u of [2, 5, 2, 5, 2]) {
      ease.scoreUser(u, direct);
      memo.scoreUser(u, got);
      expect(got).toEqual(direct);
    }
    expect(calls).toBe(2);
    memo.scoreUser(7, got);
    memo.scoreUser(7, got);
    expect(calls).toBe(4);
    ease.scoreUser(7, direct);
    expect(got).toEqual(direct);
  });

  it("lends a listed user's row in place with its mean and standard deviation, computed once", async () => {
    const d = plantedData();
    const ease = new EaseModel({ lambda: 10 });
    await ease.fit({ interactions: d.train, rng: createRng(0) });
    const memo = new MemoScores(ease, Int32Array.from([2, 5]), d.nItems);
    const direct = new Float32Array(d.nItems);
    ease.scoreUser(5, direct);
    const kept = memo.rememberedRow(5, d.nItems)!;
    expect(kept.row).toEqual(direct);
    const mean = direct.reduce((a, v) => a + v, 0) / d.nItems;
    expect(kept.mean).toBeCloseTo(mean, 6);
    expect(kept.sd).toBeCloseTo(Math.sqrt(direct.reduce((a, v) => a + (v - mean) ** 2, 0) / d.nItems), 5);
    expect(memo.rememberedRow(5, d.nItems)).toBe(kept);
    expect(memo.rememberedRow(7, d.nItems)).toBeUndefined();
    expect(memo.rememberedRow(5, d.nItems - 1)).toBeUndefined();
    expect(new MemoScores(ease).rememberedRow(5, d.nItems)).toBeUndefined();
  });

  it("sizes the rows it may hold by the users validation scores: a 5,000-user sample of 12k items fits 1 GB over 4 members, every user does not", () => {
    const perUser = MemoScores.usersWithin(2 ** 30, 4, 11_924);
    expect(perUser).toBe(Math.floor(2 ** 30 / (4 * 4 * 11_924)));
    expect(perUser).toBeGreaterThan(5_000);
    expect(perUser).toBeLessThan(19_412);
  });
});
