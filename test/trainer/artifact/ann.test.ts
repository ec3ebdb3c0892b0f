import { describe, expect, it } from "vitest";
import { NONE } from "../../../src/artifact/index.ts";
import { annSettingsFor, approximateNeighbours } from "../../../trainer/artifact/ann.ts";
import { exactNeighbours } from "../../../trainer/artifact/exact-neighbours.ts";
import { createRng } from "../../../trainer/util/rng.ts";

/** Clustered vectors whose norms vary 10×, as factor models' item vectors do (popular items are longer). */
function unevenVectors(n: number, dim: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Float32Array.from({ length: 20 * dim }, () => gaussian());
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = i % 20;
    const scale = 0.2 + 2 * rng.next();
    for (let d = 0; d < dim; d++) out[i * dim + d] = scale * (centres[c * dim + d] + 0.5 * gaussian());
  }
  return out;
}

function recallAgainst(exact: Uint32Array, approx: Uint32Array, k: number): number {
  let hits = 0;
  let wanted = 0;
  for (let q = 0; q < exact.length / k; q++) {
    const found = new Set(approx.subarray(q * k, q * k + k));
    for (let j = 0; j < k; j++) {
      if (exact[q * k + j] === NONE) continue;
      wanted++;
      if (found.has(exact[q * k + j])) hits++;
    }
  }
  return hits / wanted;
}

describe("approximate neighbours (usearch HNSW)", () => {
  const n = 3000;
  const dim = 16;
  const k = 10;
  const vectors = unevenVectors(n, dim, 7);
  const candidates = Uint32Array.from({ length: n }, (_, i) => i).filter((i) => i % 10 !== 3);

  it.each([
    { mips: true, poolRerank: false, search: "the metric reduction of inner product" },
    { mips: false, poolRerank: false, search: "the raw inner-product graph" },
    { mips: true, poolRerank: true, search: "the index search re-ranked exactly over the pool it found" },
  ])("$search finds the largest dot products among the allowed candidates, scored exactly, and reports its recall", async ({ mips, poolRerank }) => {
    const exact = await exactNeighbours({ vectors, dim, k, candidates, threads: 1 });
    const approx = await approximateNeighbours({ vectors, dim, k, candidates, threads: 1, recallSample: 300, seed: 3, mips, poolRerank });
    const recall = recallAgainst(exact.ids, approx.rows.ids, k);
    expect(recall).toBeGreaterThan(0.95);
    // The sampled recall it reports estimates the true one.
    expect(Math.abs(approx.recall - recall)).toBeLessThan(0.05);
    expect(approx.sampled).toBe(300);
    const allowed = new Set(candidates);
    for (let q = 0; q < n; q++) {
      for (let j = 0; j < k; j++) {
        const id = approx.rows.ids[q * k + j];
        expect(id === q || !allowed.has(id) ? `row ${q} lists ${id}` : "ok").toBe("ok");
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += vectors[q * dim + d] * vectors[id * dim + d];
        expect(approx.rows.scores[q * k + j]).toBeCloseTo(dot, 3);
        if (j > 0) expect(approx.rows.scores[q * k + j]).toBeLessThanOrEqual(approx.rows.scores[q * k + j - 1]);
      }
    }
  });

  it("re-ranking over the found pool recovers what a narrow graph search missed", async () => {
    const narrow = { connectivity: 4, expansionAdd: 16, expansionSearch: 12 };
    const exact = await exactNeighbours({ vectors, dim, k, candidates, threads: 1 });
    let pool = 0;
    const searched = await approximateNeighbours({ vectors, dim, k, candidates, threads: 1, recallSample: 0, ...narrow, poolRerank: false });
    const reranked = await approximateNeighbours({ vectors, dim, k, candidates, threads: 1, recallSample: 0, ...narrow, poolRerank: true, onPool: (info) => (pool = info.poolSize) });
    const before = recallAgainst(exact.ids, searched.rows.ids, k);
    const after = recallAgainst(exact.ids, reranked.rows.ids, k);
    expect(after).toBeGreaterThan(before);
    expect(after).toBeGreaterThan(0.9);
    expect(pool).toBeGreaterThan(0);
    expect(pool).toBeLessThanOrEqual(candidates.length);
  });

  it("by default searches a cheap graph and re-ranks over the pool it found, with a beam no narrower than the lists", () => {
    for (const k of [20, 50]) {
      const settings = annSettingsFor(k);
      expect(settings.poolRerank).toBe(true);
      expect(settings.expansionSearch).toBeGreaterThanOrEqual(k);
    }
  });
});
