import { describe, expect, it } from "vitest";
import { csrFromCoo } from "../../../trainer/data/matrix.ts";
import { ItemKnnModel } from "../../../trainer/model/itemknn.ts";
import { createRng } from "../../../trainer/util/rng.ts";

describe("itemknn similarities", () => {
  it("are cosine with shrinkage: |Ui ∩ Uj| / (sqrt(|Ui||Uj|) + shrink)", async () => {
    // users × items: u0 {0,1}, u1 {0,1,2}, u2 {2}
    const x = csrFromCoo(3, 3, [0, 0, 1, 1, 1, 2], [0, 1, 0, 1, 2, 2]);
    const model = new ItemKnnModel({ k: 5, shrink: 2 });
    await model.fit({ interactions: x, rng: createRng(0) });
    const out = new Float32Array(3);
    model.itemSimilarities(0, out);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(2 / (Math.sqrt(2 * 2) + 2), 6);
    expect(out[2]).toBeCloseTo(1 / (Math.sqrt(2 * 2) + 2), 6);
  });

  it("keeps only the top k neighbours per item", async () => {
    const x = csrFromCoo(2, 4, [0, 0, 0, 1, 1], [0, 1, 2, 0, 1]);
    const model = new ItemKnnModel({ k: 1, shrink: 0 });
    await model.fit({ interactions: x, rng: createRng(0) });
    const out = new Float32Array(4);
    model.itemSimilarities(0, out);
    expect(Array.from(out).filter((v) => v > 0)).toHaveLength(1);
    expect(out[1]).toBeCloseTo(1, 6);
  });
});
