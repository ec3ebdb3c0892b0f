import { describe, expect, it } from "vitest";
import { topK } from "../../../trainer/model/model.ts";
import { SlistModel } from "../../../trainer/model/slist.ts";
import { createModel } from "../../../trainer/model/registry.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { chainData } from "../support/chain-data.ts";

describe("slist: order", () => {
  it("learns which item comes next: the item after the latest one ranks first, which an order-blind fit cannot tell", async () => {
    const { train, sequences } = chainData(40, 400, 5, 3);
    const ordered = new SlistModel({ lambda: 1, alpha: 0.2 });
    await ordered.fit({ interactions: train, sequences, rng: createRng(1) });
    const blind = new SlistModel({ lambda: 1, alpha: 0.2 });
    await blind.fit({ interactions: train, rng: createRng(1) });
    const out = new Float32Array(40);
    let orderedHits = 0;
    let blindHits = 0;
    for (let latest = 5; latest < 34; latest++) {
      const history = Int32Array.from([latest - 2, latest - 1, latest]);
      ordered.scoreUser(-1, out, history);
      if (topK(out, 1, history)[0] === latest + 1) orderedHits++;
      blind.scoreUser(-1, out, history);
      if (topK(out, 1, history)[0] === latest + 1) blindHits++;
    }
    expect(orderedHits).toBeGreaterThanOrEqual(27);
    expect(blindHits).toBeLessThan(20);
  });

  it("weighs the latest items most: reversing a history changes what comes next", async () => {
    const { train, sequences } = chainData(40, 400, 5, 4);
    const model = new SlistModel({ lambda: 1, alpha: 0.2, recencyDecay: 1 });
    await model.fit({ interactions: train, sequences, rng: createRng(1) });
    const out = new Float32Array(40);
    const forward = Int32Array.from([10, 20]);
    model.scoreUser(-1, out, forward);
    expect(topK(out, 1, forward)[0]).toBe(21);
    const backward = Int32Array.from([20, 10]);
    model.scoreUser(-1, out, backward);
    expect(topK(out, 1, backward)[0]).toBe(11);
  });

  it("scores a known user from the last items of their training sequence", async () => {
    const { train, sequences } = chainData(40, 50, 6, 5);
    const model = new SlistModel({ lambda: 1, alpha: 0.2, historyLength: 2 });
    await model.fit({ interactions: train, sequences, rng: createRng(1) });
    const a = new Float32Array(40);
    const b = new Float32Array(40);
    for (const u of [0, 7, 31]) {
      model.scoreUser(u, a);
      const seq = sequences.items.subarray(sequences.indptr[u], sequences.indptr[u + 1]);
      model.scoreUser(-1, b, seq.slice(-2));
      expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  it("is built by name from the model registry, like the others", () => {
    const m = createModel("slist", { lambda: 7, recencyDecay: 2 });
    expect(m.name).toBe("slist");
    expect(m.params()).toMatchObject({ lambda: 7, recencyDecay: 2, alpha: 0.5 });
  });

  it("refuses bad parameters and sequences that do not match the matrix", async () => {
    expect(() => new SlistModel({ alpha: 1.5 })).toThrow(/alpha must be between 0 and 1/);
    expect(() => new SlistModel({ pastWindow: 1.5 })).toThrow(/pastWindow must be a whole number/);
    expect(() => new SlistModel({ lambda: -1 })).toThrow(/lambda must be a number >= 0/);
    const { train } = chainData(10, 5, 3, 1);
    await expect(new SlistModel().fit({ interactions: train, sequences: { indptr: new Int32Array(3), items: new Int32Array(0) }, rng: createRng(1) })).rejects.toThrow(
      /sequences cover 2 users but the interaction matrix has 5/,
    );
  });
});
