import { describe, expect, it } from "vitest";
import { HybridMF } from "../../../trainer/model/hybrid.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { plantedData } from "./conformance.case.ts";

const scores = (m: HybridMF, users: number, items: number) => {
  const out = new Float32Array(items);
  const all: number[] = [];
  for (let u = 0; u < users; u++) {
    m.scoreUser(u, out);
    all.push(...out);
  }
  return all;
};

describe("HybridMF.snapshot", () => {
  for (const loss of ["warp", "bpr"] as const) {
    it(`keeps the model as of an epoch: it scores like a fit stopped there, and later epochs do not change it (${loss})`, async () => {
      const d = plantedData();
      const params = { loss, components: 8, learningRate: 0.05, epochs: 6 };
      const live = new HybridMF(params);
      let snap: HybridMF | undefined;
      await live.fit({ interactions: d.train, rng: createRng(4), onEpoch: (epoch) => void (epoch === 3 && (snap = live.snapshot())) });
      const stopped = new HybridMF({ ...params, epochs: 3 });
      await stopped.fit({ interactions: d.train, rng: createRng(4) });
      expect(scores(snap!, d.nUsers, d.nItems)).toEqual(scores(stopped, d.nUsers, d.nItems));
      expect(snap!.params().epochs).toBe(3);
      expect(scores(live, d.nUsers, d.nItems)).not.toEqual(scores(snap!, d.nUsers, d.nItems));
    });
  }
});
