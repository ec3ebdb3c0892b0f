import { describe, expect, it } from "vitest";
import { csrFromCoo } from "../../../trainer/data/matrix.ts";
import { EaseModel } from "../../../trainer/model/ease.ts";
import { createRng } from "../../../trainer/util/rng.ts";

/** Plain Gauss–Jordan inverse, as an independent reference. */
function naiveInverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    const d = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(n));
}

describe("ease closed form", () => {
  it("matches B = −P/diag(P), diag 0, with P = (XᵀX + λI)⁻¹ computed independently", async () => {
    const rng = createRng(3);
    const nUsers = 30;
    const nItems = 70; // more than one 64-block, so the blocked sweep runs several steps
    const rows: number[] = [];
    const cols: number[] = [];
    for (let u = 0; u < nUsers; u++) for (let i = 0; i < nItems; i++) if (rng.next() < 0.15) (rows.push(u), cols.push(i));
    const x = csrFromCoo(nUsers, nItems, rows, cols);
    const lambda = 3;
    const g = Array.from({ length: nItems }, (_, i) => Array.from({ length: nItems }, (_, j) => (i === j ? lambda : 0)));
    for (let u = 0; u < nUsers; u++) {
      const items = Array.from(x.indices.subarray(x.indptr[u], x.indptr[u + 1]));
      for (const i of items) for (const j of items) g[i][j] += 1;
    }
    const p = naiveInverse(g);
    const model = new EaseModel({ lambda });
    await model.fit({ interactions: x, rng: createRng(0) });
    const row = new Float32Array(nItems);
    for (const i of [0, 13, 64, 69]) {
      model.itemSimilarities(i, row);
      for (let j = 0; j < nItems; j++) {
        const expected = i === j ? 0 : -p[i][j] / p[j][j];
        expect(row[j]).toBeCloseTo(expected, 5);
      }
    }
    // A user's scores are the sum of B's rows over their items.
    const scores = new Float32Array(nItems);
    model.scoreUser(0, scores);
    const items = Array.from(x.indices.subarray(x.indptr[0], x.indptr[1]));
    for (let j = 0; j < nItems; j++) {
      let s = 0;
      for (const i of items) s += i === j ? 0 : -p[i][j] / p[j][j];
      expect(scores[j]).toBeCloseTo(s, 4);
    }
  });

  it("rejects a negative lambda with a clear message", () => {
    expect(() => new EaseModel({ lambda: -1 })).toThrow(/lambda must be a number >= 0/);
  });
});

describe("ease limits", () => {
  it("refuses catalogues whose n×n matrix cannot fit, with a clear message", async () => {
    const x = csrFromCoo(1, 30_000, [0], [29_999]);
    await expect(new EaseModel().fit({ interactions: x, rng: createRng(0) })).rejects.toThrow(/30000 items need .* GiB.*itemknn or hybrid/);
  });
});
