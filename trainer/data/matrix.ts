/**
 * Compressed sparse rows: the one numeric layout the trainer passes around
 * (interactions users × items, feature matrices rows × features).
 */
export interface CsrMatrix {
  readonly nRows: number;
  readonly nCols: number;
  /** Row r occupies indices/data[indptr[r] .. indptr[r+1]). Length nRows + 1. */
  readonly indptr: Int32Array;
  /** Column of each stored value, sorted ascending within a row. */
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

/**
 * Builds a CSR matrix from coordinate triples. Duplicate (row, col) entries are
 * summed unless `keep` says otherwise; callers resolve duplicates by their own rule first.
 */
export function csrFromCoo(
  nRows: number,
  nCols: number,
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  values?: ArrayLike<number>,
  keep: "sum" | "last" | "max" = "sum",
): CsrMatrix {
  const n = rows.length;
  const counts = new Int32Array(nRows + 1);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (r < 0 || r >= nRows) throw new RangeError(`row ${r} outside 0..${nRows - 1}`);
    const c = cols[i];
    if (c < 0 || c >= nCols) throw new RangeError(`column ${c} outside 0..${nCols - 1}`);
    counts[r + 1]++;
  }
  for (let r = 0; r < nRows; r++) counts[r + 1] += counts[r];
  const fill = counts.slice(0, nRows);
  const indices = new Int32Array(n);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = fill[rows[i]]++;
    indices[p] = cols[i];
    data[p] = values ? values[i] : 1;
  }
  // Sort each row by column and merge duplicates.
  const outIndptr = new Int32Array(nRows + 1);
  let w = 0;
  const order: number[] = [];
  for (let r = 0; r < nRows; r++) {
    const start = counts[r];
    const end = counts[r + 1];
    order.length = 0;
    for (let p = start; p < end; p++) order.push(p);
    order.sort((a, b) => indices[a] - indices[b] || a - b);
    const rowCols = order.map((p) => indices[p]);
    const rowVals = order.map((p) => data[p]);
    let last = -1;
    for (let q = 0; q < rowCols.length; q++) {
      if (rowCols[q] === last) {
        const prev = data[w - 1];
        data[w - 1] = keep === "sum" ? prev + rowVals[q] : keep === "max" ? Math.max(prev, rowVals[q]) : rowVals[q];
      } else {
        indices[w] = rowCols[q];
        data[w] = rowVals[q];
        w++;
        last = rowCols[q];
      }
    }
    outIndptr[r + 1] = w;
  }
  return { nRows, nCols, indptr: outIndptr, indices: indices.slice(0, w), data: data.slice(0, w) };
}

/** The transpose (items × users from users × items). */
export function transpose(m: CsrMatrix): CsrMatrix {
  const counts = new Int32Array(m.nCols + 1);
  for (let p = 0; p < m.indices.length; p++) counts[m.indices[p] + 1]++;
  for (let c = 0; c < m.nCols; c++) counts[c + 1] += counts[c];
  const fill = counts.slice(0, m.nCols);
  const indices = new Int32Array(m.indices.length);
  const data = new Float32Array(m.indices.length);
  for (let r = 0; r < m.nRows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) {
      const q = fill[m.indices[p]]++;
      indices[q] = r;
      data[q] = m.data[p];
    }
  }
  return { nRows: m.nCols, nCols: m.nRows, indptr: counts, indices, data };
}

/** Row r's column indices (a view, no copy). */
export function rowIndices(m: CsrMatrix, r: number): Int32Array {
  return m.indices.subarray(m.indptr[r], m.indptr[r + 1]);
}

/** Row r's values (a view, no copy). */
export function rowValues(m: CsrMatrix, r: number): Float32Array {
  return m.data.subarray(m.indptr[r], m.indptr[r + 1]);
}

/** Stacks per-row column/value arrays (built row by row, e.g. top-k neighbours) into one CSR matrix. */
export function csrFromRows(nCols: number, cols: readonly Int32Array[], vals: readonly Float32Array[]): CsrMatrix {
  const nRows = cols.length;
  const indptr = new Int32Array(nRows + 1);
  for (let r = 0; r < nRows; r++) indptr[r + 1] = indptr[r] + cols[r].length;
  const indices = new Int32Array(indptr[nRows]);
  const data = new Float32Array(indptr[nRows]);
  for (let r = 0; r < nRows; r++) {
    indices.set(cols[r], indptr[r]);
    data.set(vals[r], indptr[r]);
  }
  return { nRows, nCols, indptr, indices, data };
}
