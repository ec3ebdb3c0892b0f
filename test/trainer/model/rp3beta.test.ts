import { describe, expect, it } from "vitest";
import { csrFromCoo } from "../../../trainer/data/matrix.ts";
import { Rp3BetaModel } from "../../../trainer/model/rp3beta.ts";
import { createRng } from "../../../trainer/util/rng.ts";

describe("rp3beta similarities", () => {
  it("are the item→user→item walk probability^α divided by deg_j^β", async () => {
    // users × items: u0 {0,1}, u1 {0,1,2}, u2 {2}
    const x = csrFromCoo(3, 3, [0, 0, 1, 1, 1, 2], [0, 1, 0, 1, 2, 2]);
    const model = new Rp3BetaModel({ alpha: 1, beta: 0.5, k: 0 });
    await model.fit({ interactions: x, rng: createRng(0) });
    const out = new Float32Array(3);
    model.itemSimilarities(0, out);
    expect(out[0]).toBe(0);
    // item 0 (deg 2) → u0 (deg 2) → item 1, and → u1 (deg 3) → item 1; item 1 has deg 2.
    expect(out[1]).toBeCloseTo(((1 / 2) * (1 / 2) + (1 / 2) * (1 / 3)) / Math.sqrt(2), 6);
    expect(out[2]).toBeCloseTo(((1 / 2) * (1 / 3)) / Math.sqrt(2), 6);
  });

  it("keeps only the top k neighbours per item", async () => {
    const x = csrFromCoo(2, 4, [0, 0, 0, 1, 1], [0, 1, 2, 0, 1]);
    const model = new Rp3BetaModel({ k: 1 });
    await model.fit({ interactions: x, rng: createRng(0) });
    const out = new Float32Array(4);
    model.itemSimilarities(0, out);
    expect(Array.from(out).filter((v) => v > 0)).toHaveLength(1);
    expect(out[1]).toBeGreaterThan(0);
  });

  it("breaks ties by popularity: items no neighbour reaches are ordered by interaction count, below every reached item", async () => {
    // u0 {0}, u1 {0,1}, u2 {2,3}, u3 {3}, u4 {3}: for u0, item 1 is reached; items 2 and 3 are not, and 3 is the more popular.
    const x = csrFromCoo(5, 4, [0, 1, 1, 2, 2, 3, 4], [0, 0, 1, 2, 3, 3, 3]);
    const model = new Rp3BetaModel({ alpha: 1, beta: 0.5, k: 0 });
    await model.fit({ interactions: x, rng: createRng(0) });
    const out = new Float32Array(4);
    model.scoreUser(0, out);
    expect(out[1]).toBeGreaterThan(out[3]);
    expect(out[3]).toBeGreaterThan(out[2]);
    expect(out[2]).toBeGreaterThan(0);
    // Without a history: the popular items, most popular first.
    model.scoreUser(0, out, new Int32Array(0));
    expect(out[3]).toBeGreaterThan(out[0]);
    expect(out[0]).toBeGreaterThan(out[1]);
    expect(out[1]).toBe(out[2]);
  });
});
