/**
 * In-place inverse of a symmetric positive definite matrix (the EASE Gram matrix),
 * by a blocked, Cholesky-based symmetric sweep (block Gauss–Jordan):
 *
 *   for each pivot block K (Cholesky L of the current A_KK, D = A_KK⁻¹ = L⁻ᵀL⁻¹):
 *     Z    = A_RK L⁻ᵀ
 *     A_RR ← A_RR − Z Zᵀ        (the O(n²b) part, lower triangle only)
 *     A_RK ← Z L⁻¹              (= A_RK D)
 *     A_KK ← −D
 *
 * Sweeping every block leaves −A⁻¹. Every step's heavy work is one uniform
 * rank-b update, so it is cache-friendly (b×b tiles, 4×4 register blocks) and splits
 * evenly between threads; total n³ flops, the same as potrf + potri. Memory is the
 * one n×n Float64Array (rows padded to the block size) plus a few n×b panels. When the
 * matrix lives in WebAssembly memory, every product runs on a SIMD tile kernel
 * (wasm-tile.ts); otherwise on the plain JS loops below.
 */

/** A square symmetric matrix in row-major order with padded stride (padding is identity). */
export interface SymMatrix {
  readonly n: number;
  /** Padded size: a multiple of `block`. Rows/columns n..size-1 are identity. */
  readonly size: number;
  readonly block: number;
  readonly data: Float64Array;
  /** When the matrix lives in WebAssembly memory (followed by room for three size×block panels and two block×block ones), the SIMD kernel runs on it. */
  readonly memory?: WebAssembly.Memory;
  /**
   * "double": every product in doubles. "mixed": the dominant rank-b update multiplies
   * float copies of the panel (4 SIMD lanes instead of 2, about twice as fast) and
   * accumulates each b-term sum in float before subtracting it from the double matrix;
   * the matrix itself, the pivots and the panel products stay double.
   */
  readonly precision?: Precision;
}

export type Precision = "double" | "mixed";

import { tileKernel, type TileFn } from "./wasm-tile.ts";

export const DEFAULT_BLOCK = 64;

const WASM_PAGE = 65536;
const WASM_MAX_BYTES = 4 * 1024 * 1024 * 1024 - WASM_PAGE;

/**
 * Allocates an n×n zero matrix (padding rows get 1 on the diagonal). By default in
 * WebAssembly memory (so the SIMD kernel can run on it) when it fits in 4 GiB, else in a plain
 * ArrayBuffer (JS kernel).
 */
export function allocSym(n: number, block = DEFAULT_BLOCK, opts: { wasm?: boolean; precision?: Precision } = {}): SymMatrix {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`matrix size must be a positive integer, got ${n}`);
  if (block % 4 !== 0 || block < 4) throw new RangeError(`block must be a positive multiple of 4, got ${block}`);
  const size = Math.ceil(n / block) * block;
  const bytes = size * size * 8;
  const totalBytes = bytes + 3 * size * block * 8 + 2 * block * block * 8 + (opts.precision === "mixed" ? 2 * size * block * 4 : 0);
  let memory: WebAssembly.Memory | undefined;
  if ((opts.wasm ?? true) && typeof WebAssembly !== "undefined" && totalBytes <= WASM_MAX_BYTES) {
    const pages = Math.ceil(totalBytes / WASM_PAGE);
    try {
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    } catch {
      memory = undefined; // e.g. address space limits: fall back to the JS kernel
    }
  }
  const data = memory ? new Float64Array(memory.buffer, 0, size * size) : new Float64Array(size * size);
  for (let i = n; i < size; i++) data[i * size + i] = 1;
  return { n, size, block, data, memory, precision: opts.precision ?? "double" };
}

/** Thrown when the matrix is not (numerically) positive definite. */
export class NotPositiveDefiniteError extends Error {
  constructor(readonly index: number) {
    super(`matrix is not positive definite (pivot ${index} <= 0); add regularisation (a larger lambda)`);
    this.name = "NotPositiveDefiniteError";
  }
}

/**
 * The O(n²b) update of one sweep step over rows [rowStart, rowEnd) of the lower triangle:
 * A[i][j] −= Z[i]·Z[j] for j <= i, skipping the pivot block's rows and columns.
 * Exported so worker threads can run disjoint row ranges of the same step.
 */
export function sweepUpdateRows(
  a: Float64Array,
  size: number,
  z: Float64Array,
  b: number,
  k0: number,
  rowStart: number,
  rowEnd: number,
): void {
  const k1 = k0 + b;
  // Tiles of b×b so the two Z panels and the A tile stay in cache.
  for (let ib = rowStart; ib < rowEnd; ib += b) {
    if (ib >= k0 && ib < k1) continue;
    const iEnd = Math.min(ib + b, rowEnd);
    for (let jb = 0; jb <= ib; jb += b) {
      if (jb === k0) continue;
      const jEnd = jb + b;
      for (let i = ib; i < iEnd; i += 4) {
        const z0 = i * b;
        const z1 = z0 + b;
        const z2 = z1 + b;
        const z3 = z2 + b;
        const jStop = Math.min(jEnd, i + 4);
        for (let j = jb; j < jStop; j += 4) {
          const y0 = j * b;
          const y1 = y0 + b;
          const y2 = y1 + b;
          const y3 = y2 + b;
          let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
          let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
          let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
          let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
          for (let p = 0; p < b; p++) {
            const x0 = z[z0 + p], x1 = z[z1 + p], x2 = z[z2 + p], x3 = z[z3 + p];
            const w0 = z[y0 + p], w1 = z[y1 + p], w2 = z[y2 + p], w3 = z[y3 + p];
            c00 += x0 * w0; c01 += x0 * w1; c02 += x0 * w2; c03 += x0 * w3;
            c10 += x1 * w0; c11 += x1 * w1; c12 += x1 * w2; c13 += x1 * w3;
            c20 += x2 * w0; c21 += x2 * w1; c22 += x2 * w2; c23 += x2 * w3;
            c30 += x3 * w0; c31 += x3 * w1; c32 += x3 * w2; c33 += x3 * w3;
          }
          let r = i * size + j;
          a[r] -= c00; a[r + 1] -= c01; a[r + 2] -= c02; a[r + 3] -= c03;
          r += size;
          a[r] -= c10; a[r + 1] -= c11; a[r + 2] -= c12; a[r + 3] -= c13;
          r += size;
          a[r] -= c20; a[r + 1] -= c21; a[r + 2] -= c22; a[r + 3] -= c23;
          r += size;
          a[r] -= c30; a[r + 1] -= c31; a[r + 2] -= c32; a[r + 3] -= c33;
        }
      }
    }
  }
}

/**
 * Prepares sweep step k0: factors the pivot block, fills the panel Z = A_RK L⁻ᵀ
 * (rows of the pivot block left untouched) and returns L⁻¹ (b×b, row-major) for `finishStep`.
 */
export function prepareStep(m: SymMatrix, k0: number, z: Float64Array): Float64Array {
  const { size, data: a } = m;
  const b = m.block;
  const li = factorPivot(m, k0);
  // Z[i] = a_i L⁻ᵀ: Z[i][q] = Σ_{p<=q} a_i[p] · L⁻¹[q][p].
  const row = new Float64Array(b);
  const k1 = k0 + b;
  for (let i = 0; i < size; i++) {
    if (i >= k0 && i < k1) continue;
    if (i > k0) {
      const base = i * size + k0;
      for (let p = 0; p < b; p++) row[p] = a[base + p];
    } else {
      for (let p = 0; p < b; p++) row[p] = a[(k0 + p) * size + i];
    }
    const zo = i * b;
    for (let q = 0; q < b; q++) {
      let s = 0;
      const lo = q * b;
      for (let p = 0; p <= q; p++) s += row[p] * li[lo + p];
      z[zo + q] = s;
    }
  }
  return li;
}

/** Cholesky factor L of the pivot block A_KK (from its lower triangle) and returns L⁻¹ (b×b, row-major). */
export function factorPivot(m: SymMatrix, k0: number): Float64Array {
  const { size, data: a } = m;
  const b = m.block;
  const l = new Float64Array(b * b);
  for (let i = 0; i < b; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[(k0 + i) * size + k0 + j];
      for (let p = 0; p < j; p++) s -= l[i * b + p] * l[j * b + p];
      if (i === j) {
        if (!(s > 0)) throw new NotPositiveDefiniteError(k0 + i);
        l[i * b + i] = Math.sqrt(s);
      } else {
        l[i * b + j] = s / l[j * b + j];
      }
    }
  }
  // L⁻¹ (lower) by forward substitution on the identity.
  const li = new Float64Array(b * b);
  for (let c = 0; c < b; c++) {
    li[c * b + c] = 1 / l[c * b + c];
    for (let i = c + 1; i < b; i++) {
      let s = 0;
      for (let p = c; p < i; p++) s -= l[i * b + p] * li[p * b + c];
      li[i * b + c] = s / l[i * b + i];
    }
  }
  return li;
}

/** Completes step k0 after the update: A_RK ← Z L⁻¹ and A_KK ← −L⁻ᵀL⁻¹. */
export function finishStep(m: SymMatrix, k0: number, z: Float64Array, li: Float64Array): void {
  const { size, data: a } = m;
  const b = m.block;
  const k1 = k0 + b;
  for (let i = 0; i < size; i++) {
    if (i >= k0 && i < k1) continue;
    const zo = i * b;
    for (let q = 0; q < b; q++) {
      // (Z L⁻¹)_q = Σ_{p>=q} Z[i][p] · L⁻¹[p][q]
      let s = 0;
      for (let p = q; p < b; p++) s += z[zo + p] * li[p * b + q];
      if (i > k0) a[i * size + k0 + q] = s;
      else a[(k0 + q) * size + i] = s;
    }
  }
  for (let i = 0; i < b; i++) {
    for (let j = 0; j <= i; j++) {
      // D_ij = Σ_{p>=i} L⁻¹[p][i] · L⁻¹[p][j]
      let s = 0;
      for (let p = i; p < b; p++) s += li[p * b + i] * li[p * b + j];
      a[(k0 + i) * size + k0 + j] = -s;
    }
  }
}

/**
 * The same sweep with every O(n·b²) and O(n²·b) product done by the WebAssembly SIMD tile
 * kernel (A −= X·Y on b×b tiles): the panel products with L⁻ᵀ and L⁻¹ and the rank-b update.
 * JS only gathers/scatters the pivot panel (contiguous reads/writes) and factors the b×b block.
 */
function invertWithTiles(m: SymMatrix, tile: TileFn, tile32: TileFn | undefined, onStep?: (done: number, total: number) => void): void {
  const { size, block: b, data: a } = m;
  const buffer = m.memory!.buffer;
  const panel = size * b;
  const xOffset = size * size * 8;
  const zOffset = xOffset + panel * 8;
  const zpOffset = zOffset + panel * 8;
  const mOffset = zpOffset + panel * 8;
  const nOffset = mOffset + b * b * 8;
  const x = new Float64Array(buffer, xOffset, panel);
  const z = new Float64Array(buffer, zOffset, panel);
  const zp = new Float64Array(buffer, zpOffset, panel);
  const mInvT = new Float64Array(buffer, mOffset, b * b);
  const nInv = new Float64Array(buffer, nOffset, b * b);
  const z32Offset = nOffset + b * b * 8;
  const zp32Offset = z32Offset + panel * 4;
  const z32 = tile32 ? new Float32Array(buffer, z32Offset, panel) : undefined;
  const zp32 = tile32 ? new Float32Array(buffer, zp32Offset, panel) : undefined;
  const strideBytes = size * 8;
  const panelStride = b * 8;
  const tileBytes = b * b * 8;
  const blocks = size / b;
  for (let s = 0; s < blocks; s++) {
    const k0 = s * b;
    const k1 = k0 + b;
    const li = factorPivot(m, k0);
    // Kernel operands: tile computes T −= X·Y, so pass −L⁻ᵀ and −L⁻¹ to get products.
    for (let p = 0; p < b; p++) {
      for (let j = 0; j < b; j++) {
        mInvT[p * b + j] = -li[j * b + p];
        nInv[p * b + j] = -li[p * b + j];
      }
    }
    // X = A_RK, gathered with contiguous reads (rows below the pivot, columns of the pivot rows above it).
    for (let i = k1; i < size; i++) x.set(a.subarray(i * size + k0, i * size + k1), i * b);
    for (let p = 0; p < b; p++) {
      const row = (k0 + p) * size;
      for (let i = 0; i < k0; i++) x[i * b + p] = a[row + i];
    }
    // Z = X·L⁻ᵀ, block by block.
    z.fill(0);
    for (let ib = 0; ib < blocks; ib++) {
      if (ib !== s) tile(zOffset + ib * tileBytes, xOffset + ib * tileBytes, mOffset, panelStride);
    }
    // ZP: each row block of Z transposed (p-major), so the kernel reads columns as vectors.
    for (let c = 0; c < blocks; c++) {
      if (c === s) continue;
      const base = c * b * b;
      for (let jj = 0; jj < b; jj++) {
        const zrow = base + jj * b;
        for (let p = 0; p < b; p++) zp[base + p * b + jj] = z[zrow + p];
      }
    }
    // A_RR −= Z·Zᵀ on the lower triangle.
    if (tile32 && z32 && zp32) {
      z32.set(z);
      zp32.set(zp);
      const tile32Bytes = b * b * 4;
      for (let ib = 0; ib < blocks; ib++) {
        if (ib === s) continue;
        const rowBase = ib * b * strideBytes;
        const zRow = z32Offset + ib * tile32Bytes;
        for (let jb = 0; jb <= ib; jb++) {
          if (jb === s) continue;
          tile32(rowBase + jb * b * 8, zRow, zp32Offset + jb * tile32Bytes, strideBytes);
        }
      }
    } else {
      for (let ib = 0; ib < blocks; ib++) {
        if (ib === s) continue;
        const rowBase = ib * b * strideBytes;
        const zRow = zOffset + ib * tileBytes;
        for (let jb = 0; jb <= ib; jb++) {
          if (jb === s) continue;
          tile(rowBase + jb * b * 8, zRow, zpOffset + jb * tileBytes, strideBytes);
        }
      }
    }
    // A_RK ← Z·L⁻¹ (into X, then scattered back with contiguous writes).
    x.fill(0);
    for (let ib = 0; ib < blocks; ib++) {
      if (ib !== s) tile(xOffset + ib * tileBytes, zOffset + ib * tileBytes, nOffset, panelStride);
    }
    for (let i = k1; i < size; i++) a.set(x.subarray(i * b, i * b + b), i * size + k0);
    for (let q = 0; q < b; q++) {
      const row = (k0 + q) * size;
      for (let i = 0; i < k0; i++) a[row + i] = x[i * b + q];
    }
    // A_KK ← −L⁻ᵀL⁻¹.
    for (let i = 0; i < b; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = 0;
        for (let p = i; p < b; p++) sum += li[p * b + i] * li[p * b + j];
        a[(k0 + i) * size + k0 + j] = -sum;
      }
    }
    onStep?.(s + 1, blocks);
  }
  finishInverse(m);
}

/** Turns the swept lower triangle (−A⁻¹) into the full symmetric A⁻¹, tile by tile (cache-friendly transpose). */
export function finishInverse(m: SymMatrix): void {
  const { size, data: a } = m;
  const t = 32;
  for (let ib = 0; ib < size; ib += t) {
    const iEnd = Math.min(size, ib + t);
    for (let jb = 0; jb <= ib; jb += t) {
      for (let i = ib; i < iEnd; i++) {
        const jEnd = Math.min(jb + t, i + 1);
        for (let j = jb; j < jEnd; j++) {
          const v = -a[i * size + j];
          a[i * size + j] = v;
          a[j * size + i] = v;
        }
      }
    }
  }
}

/**
 * Replaces the SPD matrix held in the lower triangle of `m` by its full inverse,
 * on this thread. `onStep(done, total)` reports progress.
 */
export function invertSpdInPlace(m: SymMatrix, onStep?: (done: number, total: number) => void): void {
  const tile = m.memory ? tileKernel(m.memory, m.block) : undefined;
  const tile32 = m.memory && m.precision === "mixed" ? tileKernel(m.memory, m.block, { rows: 4, vectors: 2, panel: "f32" }) : undefined;
  if (tile) return invertWithTiles(m, tile, tile32, onStep);
  const b = m.block;
  const z = new Float64Array(m.size * b);
  const steps = m.size / b;
  for (let s = 0; s < steps; s++) {
    const k0 = s * b;
    const li = prepareStep(m, k0, z);
    sweepUpdateRows(m.data, m.size, z, b, k0, 0, m.size);
    finishStep(m, k0, z, li);
    onStep?.(s + 1, steps);
  }
  finishInverse(m);
}
