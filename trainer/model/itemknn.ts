import { csrFromRows, transpose, type CsrMatrix } from "../data/matrix.ts";
import type { FitInput, Recommender } from "./model.ts";
import { topK } from "./model.ts";
import { addNeighbourRows, denseRow, historyOf, numberParam, positiveRows, requireFitted } from "./model-helpers.ts";

/**
 * Item-based k-nearest neighbours: cosine similarity of item columns with shrinkage,
 * sim(i, j) = |U_i ∩ U_j| / (sqrt(|U_i|·|U_j|) + shrink), keeping each item's top `k`
 * neighbours (sparse). A user's score for j is the sum of sim(i, j) over the items i in
 * the user's history, plus popularity scaled below any similarity (at most 1e-6): items no
 * neighbour reaches are ordered by popularity instead of tying at 0 (ties count against a
 * positive in LightFM's AUC), and a user without history gets the popular items.
 */
export class ItemKnnModel implements Recommender {
  readonly name = "itemknn";
  readonly k: number;
  readonly shrink: number;
  private train?: CsrMatrix;
  /** Row i: the neighbours of item i and their similarities. */
  private neighbours?: CsrMatrix;
  private prior?: Float32Array;

  constructor(params: Record<string, unknown> = {}) {
    this.k = Math.floor(numberParam(params, "k", 100, this.name, 1));
    this.shrink = numberParam(params, "shrink", 10, this.name, 0);
  }

  async fit(input: FitInput): Promise<void> {
    const x = positiveRows(input.interactions);
    const xt = transpose(x);
    const nItems = x.nCols;
    const norms = new Float64Array(nItems);
    for (let i = 0; i < nItems; i++) norms[i] = Math.sqrt(xt.indptr[i + 1] - xt.indptr[i]);
    const co = new Float32Array(nItems);
    const touched = new Int32Array(nItems);
    const cols: Int32Array[] = [];
    const vals: Float32Array[] = [];
    for (let i = 0; i < nItems; i++) {
      let nTouched = 0;
      for (let p = xt.indptr[i]; p < xt.indptr[i + 1]; p++) {
        const u = xt.indices[p];
        for (let q = x.indptr[u]; q < x.indptr[u + 1]; q++) {
          const j = x.indices[q];
          if (j === i) continue;
          if (co[j] === 0) touched[nTouched++] = j;
          co[j] += 1;
        }
      }
      const cand = touched.subarray(0, nTouched);
      for (let t = 0; t < nTouched; t++) {
        const j = cand[t];
        co[j] = co[j] / (norms[i] * norms[j] + this.shrink);
      }
      // Select the top k among the touched items only (the rest are 0).
      const sims = new Float32Array(nTouched);
      for (let t = 0; t < nTouched; t++) sims[t] = co[cand[t]];
      const best = topK(sims, this.k);
      const rowCols = new Int32Array(best.length);
      for (let t = 0; t < best.length; t++) rowCols[t] = cand[best[t]];
      rowCols.sort();
      const rowVals = new Float32Array(best.length);
      for (let t = 0; t < best.length; t++) rowVals[t] = co[rowCols[t]];
      for (let t = 0; t < nTouched; t++) co[cand[t]] = 0;
      cols.push(rowCols);
      vals.push(rowVals);
    }
    this.neighbours = csrFromRows(nItems, cols, vals);
    this.train = x;
    let maxCount = 1;
    for (let i = 0; i < nItems; i++) maxCount = Math.max(maxCount, xt.indptr[i + 1] - xt.indptr[i]);
    this.prior = new Float32Array(nItems);
    for (let i = 0; i < nItems; i++) this.prior[i] = (1e-6 * (xt.indptr[i + 1] - xt.indptr[i])) / maxCount;
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    const nb = requireFitted(this.neighbours, this.name);
    out.set(requireFitted(this.prior, this.name));
    const hist = historyOf(this.train, user, history);
    addNeighbourRows(nb, hist, out);
  }

  itemSimilarities(item: number, out: Float32Array): void {
    const nb = requireFitted(this.neighbours, this.name);
    denseRow(nb, item, out);
  }

  params(): Record<string, unknown> {
    return { k: this.k, shrink: this.shrink };
  }
}
