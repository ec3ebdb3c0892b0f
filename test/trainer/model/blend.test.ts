import { describe, expect, it } from "vitest";
import { evaluateRanking } from "../../../trainer/eval/ranking.ts";
import { BlendModel } from "../../../trainer/model/blend.ts";
import { EaseModel } from "../../../trainer/model/ease.ts";
import { HybridMF } from "../../../trainer/model/hybrid.ts";
import { MemoScores } from "../../../trainer/model/memo-scores.ts";
import { RateLogitModel } from "../../../trainer/model/hybrid-rates.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { csrFromCoo } from "../../../trainer/data/matrix.ts";
import { fourGroups } from "./four-groups.ts";

const world = fourGroups();

describe("BlendModel", () => {
  it("ranks like its only member, whatever the weight's scale", async () => {
    const ease = new EaseModel({ lambda: 10 });
    await ease.fit({ interactions: world.train, rng: createRng(1) });
    const blend = new BlendModel([{ model: ease, weight: 7 }]);
    const a = new Float32Array(world.train.nCols);
    const b = new Float32Array(world.train.nCols);
    ease.scoreUser(3, a);
    blend.scoreUser(3, b);
    const order = (s: Float32Array) => Array.from(s.keys()).sort((x, y) => s[y] - s[x] || x - y);
    expect(order(b)).toEqual(order(a));
  });

  it("fits its members and mixes EASE with a factor model", async () => {
    const blend = new BlendModel([
      { model: new EaseModel({ lambda: 10 }), weight: 0.5 },
      { model: new HybridMF({ epochs: 20 }), weight: 0.5 },
    ]);
    await blend.fit({ interactions: world.train, rng: createRng(2) });
    expect(evaluateRanking(blend, { train: world.train, test: world.test }).auc).toBeGreaterThan(0.8);
    expect(blend.itemVectors?.().dim).toBe(10);
    expect(typeof blend.itemSimilarities).toBe("function");
    expect((blend.params().members as unknown[]).length).toBe(2);
  });

  it("without per-user scaling keeps scores comparable across users (pair AUC)", async () => {
    // User 0 likes everything, user 1 nothing: raw logits must keep user 0 above user 1.
    const labels = csrFromCoo(2, 3, [0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2], [1, 1, 1, -1, -1, -1]);
    const rates = new RateLogitModel(1);
    await rates.fit({ interactions: labels, rng: createRng(0) });
    const raw = new BlendModel([{ model: rates, weight: 1 }], "b", "none");
    const s0 = new Float32Array(3);
    const s1 = new Float32Array(3);
    raw.scoreUser(0, s0);
    raw.scoreUser(1, s1);
    expect(s0[0]).toBeGreaterThan(s1[0]);
  });

  it.each(["per-user", "none"] as const)("over remembered member rows scores exactly as over the members themselves (%s scaling)", async (scaling) => {
    const ease = new EaseModel({ lambda: 10 });
    const hybrid = new HybridMF({ epochs: 5 });
    await ease.fit({ interactions: world.train, rng: createRng(1) });
    await hybrid.fit({ interactions: world.train, rng: createRng(1) });
    const n = world.train.nCols;
    const listed = Int32Array.from([0, 2, 3]);
    const weights = [0.3, 0, 0.7];
    const members = [ease, hybrid, ease];
    const direct = new BlendModel(members.map((model, k) => ({ model, weight: weights[k] })), "b", scaling);
    const remembered = new BlendModel(members.map((model, k) => ({ model: new MemoScores(model, listed, n), weight: weights[k] })), "b", scaling);
    const a = new Float32Array(n);
    const b = new Float32Array(n);
    // Listed users twice (first filling the rows, then reading them), an unlisted user, and a history.
    for (const [user, history] of [[0], [2], [0], [2], [1], [3, Int32Array.from([0, 1])]] as Array<[number, Int32Array?]>) {
      direct.scoreUser(user, a, history);
      remembered.scoreUser(user, b, history);
      expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    }
  });

  it("rejects an empty or non-finite blend", () => {
    expect(() => new BlendModel([])).toThrow(/at least one member/);
    expect(() => new BlendModel([{ model: new RateLogitModel(), weight: NaN }])).toThrow(/finite/);
  });
});
