import type { CsrMatrix } from "../data/matrix.ts";
import type { ItemMeta } from "../data/types.ts";

/** Words too common in product titles to say anything about similarity. */
const STOPWORDS = new Set("a an and the of for with in on by to from at or oz lb g kg ml l pack count ct pcs".split(" "));

/** Lower-case alphanumeric tokens of a title (2+ characters, not stopwords, not pure numbers). */
export function titleTokens(title: string | undefined): string[] {
  if (!title) return [];
  const out: string[] = [];
  for (const t of title.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (t.length >= 2 && !STOPWORDS.has(t) && !/^\d+$/.test(t)) out.push(t);
  }
  return out;
}

/**
 * TF-IDF-style metadata features per item, rows L2-normalised so a dot product is a cosine:
 * every category path prefix (deeper levels weigh more), the brand, and title words, each
 * weighted by log(N / document frequency) so rare, specific features dominate.
 * Used for content neighbours when the trainer gives no feature matrix of its own.
 */
export function contentFeatures(items: ItemMeta[]): CsrMatrix {
  const vocab = new Map<string, number>();
  const rows: Array<Map<number, number>> = [];
  for (const item of items) {
    const row = new Map<number, number>();
    const add = (feature: string, weight: number) => {
      let f = vocab.get(feature);
      if (f === undefined) {
        f = vocab.size;
        vocab.set(feature, f);
      }
      row.set(f, Math.max(row.get(f) ?? 0, weight));
    };
    const path = item.categories ?? [];
    for (let level = 0; level < path.length; level++) add(`c:${path.slice(0, level + 1).join(" > ").toLowerCase()}`, 1 + level * 0.5);
    if (item.brand) add(`b:${item.brand.toLowerCase()}`, 1.5);
    for (const t of titleTokens(item.title)) add(`t:${t}`, 1);
    rows.push(row);
  }
  const df = new Float64Array(vocab.size);
  for (const row of rows) for (const f of row.keys()) df[f]++;
  const n = items.length;
  const indptr = new Int32Array(n + 1);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    nnz += rows[i].size;
    indptr[i + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  for (let i = 0; i < n; i++) {
    const entries = [...rows[i].entries()].sort((a, b) => a[0] - b[0]);
    let norm = 0;
    const start = indptr[i];
    entries.forEach(([f, w], j) => {
      const value = w * Math.log(1 + n / df[f]);
      indices[start + j] = f;
      data[start + j] = value;
      norm += value * value;
    });
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let p = start; p < indptr[i + 1]; p++) data[p] *= inv;
  }
  return { nRows: n, nCols: vocab.size, indptr, indices, data };
}

/**
 * Weights a given feature matrix (e.g. the hybrid model's item features) like contentFeatures:
 * each column by log(1 + N / df), then every row to unit length (a copy).
 */
export function normalizeCsrRows(m: CsrMatrix): CsrMatrix {
  const df = new Float64Array(m.nCols);
  for (let p = 0; p < m.indices.length; p++) df[m.indices[p]]++;
  const data = new Float32Array(m.data);
  for (let p = 0; p < data.length; p++) data[p] *= Math.log(1 + m.nRows / df[m.indices[p]]);
  for (let r = 0; r < m.nRows; r++) {
    let norm = 0;
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) norm += data[p] * data[p];
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) data[p] *= inv;
  }
  return { ...m, data };
}
