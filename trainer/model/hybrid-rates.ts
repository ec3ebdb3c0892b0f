import type { CsrMatrix } from "../data/matrix.ts";
import type { FitInput, Recommender } from "./model.ts";

/**
 * Rating-classification baseline: logit of the user's smoothed positive rate plus logit of
 * the item's, minus the global logit. Learns from ±1 labels (+1 liked); scores are
 * comparable across users (global pair AUC), unlike per-user ranking scores.
 * `prior` pseudo-counts pull users/items with few ratings toward the global rate.
 */
export class RateLogitModel implements Recommender {
  readonly name = "rate-logit";
  private userLogit = new Float32Array(0);
  private itemLogit = new Float32Array(0);

  constructor(readonly prior = 5) {
    if (!(prior > 0)) throw new Error(`rate-logit: prior must be > 0, got ${prior}`);
  }

  async fit(input: FitInput): Promise<void> {
    const x: CsrMatrix = input.interactions;
    const uPos = new Float64Array(x.nRows);
    const uAll = new Float64Array(x.nRows);
    const iPos = new Float64Array(x.nCols);
    const iAll = new Float64Array(x.nCols);
    let pos = 0;
    let all = 0;
    for (let u = 0; u < x.nRows; u++) {
      for (let p = x.indptr[u]; p < x.indptr[u + 1]; p++) {
        const liked = x.data[p] > 0 ? 1 : 0;
        const i = x.indices[p];
        uPos[u] += liked;
        uAll[u]++;
        iPos[i] += liked;
        iAll[i]++;
        pos += liked;
        all++;
      }
    }
    const g = all > 0 ? Math.min(Math.max(pos / all, 1e-3), 1 - 1e-3) : 0.5;
    const logit = (q: number) => Math.log(q / (1 - q));
    const lg = logit(g);
    this.userLogit = Float32Array.from(uPos, (v, u) => logit((v + this.prior * g) / (uAll[u] + this.prior)) - lg / 2);
    this.itemLogit = Float32Array.from(iPos, (v, i) => logit((v + this.prior * g) / (iAll[i] + this.prior)) - lg / 2);
  }

  scoreUser(user: number, out: Float32Array): void {
    const ul = user >= 0 && user < this.userLogit.length ? this.userLogit[user] : 0;
    for (let i = 0; i < out.length; i++) out[i] = ul + (i < this.itemLogit.length ? this.itemLogit[i] : 0);
  }

  params(): Record<string, unknown> {
    return { prior: this.prior };
  }
}
