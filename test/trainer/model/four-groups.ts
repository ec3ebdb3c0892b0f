import { csrFromCoo, type CsrMatrix } from "../../../trainer/data/matrix.ts";
import { createRng } from "../../../trainer/util/rng.ts";

/**
 * Small world of four tastes: users and items belong to group index % 4; users mostly
 * like items of their group. Item features: the group, plus a noise feature.
 */
export function fourGroups(nUsers = 160, nItems = 80, perUser = 12, seed = 7) {
  const rng = createRng(seed);
  const rows: number[] = [];
  const cols: number[] = [];
  const testRows: number[] = [];
  const testCols: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const chosen = new Set<number>();
    while (chosen.size < perUser) {
      const own = rng.next() < 0.95;
      const quarter = rng.int(nItems / 4);
      chosen.add(quarter * 4 + (own ? u % 4 : rng.int(4)));
    }
    const list = [...chosen];
    list.forEach((i, k) => ((k < 3 ? testRows : rows).push(u), (k < 3 ? testCols : cols).push(i)));
  }
  const train = csrFromCoo(nUsers, nItems, rows, cols);
  const test = csrFromCoo(nUsers, nItems, testRows, testCols);
  const fr: number[] = [];
  const fc: number[] = [];
  for (let i = 0; i < nItems; i++) {
    fr.push(i, i);
    fc.push(i % 4, 4 + (i % 3));
  }
  const itemFeatures = csrFromCoo(nItems, 7, fr, fc);
  return { train, test, itemFeatures };
}

/** Keeps only the entries of `m` whose column passes `keep`. */
export function keepColumns(m: CsrMatrix, keep: (col: number) => boolean): CsrMatrix {
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let r = 0; r < m.nRows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) {
      if (!keep(m.indices[p])) continue;
      rows.push(r);
      cols.push(m.indices[p]);
      vals.push(m.data[p]);
    }
  }
  return csrFromCoo(m.nRows, m.nCols, rows, cols, vals);
}
