import { csrFromCoo, type CsrMatrix } from "../data/matrix.ts";

/** A metadata feature matrix with the name of every column (for reports and debugging). */
export interface FeatureMatrix {
  matrix: CsrMatrix;
  names: string[];
}

/**
 * Collects named features per row, then builds the CSR matrix: features seen on fewer
 * than `minCount` rows are dropped (a feature on one row cannot generalise), and each
 * group of a row (categories, brand, tokens…) is scaled to sum to 1, so a group with
 * many entries (40 related items) does not outweigh one with a single entry (a brand).
 */
export class FeatureCollector {
  private readonly rowFeatures: Array<Array<[string, string]>>;

  constructor(readonly nRows: number) {
    this.rowFeatures = Array.from({ length: nRows }, () => []);
  }

  add(row: number, group: string, name: string): void {
    this.rowFeatures[row].push([group, name]);
  }

  build(minCount = 2): FeatureMatrix {
    const counts = new Map<string, number>();
    for (const feats of this.rowFeatures) {
      const seen = new Set<string>();
      for (const [, name] of feats) {
        if (seen.has(name)) continue;
        seen.add(name);
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
    const index = new Map<string, number>();
    const names: string[] = [];
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    for (let r = 0; r < this.nRows; r++) {
      const kept = new Map<string, string[]>();
      const seen = new Set<string>();
      for (const [group, name] of this.rowFeatures[r]) {
        if ((counts.get(name) ?? 0) < minCount || seen.has(name)) continue;
        seen.add(name);
        let list = kept.get(group);
        if (!list) kept.set(group, (list = []));
        list.push(name);
      }
      for (const list of kept.values()) {
        for (const name of list) {
          let c = index.get(name);
          if (c === undefined) {
            c = names.length;
            index.set(name, c);
            names.push(name);
          }
          rows.push(r);
          cols.push(c);
          vals.push(1 / list.length);
        }
      }
    }
    return { matrix: csrFromCoo(this.nRows, names.length, rows, cols, vals), names };
  }
}
