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

  it("is affordable only while one member's rows stay under the float budget", () => {
    expect(MemoScores.affordable(943, 1682)).toBe(true);
    expect(MemoScores.affordable(14_681, 8_713)).toBe(false);
  });
});
