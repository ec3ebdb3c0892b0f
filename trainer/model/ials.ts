import type { CsrMatrix } from "../data/matrix.ts";
import { historyOf, numberParam, positiveRows, requireFitted } from "./model-helpers.ts";
import type { FitInput, ItemVectors, Recommender } from "./model.ts";

/**
 * The settings iALS uses unless told otherwise, chosen on ML-100k validation (held out of
 * ua.base; ua.test never read): alone, 64 components with confidence α=3 against ridge λ=30
 * scored P@10 0.1205–0.1213 over the validation folds, against 0.1144 for α=20, λ=100 (the
 * tuner's former starting point). The optimum is a narrow ridge near λ ≈ 7.5–10·(1 + α), far
 * from the model's former built-in α=10, λ=1, which no run supported. The sweeps are in git
 * history (docs/benchmarks.md names the commit).
 */
export const IALS_DEFAULTS = { components: 64, iterations: 8, alpha: 3, lambda: 30, unobservedWeight: 1 };

/**
 * Implicit ALS (Hu, Koren & Volinsky 2008, with Rendle et al. 2021's unobserved weight):
 * minimise Σ_observed (1 − x_u·y_i)²·(1 + α) + w₀·Σ_all (x_u·y_i)² + λ·(‖X‖² + ‖Y‖²), by
 * exact alternating least squares. The all-pairs term costs one k×k Gramian per sweep, so an
 * iteration is O(nnz·k² + (users + items)·k³). Unlike the SGD ranking losses it regresses the
 * whole matrix, a different view that blends well with EASE and WARP/BPR.
 */
export class IalsModel implements Recommender {
  readonly name = "ials";
  readonly components: number;
  readonly iterations: number;
  readonly alpha: number;
  readonly lambda: number;
  readonly unobservedWeight: number;
  /** After each sweep (two an iteration, of similar cost): a search projects the fit's end from them, and may stop it by throwing. */
  onProgress?: (done: number, total: number) => void;
  private train?: CsrMatrix;
  private userF?: Float64Array;
  private itemF?: Float64Array;
  private gramItems?: Float64Array;

  constructor(params: Record<string, unknown> = {}) {
    const d = IALS_DEFAULTS;
    this.components = numberParam(params, "components", d.components, this.name, 1);
    this.iterations = numberParam(params, "iterations", d.iterations, this.name, 0);
    this.alpha = numberParam(params, "alpha", d.alpha, this.name, 0);
    this.lambda = numberParam(params, "lambda", d.lambda, this.name, 0);
    this.unobservedWeight = numberParam(params, "unobservedWeight", d.unobservedWeight, this.name, 0);
    if (!Number.isInteger(this.components) || !Number.isInteger(this.iterations)) {
      throw new RangeError(`${this.name}: components and iterations must be integers, got ${this.components} and ${this.iterations}`);
    }
    if (this.lambda === 0 && this.unobservedWeight === 0) throw new RangeError(`${this.name}: lambda and unobservedWeight cannot both be 0 (the solves would be singular)`);
  }

  async fit(input: FitInput): Promise<void> {
    const x = positiveRows(input.interactions);
    const k = this.components;
    const rng = input.rng;
    const init = (n: number) => Float64Array.from({ length: n * k }, () => (rng.next() - 0.5) * (0.2 / Math.sqrt(k)));
    const userF = init(x.nRows);
    const itemF = init(x.nCols);
    const xt = transpose(x);
    const scratch = new Solver(k);
    // Items first, users last: a user's factors are then the exact solve against the final
    // item factors, the same solve that folds in an unknown user from a history.
    for (let it = 0; it < this.iterations; it++) {
      this.sweep(xt, userF, itemF, scratch);
      this.onProgress?.(2 * it + 1, 2 * this.iterations);
      this.sweep(x, itemF, userF, scratch);
      this.onProgress?.(2 * it + 2, 2 * this.iterations);
    }
    this.train = x;
    this.userF = userF;
    this.itemF = itemF;
    this.gramItems = gram(itemF, x.nCols, k);
  }

  /** Solves every row of `out` given the other side's factors `fixed` (rows of `m` index into fixed). */
  private sweep(m: CsrMatrix, fixed: Float64Array, out: Float64Array, s: Solver): void {
    const k = this.components;
    const g = gram(fixed, m.nCols, k);
    for (let r = 0; r < m.nRows; r++) {
      this.solveRow(g, fixed, m.indices.subarray(m.indptr[r], m.indptr[r + 1]), s);
      out.set(s.x, r * k);
    }
  }

  /** x = (w₀·G + (1 + α − w₀)·Σ y yᵀ + λI)⁻¹ · (1 + α)·Σ y over the row's items, into s.x. */
  private solveRow(g: Float64Array, fixed: Float64Array, items: ArrayLike<number>, s: Solver): void {
    const k = this.components;
    const w0 = this.unobservedWeight;
    const c = 1 + this.alpha;
    const a = s.a;
    const b = s.b;
    for (let p = 0; p < k * k; p++) a[p] = w0 * g[p];
    for (let d = 0; d < k; d++) a[d * k + d] += this.lambda;
    b.fill(0);
    for (let h = 0; h < items.length; h++) {
      const base = items[h] * k;
      for (let i = 0; i < k; i++) {
        const yi = fixed[base + i];
        b[i] += c * yi;
        const ci = (c - w0) * yi;
        for (let j = 0; j <= i; j++) a[i * k + j] += ci * fixed[base + j];
      }
    }
    s.solve();
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    const itemF = requireFitted(this.itemF, this.name);
    const k = this.components;
    const n = out.length;
    let u: Float64Array;
    if (!history && this.train && user >= 0 && user < this.train.nRows) {
      u = this.userF!.subarray(user * k, (user + 1) * k);
    } else {
      // Unknown user (or an explicit history): fold in by one least-squares solve on the item factors.
      const hist = historyOf(this.train, user, history).filter((i) => i >= 0 && i < this.train!.nCols);
      const s = new Solver(k);
      this.solveRow(this.gramItems!, itemF, hist, s);
      u = s.x;
    }
    const nItems = Math.min(n, itemF.length / k);
    for (let i = 0; i < nItems; i++) {
      let v = 0;
      const base = i * k;
      for (let c = 0; c < k; c++) v += u[c] * itemF[base + c];
      out[i] = v;
    }
    for (let i = nItems; i < n; i++) out[i] = 0;
  }

  itemVectors(): ItemVectors {
    return { dim: this.components, vectors: Float32Array.from(requireFitted(this.itemF, this.name)) };
  }

  userVectors(): ItemVectors {
    return { dim: this.components, vectors: Float32Array.from(requireFitted(this.userF, this.name)) };
  }

  params(): Record<string, unknown> {
    return { components: this.components, iterations: this.iterations, alpha: this.alpha, lambda: this.lambda, unobservedWeight: this.unobservedWeight };
  }
}

/** Fᵀ F (k×k, lower triangle filled) of n rows of k factors. */
function gram(f: Float64Array, n: number, k: number): Float64Array {
  const g = new Float64Array(k * k);
  for (let r = 0; r < n; r++) {
    const base = r * k;
    for (let i = 0; i < k; i++) {
      const fi = f[base + i];
      if (fi === 0) continue;
      for (let j = 0; j <= i; j++) g[i * k + j] += fi * f[base + j];
    }
  }
  return g;
}

function transpose(m: CsrMatrix): CsrMatrix {
  const indptr = new Int32Array(m.nCols + 1);
  for (let p = 0; p < m.indices.length; p++) indptr[m.indices[p] + 1]++;
  for (let c = 0; c < m.nCols; c++) indptr[c + 1] += indptr[c];
  const fill = indptr.slice(0, m.nCols);
  const indices = new Int32Array(m.indices.length);
  for (let r = 0; r < m.nRows; r++) for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) indices[fill[m.indices[p]]++] = r;
  return { nRows: m.nCols, nCols: m.nRows, indptr, indices, data: new Float32Array(indices.length).fill(1) };
}

/** Cholesky solve of a k×k symmetric positive-definite system whose lower triangle is in `a`. */
class Solver {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly x: Float64Array;
  constructor(readonly k: number) {
    this.a = new Float64Array(k * k);
    this.b = new Float64Array(k);
    this.x = new Float64Array(k);
  }

  solve(): void {
    const { a, b, x, k } = this;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j <= i; j++) {
        let s = a[i * k + j];
        for (let p = 0; p < j; p++) s -= a[i * k + p] * a[j * k + p];
        a[i * k + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / a[j * k + j];
      }
    }
    for (let i = 0; i < k; i++) {
      let s = b[i];
      for (let p = 0; p < i; p++) s -= a[i * k + p] * x[p];
      x[i] = s / a[i * k + i];
    }
    for (let i = k - 1; i >= 0; i--) {
      let s = x[i];
      for (let p = i + 1; p < k; p++) s -= a[p * k + i] * x[p];
      x[i] = s / a[i * k + i];
    }
  }
}
