import { beforeAll, describe, expect, it } from "vitest";
import { type Artifact, decodeArtifact } from "../../../src/artifact/index.ts";
import { basketRecommendations, userRecommendations } from "../../../src/recommend/index.ts";
import { buildArtifact } from "../../../trainer/artifact/build.ts";
import { topK } from "../../../trainer/model/model.ts";
import { SlistModel } from "../../../trainer/model/slist.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { chainData } from "../support/chain-data.ts";

/** Order-aware serving: the artifact carries slist's recency weighting, and the basket and history paths apply it. */
const nItems = 40;
const { x, train, sequences } = chainData(nItems, 300, 6, 9);
const model = new SlistModel({ lambda: 1, alpha: 0.2, recencyDecay: 1, historyLength: 3 });
let a: Artifact;

beforeAll(async () => {
  await model.fit({ interactions: train, sequences, rng: createRng(1) });
  a = await decodeArtifact(await buildArtifact({ model, interactions: x, items: x.itemIds.map((id) => ({ id })), k: 10, userTopN: 0 }));
});

describe("serving an order-aware model", () => {
  it("stores the model's recency decay and history length in the header", () => {
    expect(a.header.model.type).toBe("slist");
    expect(a.header.sequence?.historyLength).toBe(3);
    expect(a.header.sequence?.decay).toBeCloseTo(Math.exp(-1), 6);
  });

  it("answers a basket in order: what follows the latest item comes first, as the full model ranks it", () => {
    const out = new Float32Array(nItems);
    for (const history of [[10, 20], [20, 10], [3, 4, 5], [30, 2, 17]]) {
      const served = basketRecommendations(a, history, { k: 3 }).map((r) => r.index);
      model.scoreUser(-1, out, Int32Array.from(history));
      const full = Array.from(topK(out, 1, history));
      expect(served[0]).toBe(full[0]);
      expect(served[0]).toBe(history[history.length - 1] + 1);
      for (const h of history) expect(served).not.toContain(h);
    }
  });

  it("scores only the latest historyLength items but never recommends the older ones", () => {
    // 11 is what follows 10, but 10 lies outside the 3-item window; 12 is older still and must not come back.
    const history = [12, 10, 25, 30, 33];
    const served = basketRecommendations(a, history, { k: 8 }).map((r) => r.index);
    expect(served[0]).toBe(34);
    for (const h of history) expect(served).not.toContain(h);
  });

  it("serves a known user from their stored history, latest items first", () => {
    const u = 4;
    const seq = Array.from(sequences.items.subarray(sequences.indptr[u], sequences.indptr[u + 1]));
    const r = userRecommendations(a, u, { k: 3, strategy: "history" });
    expect(r.strategy).toBe("history");
    // Chains start below nItems − length, so the item after the latest always exists.
    expect(r.items[0].index).toBe(seq[seq.length - 1] + 1);
    for (const item of r.items) expect(seq).not.toContain(item.index);
  });
});
