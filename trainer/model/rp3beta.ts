import { csrFromRows, transpose, type CsrMatrix } from "../data/matrix.ts";
import type { FitInput, Recommender } from "./model.ts";
import { topK } from "./model.ts";
import { addNeighbourRows, denseRow, historyOf, numberParam, positiveRows, requireFitted } from "./model-helpers.ts";

/**
 * RP3beta (Christoffel et al. 2015; Paudel et al. 2017): a three-step random walk
 * item → user → item on the bipartite graph, with transition probabilities raised to α and the
 * arrival item's popularity penalised by β:
 *   W_ij = (Σ_u (1/deg_i)^α (1/deg_u)^α [i∈u][j∈u]) / deg_j^β,  diag(W) = 0,
 * keeping each item's top `k` neighbours (k = 0 keeps all). A user's score for j is Σ_{i∈u} W_ij.
 * β > 0 lifts long-tail items that plain co-occurrence (and P³, β = 0) buries under the
 * blockbusters. Sparse: memory grows with the neighbours kept, not with items².
 * Like item-kNN, every score carries popularity scaled below the smallest weight kept (at most
 * 1/1000 of it): items no neighbour reaches are ordered by popularity instead of tying at 0
 * (ties count against a positive in LightFM's AUC), and a user without history gets the popular items.
 */
export class Rp3BetaModel implements Recommender {
  readonly name = "rp3beta";
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  private train?: CsrMatrix;
  /** Row i: the neighbours j of item i and W_ij. */
  private neighbours?: CsrMatrix;
  private prior?: Float32Array;

  constructor(params: Record<string, unknown> = {}) {
    this.alpha = numberParam(params, "alpha", 1, this.name, 0);
    this.beta = numberParam(params, "beta", 0.5, this.name, 0);
    this.k = Math.floor(numberParam(params, "k", 200, this.name, 0));
  }

  async fit(input: FitInput): Promise<void> {
    const x = positiveRows(input.interactions);
    const xt = transpose(x);
    const nItems = x.nCols;
    const userStep = new Float64Array(x.nRows);
    for (let u = 0; u < x.nRows; u++) {
      const deg = x.indptr[u + 1] - x.indptr[u];
      userStep[u] = deg > 0 ? Math.pow(1 / deg, this.alpha) : 0;
    }
    const popPenalty = new Float64Array(nItems);
    for (let j = 0; j < nItems; j++) {
      const deg = xt.indptr[j + 1] - xt.indptr[j];
      popPenalty[j] = deg > 0 ? Math.pow(deg, -this.beta) : 0;
    }
    const acc = new Float64Array(nItems);
    const touched = new Int32Array(nItems);
    const cols: Int32Array[] = [];
    const vals: Float32Array[] = [];
    for (let i = 0; i < nItems; i++) {
      const degI = xt.indptr[i + 1] - xt.indptr[i];
      let nTouched = 0;
      if (degI > 0) {
        const itemStep = Math.pow(1 / degI, this.alpha);
        for (let p = xt.indptr[i]; p < xt.indptr[i + 1]; p++) {
          const u = xt.indices[p];
          const w = itemStep * userStep[u];
          for (let q = x.indptr[u]; q < x.indptr[u + 1]; q++) {
            const j = x.indices[q];
            if (j === i) continue;
            if (acc[j] === 0) touched[nTouched++] = j;
            acc[j] += w;
          }
        }
      }
      const sims = new Float32Array(nTouched);
      for (let t = 0; t < nTouched; t++) {
        const j = touched[t];
        sims[t] = acc[j] * popPenalty[j];
        acc[j] = 0;
      }
      const keep = this.k > 0 ? topK(sims, this.k) : Int32Array.from({ length: nTouched }, (_, t) => t);
      const rowCols = new Int32Array(keep.length);
      const rowVals = new Float32Array(keep.length);
      for (let t = 0; t < keep.length; t++) {
        rowCols[t] = touched[keep[t]];
        rowVals[t] = sims[keep[t]];
      }
      cols.push(rowCols);
      vals.push(rowVals);
    }
    this.neighbours = csrFromRows(nItems, cols, vals);
    this.train = x;
    this.prior = popularityBelow(this.neighbours.data, xt);
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    const w = requireFitted(this.neighbours, this.name);
    const hist = historyOf(this.train, user, history);
    out.set(requireFitted(this.prior, this.name));
    addNeighbourRows(w, hist, out);
  }

  itemSimilarities(item: number, out: Float32Array): void {
    const w = requireFitted(this.neighbours, this.name);
    denseRow(w, item, out);
  }

  params(): Record<string, unknown> {
    return { alpha: this.alpha, beta: this.beta, k: this.k };
  }
}

/**
 * Each item's interaction count scaled so the most popular item gets 1/1000 of the smallest
 * positive weight (1e-6 when there is none): a reached item's score (a sum of weights, at least
 * one of them that large) always stays above an unreached item's.
 */
function popularityBelow(weights: Float32Array, xt: CsrMatrix): Float32Array {
  let smallest = Infinity;
  for (const w of weights) if (w > 0 && w < smallest) smallest = w;
  const top = Number.isFinite(smallest) ? smallest * 1e-3 : 1e-6;
  const nItems = xt.nRows;
  let maxCount = 1;
  for (let i = 0; i < nItems; i++) maxCount = Math.max(maxCount, xt.indptr[i + 1] - xt.indptr[i]);
  const prior = new Float32Array(nItems);
  for (let i = 0; i < nItems; i++) prior[i] = (top * (xt.indptr[i + 1] - xt.indptr[i])) / maxCount;
  return prior;
}
