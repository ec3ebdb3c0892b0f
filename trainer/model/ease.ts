import type { CsrMatrix } from "../data/matrix.ts";
import { allocSym, invertSpdInPlace, type Precision } from "../linalg/spd-inverse.ts";
import type { FitInput, Recommender } from "./model.ts";
import { historyOf, numberParam, positiveRows, requireFitted } from "./model-helpers.ts";

/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"), closed form:
 * G = XᵀX + λI, P = G⁻¹, B = −P / diag(P) column-wise, diag(B) = 0.
 * A user's scores are x_u B (the sum of B's rows over the user's items).
 * B is computed in the same n×n Float64Array that held G and P (memory n²·8 bytes while fitting),
 * then kept as Float32 (n²·4 bytes: scores are summed in Float32 anyway, and a tuning run that
 * keeps the best EASE while fitting the next one halves its peak). The inverse
 * runs on a WebAssembly SIMD kernel (trainer/linalg); for catalogues above 4,096 items its
 * dominant update multiplies float copies of the panel by default ("mixed", about twice as fast;
 * on Amazon Grocery the metrics agree with "double" to 7 decimals). Pass precision: "double" to
 * do every product in doubles.
 */
export class EaseModel implements Recommender {
  readonly name = "ease";
  readonly lambda: number;
  /** "auto" (default): double up to 4,096 items, mixed above (see Precision). */
  readonly precision: Precision | "auto";
  /** Reports inversion progress (done, total blocks), e.g. for a progress bar. */
  onProgress?: (done: number, total: number) => void;
  private train?: CsrMatrix;
  /** B, row-major n×n. */
  private b?: { n: number; data: Float32Array };

  constructor(params: Record<string, unknown> = {}) {
    this.lambda = numberParam(params, "lambda", 500, this.name, 0);
    const precision = params.precision ?? "auto";
    if (precision !== "auto" && precision !== "double" && precision !== "mixed") {
      throw new RangeError(`${this.name}: parameter precision must be "auto", "double" or "mixed", got ${JSON.stringify(precision)}`);
    }
    this.precision = precision;
  }

  async fit(input: FitInput): Promise<void> {
    const x = positiveRows(input.interactions);
    const n = x.nCols;
    if (n === 0) throw new Error("ease: the interaction matrix has no items");
    this.b = undefined; // free a previous fit before allocating the next
    const gib = (n * n * 8) / 2 ** 30;
    if (n > MAX_ITEMS) {
      throw new RangeError(
        `ease: ${n} items need an ${n}×${n} matrix (${gib.toFixed(1)} GiB); EASE here supports up to ${MAX_ITEMS} items. Use itemknn or hybrid for larger catalogues, or keep items with enough interactions (--k-core).`,
      );
    }
    const precision: Precision = this.precision === "auto" ? (n > 4096 ? "mixed" : "double") : this.precision;
    const m = allocSym(n, chooseBlock(n), { precision });
    const { size, data: g } = m;
    addGramLowerTriangle(x, g, size);
    // λ keeps G positive definite; an item nobody touched gets P_ii = 1/λ and B row 0.
    const ridge = this.lambda > 0 ? this.lambda : 1e-8;
    for (let i = 0; i < n; i++) g[i * size + i] += ridge;
    invertSpdInPlace(m, this.onProgress);
    const negInvDiag = new Float64Array(n);
    for (let j = 0; j < n; j++) negInvDiag[j] = -1 / g[j * size + j];
    for (let i = 0; i < n; i++) {
      const row = i * size;
      for (let j = 0; j < n; j++) g[row + j] *= negInvDiag[j];
      g[row + i] = 0;
    }
    const b = new Float32Array(n * n);
    for (let i = 0; i < n; i++) b.set(g.subarray(i * size, i * size + n), i * n);
    this.b = { n, data: b };
    this.train = x;
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    const m = requireFitted(this.b, this.name);
    const { n, data: b } = m;
    const hist = historyOf(this.train, user, history);
    out.fill(0);
    for (let h = 0; h < hist.length; h++) {
      const i = hist[h];
      if (i < 0 || i >= n) continue;
      const row = i * n;
      for (let j = 0; j < n; j++) out[j] += b[row + j];
    }
  }

  itemSimilarities(item: number, out: Float32Array): void {
    const m = requireFitted(this.b, this.name);
    out.set(m.data.subarray(item * m.n, (item + 1) * m.n));
  }

  params(): Record<string, unknown> {
    return { lambda: this.lambda, precision: this.precision };
  }
}

/**
 * Adds weight·XᵀX's lower triangle into the row-major `g` (stride `size`) for a 0/1 matrix X
 * whose rows list their columns ascending: one pass over users' item lists.
 */
export function addGramLowerTriangle(x: CsrMatrix, g: Float64Array, size: number, weight = 1): void {
  for (let u = 0; u < x.nRows; u++) {
    const start = x.indptr[u];
    const end = x.indptr[u + 1];
    for (let p = start; p < end; p++) {
      const row = x.indices[p] * size;
      for (let q = start; q <= p; q++) g[row + x.indices[q]] += weight;
    }
  }
}

/** n²·8 bytes must fit in WebAssembly's 4 GiB (with the panels): about 22k items. */
export const MAX_ITEMS = 22_000;

/** Small catalogues get small blocks (less padding); large ones 64 for cache-sized tiles. */
function chooseBlock(n: number): number {
  if (n <= 64) return 4 * Math.ceil(n / 4);
  return 64;
}
