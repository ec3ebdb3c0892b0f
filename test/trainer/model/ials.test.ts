import { describe, expect, it } from "vitest";
import { csrFromCoo } from "../../../trainer/data/matrix.ts";
import { IALS_DEFAULTS, IalsModel } from "../../../trainer/model/ials.ts";
import { createModel } from "../../../trainer/model/registry.ts";
import { DEFAULT_IALS } from "../../../trainer/tune/search.ts";
import { createRng } from "../../../trainer/util/rng.ts";

describe("ials", () => {
  it("gives a known user the factors of the exact least-squares solve: folding in its history reproduces its scores", async () => {
    // users × items: u0 {0,1}, u1 {1,2}, u2 {0,2,3}
    const x = csrFromCoo(3, 4, [0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2, 3]);
    const model = new IalsModel({ components: 2, iterations: 3, alpha: 4, lambda: 0.5, unobservedWeight: 0.7 });
    await model.fit({ interactions: x, rng: createRng(0) });
    const known = new Float32Array(4);
    const folded = new Float32Array(4);
    for (const [u, hist] of [[0, [0, 1]], [2, [0, 2, 3]]] as const) {
      model.scoreUser(u, known);
      model.scoreUser(99, folded, Int32Array.from(hist));
      for (let i = 0; i < 4; i++) expect(folded[i]).toBeCloseTo(known[i], 5);
    }
    // Observed items score above the unobserved one for a user with a clear taste.
    model.scoreUser(0, known);
    expect(Math.min(known[0], known[1])).toBeGreaterThan(known[3]);
    expect(model.userVectors().vectors.length).toBe(3 * 2);
    expect(model.itemVectors().vectors.length).toBe(4 * 2);
  });

  it("is built by name and rejects bad settings with the parameter's name", () => {
    expect(createModel("ials", { components: 4 }).name).toBe("ials");
    expect(() => new IalsModel({ lambda: 0, unobservedWeight: 0 })).toThrow(/lambda and unobservedWeight/);
    expect(() => new IalsModel({ components: 2.5 })).toThrow(/integers/);
  });

  it("has one default setting: the model's own, which the tuner starts from", () => {
    expect(new IalsModel().params()).toEqual(IALS_DEFAULTS);
    expect(DEFAULT_IALS).toEqual(IALS_DEFAULTS);
    expect(IALS_DEFAULTS).toMatchObject({ components: 64, alpha: 3, lambda: 30 });
  });
});
