import { describe, expect, it } from "vitest";
import { evaluateRanking } from "../../../trainer/eval/ranking.ts";
import { HybridMF, type HybridParams } from "../../../trainer/model/hybrid.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { plantedData } from "./conformance.case.ts";
import { keepColumns, fourGroups } from "./four-groups.ts";

const world = fourGroups();

async function fitted(opts: Partial<HybridParams>, seed = 1, withFeatures = false) {
  const m = new HybridMF({ epochs: 30, ...opts });
  await m.fit({ interactions: world.train, rng: createRng(seed), itemFeatures: withFeatures ? world.itemFeatures : undefined });
  return m;
}

describe("HybridMF", () => {
  it.each(["warp", "bpr", "warp-kos", "logistic"] as const)("learns the four tastes with %s loss", async (loss) => {
    const m = await fitted({ loss, negatives: loss === "logistic" ? 3 : 0, epochs: loss === "warp-kos" ? 40 : 30 });
    const r = evaluateRanking(m, { train: world.train, test: world.test });
    expect(r.auc).toBeGreaterThan(0.8);
    expect(m.history).toHaveLength(loss === "warp-kos" ? 40 : 30);
    expect(m.history.every((h) => Number.isFinite(h.loss))).toBe(true);
  });

  it("learns with the adadelta schedule", async () => {
    const m = await fitted({ schedule: "adadelta" });
    expect(evaluateRanking(m, { train: world.train, test: world.test }).auc).toBeGreaterThan(0.8);
  });

  it("scores every item exactly as its sum over components, one item at a time (101 items: four at a time plus a tail)", async () => {
    const d = plantedData();
    const m = new HybridMF({ components: 7, epochs: 3 });
    await m.fit({ interactions: d.train, rng: createRng(5) });
    const items = m.itemVectors();
    const users = m.userVectors();
    const k = items.dim;
    const got = new Float32Array(d.nItems);
    for (let u = 0; u < d.nUsers; u += 7) {
      m.scoreUser(u, got);
      for (let i = 0; i < d.nItems; i++) {
        let s = users.biases![u] + items.biases![i] + 0;
        for (let c = 0; c < k; c++) s += users.vectors[u * k + c] * items.vectors[i * k + c];
        expect(Object.is(got[i], Math.fround(s))).toBe(true);
      }
    }
  });

  it("is bit-for-bit reproducible with one thread and a seed", async () => {
    const a = (await fitted({}, 3, true)).itemVectors();
    const b = (await fitted({}, 3, true)).itemVectors();
    const c = (await fitted({}, 4, true)).itemVectors();
    expect(Buffer.from(a.vectors.buffer).equals(Buffer.from(b.vectors.buffer))).toBe(true);
    expect(Buffer.from(a.biases!.buffer).equals(Buffer.from(b.biases!.buffer))).toBe(true);
    expect(Buffer.from(a.vectors.buffer).equals(Buffer.from(c.vectors.buffer))).toBe(false);
  });

  it("trains with two Hogwild threads over shared memory", async () => {
    const m = await fitted({ threads: 2 });
    expect(evaluateRanking(m, { train: world.train, test: world.test }).auc).toBeGreaterThan(0.8);
  });

  it("scores items without interactions from their features (item cold start)", async () => {
    // Hold out every interaction of items 0..19: the model never sees them.
    const cold = (i: number) => i < 20;
    const train = keepColumns(world.train, (i) => !cold(i));
    const test = keepColumns(world.test, cold);
    const coldOnly = (m: HybridMF) => {
      // Rank only cold items: exclude every warm item as if it were training data.
      const exclude = keepColumns(world.train, () => true);
      return evaluateRanking(m, { train, test, exclude: [exclude], users: undefined });
    };
    const withF = new HybridMF({ epochs: 30 });
    await withF.fit({ interactions: train, rng: createRng(5), itemFeatures: world.itemFeatures });
    const idOnly = new HybridMF({ epochs: 30 });
    await idOnly.fit({ interactions: train, rng: createRng(5) });
    const aucWith = coldOnly(withF).auc;
    const aucWithout = coldOnly(idOnly).auc;
    expect(aucWith).toBeGreaterThan(0.8);
    // Identity-only cannot tell cold items apart: all score alike.
    expect(aucWithout).toBeLessThan(0.6);
  });

  it("folds in an unknown user from their history", async () => {
    const m = await fitted({}, 2);
    const out = new Float32Array(world.train.nCols);
    const group0 = Int32Array.from([0, 4, 8, 12, 16, 20]);
    m.scoreUser(-1, out, group0);
    let even = 0;
    let odd = 0;
    for (let i = 24; i < out.length; i++) (i % 4 === 0 ? (even += out[i]) : (odd += out[i]));
    expect(even).toBeGreaterThan(odd);
  });

  it("rejects bad parameters with the allowed values", () => {
    expect(() => new HybridMF({ loss: "hinge" as never })).toThrow(/unknown loss "hinge".*warp/);
    expect(() => new HybridMF({ components: 0 })).toThrow(/components must be a positive integer/);
    expect(() => new HybridMF({ threads: 1.5 })).toThrow(/threads/);
  });

  it("stops early when onEpoch returns true", async () => {
    const m = new HybridMF({ epochs: 30 });
    await m.fit({ interactions: world.train, rng: createRng(1), onEpoch: (e) => e >= 4 });
    expect(m.history).toHaveLength(4);
  });

  it("fails with a clear error before fit", () => {
    expect(() => new HybridMF().scoreUser(0, new Float32Array(3))).toThrow(/fit\(\) before scoring/);
  });
});
