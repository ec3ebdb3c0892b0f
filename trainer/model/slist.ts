import { csrFromCoo, type CsrMatrix } from "../data/matrix.ts";
import { allocSym, invertSpdInPlace, type Precision } from "../linalg/spd-inverse.ts";
import type { FitInput, ItemSequences, Recommender } from "./model.ts";
import { numberParam, positiveRows, requireFitted } from "./model-helpers.ts";
import { MAX_ITEMS, addGramLowerTriangle } from "./ease.ts";

/**
 * Hyper-parameters of the session-aware linear model; the defaults are the values chosen on
 * the Amazon Toys dev split (bench:quality's sequence protocols).
 */
export interface SlistParams {
  /** Ridge λ on B. */
  lambda: number;
  /** Weight of the whole-history (item similarity, SLIS) objective; 1 − alpha goes to the transitions (SLIT). */
  alpha: number;
  /** Position decay of the transition rows: an item k steps away from the split weighs exp(−k / positionDecay). */
  positionDecay: number;
  /** How many past items feed one transition row (1 = the current item only). */
  pastWindow: number;
  /** How many following items one transition row predicts. */
  futureWindow: number;
  /** Recency decay when scoring: the item k steps before the latest weighs exp(−k / recencyDecay); 0 = no decay. */
  recencyDecay: number;
  /** At most this many of a shopper's latest items are scored. */
  historyLength: number;
}

export const SLIST_DEFAULTS: SlistParams = {
  lambda: 50,
  alpha: 0.5,
  positionDecay: 1,
  pastWindow: 3,
  futureWindow: 3,
  recencyDecay: 2,
  historyLength: 50,
};

/**
 * SLIST, a session-aware linear item–item model (Choi, Kim, Lee, Shim, Lee, "Session-aware
 * Linear Item-Item Models for Session-based Recommendation", WWW 2021), on users' whole
 * histories. One item–item matrix B minimises
 *
 *   α‖X − XB‖² + (1−α)‖T − SB‖² + λ‖B‖²
 *
 * where X holds each user's items (the EASE-like item-similarity part, SLIS) and each row pair
 * (S, T) splits a user's sequence at one position: S the latest `pastWindow` items up to it, T
 * the next `futureWindow` items, both weighted by exp(−distance / positionDecay) (the
 * transition part, SLIT; S rows l1-normalised as in the paper). The closed form is
 *
 *   B = P(αXᵀX + (1−α)SᵀT),  P = (αXᵀX + (1−α)SᵀS + λI)⁻¹  =  I − λP + (1−α)·P·(SᵀT − SᵀS),
 *
 * so besides the inverse (the SPD kernel EASE uses) only the sparse SᵀT − SᵀS is multiplied.
 * The diagonal of B is set to 0 (an item never recommends itself; history is excluded anyway).
 * Scoring sums B's rows over the shopper's latest items, the latest weighing most:
 * score = Σₖ exp(−k / recencyDecay) · B[item₋ₖ] (k = 0 for the latest).
 *
 * Without `sequences` in the fit input there is no order: the transition part is empty, the
 * model is SLIS (EASE with the diagonal left free) and scores every history item alike.
 */
export class SlistModel implements Recommender {
  readonly name = "slist";
  readonly p: SlistParams;
  onProgress?: (done: number, total: number) => void;
  /** B, row-major n×n, in Float32 (scores are summed in Float32 anyway; the Float64 work matrix of the fit is let go). */
  private b?: { n: number; data: Float32Array };
  private train?: CsrMatrix;
  private sequences?: ItemSequences;
  private ordered = false;
  private weights: Float32Array = new Float32Array(0);

  constructor(params: Record<string, unknown> = {}) {
    const d = SLIST_DEFAULTS;
    const p: SlistParams = {
      lambda: numberParam(params, "lambda", d.lambda, this.name, 0),
      alpha: numberParam(params, "alpha", d.alpha, this.name, 0),
      positionDecay: numberParam(params, "positionDecay", d.positionDecay, this.name, 0),
      pastWindow: numberParam(params, "pastWindow", d.pastWindow, this.name, 1),
      futureWindow: numberParam(params, "futureWindow", d.futureWindow, this.name, 1),
      recencyDecay: numberParam(params, "recencyDecay", d.recencyDecay, this.name, 0),
      historyLength: numberParam(params, "historyLength", d.historyLength, this.name, 1),
    };
    if (p.alpha > 1) throw new RangeError(`${this.name}: parameter alpha must be between 0 and 1, got ${p.alpha}`);
    for (const key of ["pastWindow", "futureWindow", "historyLength"] as const) {
      if (!Number.isInteger(p[key])) throw new RangeError(`${this.name}: parameter ${key} must be a whole number, got ${p[key]}`);
    }
    this.p = p;
    this.weights = recencyWeights(p.historyLength, p.recencyDecay);
  }

  async fit(input: FitInput): Promise<void> {
    const x = positiveRows(input.interactions);
    const n = x.nCols;
    if (n === 0) throw new Error("slist: the interaction matrix has no items");
    if (n > MAX_ITEMS) {
      throw new RangeError(`slist: ${n} items need an ${n}×${n} matrix (${((n * n * 8) / 2 ** 30).toFixed(1)} GiB); up to ${MAX_ITEMS} items are supported. Keep items with enough interactions (--k-core).`);
    }
    const seq = input.sequences;
    if (seq && seq.indptr.length !== x.nRows + 1) {
      throw new RangeError(`slist: sequences cover ${seq.indptr.length - 1} users but the interaction matrix has ${x.nRows}; build both from the same data`);
    }
    if (seq) for (let k = 0; k < seq.items.length; k++) {
      const i = seq.items[k];
      if (i < 0 || i >= n) throw new RangeError(`slist: sequence item ${i} outside 0..${n - 1}`);
    }
    this.b = undefined;
    const { alpha, lambda } = this.p;
    const ordered = seq !== undefined && alpha < 1;
    // Without order the transition part has no rows: all weight goes to the similarity part.
    const a = ordered ? alpha : 1;
    const precision: Precision = n > 4096 ? "mixed" : "double";
    const m = allocSym(n, n <= 64 ? 4 * Math.ceil(n / 4) : 64, { precision });
    const { size, data: g } = m;
    addGramLowerTriangle(x, g, size, a);
    let diff: CsrMatrix | undefined;
    if (ordered) diff = this.addTransitions(seq, n, g, size, 1 - a);
    const ridge = lambda > 0 ? lambda : 1e-8;
    for (let i = 0; i < n; i++) g[i * size + i] += ridge;
    invertSpdInPlace(m, this.onProgress);
    // B = I − λP + (1−α)·P·D, one row at a time: row i of B needs only row i of P.
    const tmp = new Float64Array(n);
    const b = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      const row = i * size;
      for (let j = 0; j < n; j++) tmp[j] = -ridge * g[row + j];
      if (diff) {
        const { indptr, indices, data } = diff;
        for (let k = 0; k < n; k++) {
          const c = (1 - a) * g[row + k];
          for (let p = indptr[k], e = indptr[k + 1]; p < e; p++) tmp[indices[p]] += c * data[p];
        }
      }
      tmp[i] = 0;
      b.set(tmp, i * n);
    }
    this.b = { n, data: b };
    this.train = x;
    this.sequences = ordered ? seq : undefined;
    this.ordered = ordered;
  }

  /**
   * Adds the lower triangle of w·SᵀS into g and returns D = SᵀT − SᵀS (sparse), for the
   * transition rows of every user's sequence.
   */
  private addTransitions(seq: ItemSequences, n: number, g: Float64Array, size: number, w: number): CsrMatrix {
    const { pastWindow, futureWindow, positionDecay } = this.p;
    const decay = (k: number) => (positionDecay > 0 ? Math.exp(-k / positionDecay) : 1);
    const pastW = Float64Array.from({ length: pastWindow }, (_, k) => decay(k));
    const futureW = Float64Array.from({ length: futureWindow }, (_, k) => decay(k));
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    const inItems = new Int32Array(pastWindow);
    const inVals = new Float64Array(pastWindow);
    for (let u = 0; u + 1 < seq.indptr.length; u++) {
      const start = seq.indptr[u];
      const end = seq.indptr[u + 1];
      for (let t = start; t < end - 1; t++) {
        let nIn = 0;
        let norm = 0;
        for (let k = 0; k < pastWindow && t - k >= start; k++) {
          inItems[nIn] = seq.items[t - k];
          inVals[nIn] = pastW[k];
          norm += pastW[k];
          nIn++;
        }
        for (let q = 0; q < nIn; q++) inVals[q] /= norm;
        // SᵀS (lower triangle into g, and −SᵀS into D).
        for (let p = 0; p < nIn; p++) {
          const ip = inItems[p];
          for (let q = 0; q < nIn; q++) {
            const iq = inItems[q];
            const v = inVals[p] * inVals[q];
            if (iq <= ip) g[ip * size + iq] += w * v;
            rows.push(ip);
            cols.push(iq);
            vals.push(-v);
          }
          // SᵀT
          for (let k = 0; k < futureWindow && t + 1 + k < end; k++) {
            rows.push(ip);
            cols.push(seq.items[t + 1 + k]);
            vals.push(inVals[p] * futureW[k]);
          }
        }
      }
    }
    return csrFromCoo(n, n, rows, cols, vals);
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    const m = requireFitted(this.b, this.name);
    const { n, data: b } = m;
    out.fill(0);
    let hist: Int32Array;
    if (history) hist = history;
    else if (this.sequences && user >= 0 && user + 1 < this.sequences.indptr.length) {
      hist = this.sequences.items.subarray(this.sequences.indptr[user], this.sequences.indptr[user + 1]);
    } else if (this.train && user >= 0 && user < this.train.nRows) {
      hist = this.train.indices.subarray(this.train.indptr[user], this.train.indptr[user + 1]);
    } else hist = new Int32Array(0);
    const len = Math.min(hist.length, this.p.historyLength);
    const ws = this.ordered ? this.weights : undefined;
    for (let k = 0; k < len; k++) {
      const i = hist[hist.length - 1 - k];
      if (i < 0 || i >= n) continue;
      const w = ws ? ws[k] : 1;
      const row = i * n;
      for (let j = 0; j < n; j++) out[j] += w * b[row + j];
    }
  }

  itemSimilarities(item: number, out: Float32Array): void {
    const m = requireFitted(this.b, this.name);
    const row = item * m.n;
    for (let j = 0; j < m.n; j++) out[j] = m.data[row + j];
  }

  /**
   * This fit scored another way, as a new model sharing B: B depends on neither the recency
   * decay nor the history length, so a search tries several of them on one fit, and each scores
   * exactly as a fit with those settings would.
   */
  withScoring(scoring: Partial<Pick<SlistParams, "recencyDecay" | "historyLength">>): SlistModel {
    const copy = new SlistModel({ ...this.p, ...scoring });
    copy.b = requireFitted(this.b, this.name);
    copy.train = this.train;
    copy.sequences = this.sequences;
    copy.ordered = this.ordered;
    return copy;
  }

  /**
   * Changes the scoring-time recency decay without refitting (B does not depend on it), so a
   * search can try several on one fit.
   */
  setRecencyDecay(decay: number): void {
    if (!Number.isFinite(decay) || decay < 0) throw new RangeError(`${this.name}: recencyDecay must be a number >= 0, got ${decay}`);
    this.p.recencyDecay = decay;
    this.weights = recencyWeights(this.p.historyLength, decay);
  }

  /**
   * The weights exp(−k / recencyDecay) are decay^k with decay = exp(−1 / recencyDecay), so the
   * server's per-step decay reproduces the model's scoring exactly.
   */
  sequenceSettings(): { decay: number; historyLength: number } {
    const decay = this.ordered && this.p.recencyDecay > 0 ? Math.exp(-1 / this.p.recencyDecay) : 1;
    return { decay, historyLength: this.p.historyLength };
  }

  /** Weight of the item k steps before the latest when scoring (k = 0 is the latest). */
  recencyWeights(): Float32Array {
    return this.weights;
  }

  params(): Record<string, unknown> {
    return { ...this.p };
  }
}

/** exp(−k / decay) for k = 0..length−1; all ones when decay is 0. */
export function recencyWeights(length: number, decay: number): Float32Array {
  const out = new Float32Array(length);
  for (let k = 0; k < length; k++) out[k] = decay > 0 ? Math.exp(-k / decay) : 1;
  return out;
}
