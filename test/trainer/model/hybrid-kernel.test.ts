import { describe, expect, it } from "vitest";
import {
  CFG_ADADELTA,
  CFG_CACHE_EVERY,
  CFG_ITEM_ALPHA,
  CFG_ITEM_IDENTITY_ONLY,
  CFG_K,
  CFG_LOSS,
  CFG_LR,
  CFG_MAX_SAMPLED,
  CFG_N_ITEMS,
  CFG_SIZE,
  CFG_USER_ALPHA,
  CFG_USER_IDENTITY_ONLY,
  kernelEpoch,
  kernelWarpIdentityEpoch,
  LOSS_WARP,
  type KernelArrays,
} from "../../../trainer/model/hybrid-kernel.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { plantedData } from "./conformance.case.ts";

/**
 * The fused WARP kernel (identity-only users and items, adagrad) must be the general kernel
 * with the work rearranged, not a different algorithm: same arithmetic, same order, same
 * random stream. Run both from the same state and compare every factor bit for bit.
 */
function identity(n: number): { indptr: Int32Array; indices: Int32Array; data: Float32Array } {
  return { indptr: Int32Array.from({ length: n + 1 }, (_, i) => i), indices: Int32Array.from({ length: n }, (_, i) => i), data: new Float32Array(n).fill(1) };
}

function warpArrays(seed: number, k: number, alpha: number): KernelArrays {
  const d = plantedData(seed);
  const rng = createRng(seed);
  const x = d.train;
  const n = x.indices.length;
  const sUsers = new Int32Array(n);
  for (let u = 0; u < x.nRows; u++) sUsers.fill(u, x.indptr[u], x.indptr[u + 1]);
  const cfg = new Float64Array(CFG_SIZE);
  cfg[CFG_LR] = 0.05;
  cfg[CFG_USER_ALPHA] = alpha;
  cfg[CFG_ITEM_ALPHA] = alpha;
  cfg[CFG_MAX_SAMPLED] = 10;
  cfg[CFG_LOSS] = LOSS_WARP;
  cfg[CFG_ADADELTA] = 0;
  cfg[CFG_K] = k;
  cfg[CFG_N_ITEMS] = x.nCols;
  cfg[CFG_ITEM_IDENTITY_ONLY] = 1;
  cfg[CFG_USER_IDENTITY_ONLY] = 1;
  cfg[CFG_CACHE_EVERY] = 0;
  const init = (len: number) => Float32Array.from({ length: len }, () => (rng.next() - 0.5) / k);
  const u = identity(x.nRows);
  const it = identity(x.nCols);
  return {
    cfg,
    uIndptr: u.indptr,
    uIndices: u.indices,
    uData: u.data,
    iIndptr: it.indptr,
    iIndices: it.indices,
    iData: it.data,
    posIndptr: x.indptr,
    posIndices: x.indices,
    sUsers,
    sItems: Int32Array.from(x.indices),
    sValues: new Float32Array(n).fill(1),
    order: Int32Array.from({ length: n }, (_, i) => i),
    uEmb: init(x.nRows * k),
    uBias: new Float32Array(x.nRows),
    iEmb: init(x.nCols * k),
    iBias: new Float32Array(x.nCols),
    uEmbG: new Float32Array(x.nRows * k).fill(1),
    uBiasG: new Float32Array(x.nRows).fill(1),
    iEmbG: new Float32Array(x.nCols * k).fill(1),
    iBiasG: new Float32Array(x.nCols).fill(1),
    uEmbM: new Float32Array(0),
    uBiasM: new Float32Array(0),
    iEmbM: new Float32Array(0),
    iBiasM: new Float32Array(0),
  };
}

function clone(a: KernelArrays): KernelArrays {
  const out = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(a)) out[key] = (value as Float32Array).slice();
  return out as unknown as KernelArrays;
}

/** Both kernels over `epochs` shuffled epochs from the same state; returns the final arrays, losses and generator states. */
function train(a: KernelArrays, k: number, epochs: number, fused: boolean) {
  const scratch = new Float64Array(6 * (k + 1) + 20);
  const rng = createRng(99).state();
  const shuffleRng = createRng(5);
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    for (let i = a.order.length - 1; i > 0; i--) {
      const j = shuffleRng.int(i + 1);
      const t = a.order[i];
      a.order[i] = a.order[j];
      a.order[j] = t;
    }
    losses.push(fused ? kernelWarpIdentityEpoch(a, scratch, rng, 0, a.order.length) : kernelEpoch(a, scratch, rng, 0, a.order.length, new Float32Array(0)));
  }
  return { a, losses, rng: Array.from(rng) };
}

const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

describe("fused WARP identity kernel", () => {
  for (const { k, alpha } of [
    { k: 8, alpha: 0 },
    { k: 7, alpha: 1e-4 }, // odd k: the two-accumulator dot products' tail
  ]) {
    it(`gives bit-identical factors, biases, accumulators, losses and random stream to the general kernel (k=${k}, alpha=${alpha})`, () => {
      const start = warpArrays(3, k, alpha);
      const fused = train(clone(start), k, 5, true);
      const generalStart = clone(start);
      generalStart.cfg[CFG_USER_IDENTITY_ONLY] = 0; // the dispatch flag only: kernelEpoch takes the general path
      const general = train(generalStart, k, 5, false);
      for (const key of ["uEmb", "uBias", "iEmb", "iBias", "uEmbG", "uBiasG", "iEmbG", "iBiasG"] as const) {
        expect(bits(fused.a[key]), key).toEqual(bits(general.a[key]));
      }
      expect(fused.losses).toEqual(general.losses);
      expect(fused.rng).toEqual(general.rng);
      // The comparison means something: training moved the factors away from their start.
      expect(bits(fused.a.iEmb)).not.toEqual(bits(start.iEmb));
      expect(fused.losses[0]).toBeGreaterThan(0);
    });
  }

  it("is what kernelEpoch runs for identity-only WARP under adagrad", () => {
    const k = 8;
    const start = warpArrays(4, k, 0);
    const direct = train(clone(start), k, 2, true);
    const dispatched = train(clone(start), k, 2, false);
    expect(bits(dispatched.a.iEmb)).toEqual(bits(direct.a.iEmb));
    expect(dispatched.rng).toEqual(direct.rng);
  });
});
