import type { CsrMatrix } from "../data/matrix.ts";

/**
 * The positive part of an interaction matrix as 0/1: baselines treat any stored value > 0
 * as "interacted" and ignore negatives (−1 labels of explicit classification data).
 */
export function positiveRows(m: CsrMatrix): CsrMatrix {
  let positives = 0;
  for (let p = 0; p < m.data.length; p++) if (m.data[p] > 0) positives++;
  if (positives === m.data.length) {
    return { nRows: m.nRows, nCols: m.nCols, indptr: m.indptr, indices: m.indices, data: new Float32Array(positives).fill(1) };
  }
  const indptr = new Int32Array(m.nRows + 1);
  const indices = new Int32Array(positives);
  let w = 0;
  for (let r = 0; r < m.nRows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) if (m.data[p] > 0) indices[w++] = m.indices[p];
    indptr[r + 1] = w;
  }
  return { nRows: m.nRows, nCols: m.nCols, indptr, indices, data: new Float32Array(positives).fill(1) };
}

/** The items a user interacted with: an explicit history wins, else the user's training row (empty for unknown users). */
export function historyOf(train: CsrMatrix | undefined, user: number, history?: Int32Array): Int32Array {
  if (history) return history;
  if (!train || user < 0 || user >= train.nRows) return new Int32Array(0);
  return train.indices.subarray(train.indptr[user], train.indptr[user + 1]);
}

export function requireFitted<T>(value: T | undefined, model: string): T {
  if (value === undefined) throw new Error(`${model}: call fit() before scoring`);
  return value;
}

/** Reads a numeric hyper-parameter, with a clear error for bad values. */
export function numberParam(params: Record<string, unknown>, key: string, fallback: number, model: string, min = -Infinity): number {
  const raw = params[key];
  if (raw === undefined || raw === null || raw === "") return fallback;
  const v = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isFinite(v) || v < min) {
    throw new RangeError(`${model}: parameter ${key} must be a number >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return v;
}

/**
 * Scores of a sparse item–item model: adds the neighbour rows of every history item into `out`
 * (the caller initialises `out`: zeros, or a popularity prior that breaks ties).
 */
export function addNeighbourRows(neighbours: CsrMatrix, history: Int32Array, out: Float32Array): void {
  for (let h = 0; h < history.length; h++) {
    const i = history[h];
    if (i < 0 || i >= neighbours.nRows) continue;
    for (let p = neighbours.indptr[i]; p < neighbours.indptr[i + 1]; p++) out[neighbours.indices[p]] += neighbours.data[p];
  }
}

/** Writes one item's sparse similarity row densely into `out`. */
export function denseRow(neighbours: CsrMatrix, item: number, out: Float32Array): void {
  out.fill(0);
  for (let p = neighbours.indptr[item]; p < neighbours.indptr[item + 1]; p++) out[neighbours.indices[p]] = neighbours.data[p];
}
