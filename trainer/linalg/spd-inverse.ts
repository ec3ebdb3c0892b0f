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
 * one n×n Float64Array (rows padded to the block size) plus an n×b panel.
 */

/** A square symmetric matrix in row-major order with padded stride (padding is identity). */
export interface SymMatrix {
  readonly n: number;
  /** Padded size: a multiple of `block`. Rows/columns n..size-1 are identity. */
  readonly size: number;
  readonly block: number;
  readonly data: Float64Array;
}

export const DEFAULT_BLOCK = 64;

/** Allocates an n×n zero matrix (padding rows get 1 on the diagonal). `shared` backs it with a SharedArrayBuffer. */
export function allocSym(n: number, block = DEFAULT_BLOCK, shared = false): SymMatrix {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`matrix size must be a positive integer, got ${n}`);
  if (block % 4 !== 0 || block < 4) throw new RangeError(`block must be a positive multiple of 4, got ${block}`);
  const size = Math.ceil(n / block) * block;
  const bytes = size * size * 8;
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const data = new Float64Array(buffer);
  for (let i = n; i < size; i++) data[i * size + i] = 1;
  return { n, size, block, data };
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
  // Cholesky of the pivot block (lower), from the lower triangle of A_KK.
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

/** Turns the swept lower triangle (−A⁻¹) into the full symmetric A⁻¹. */
export function finishInverse(m: SymMatrix): void {
  const { size, data: a } = m;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      const v = -a[i * size + j];
      a[i * size + j] = v;
      a[j * size + i] = v;
    }
  }
}

/**
 * Replaces the SPD matrix held in the lower triangle of `m` by its full inverse,
 * on this thread. `onStep(done, total)` reports progress.
 */
export function invertSpdInPlace(m: SymMatrix, onStep?: (done: number, total: number) => void): void {
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
