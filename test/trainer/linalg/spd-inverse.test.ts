import { describe, expect, it } from "vitest";
import { allocSym, invertSpdInPlace, NotPositiveDefiniteError, type Precision } from "../../../trainer/linalg/spd-inverse.ts";
import { createRng } from "../../../trainer/util/rng.ts";

/** A random SPD matrix XᵀX/m + ridge·I (dense, row-major n×n). */
function randomSpd(n: number, seed: number, ridge = 0.5): Float64Array {
  const rng = createRng(seed);
  const m = 2 * n;
  const x = Float64Array.from({ length: m * n }, () => rng.next() - 0.3);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = i === j ? ridge : 0;
      for (let p = 0; p < m; p++) s += (x[p * n + i] * x[p * n + j]) / m;
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

function maxResidual(a: Float64Array, n: number, inv: Float64Array, size: number): number {
  let err = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += a[i * n + p] * inv[p * size + j];
      err = Math.max(err, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return err;
}

describe("invertSpdInPlace", () => {
  const cases: { n: number; block: number; wasm: boolean; precision: Precision; tol: number }[] = [
    { n: 1, block: 4, wasm: false, precision: "double", tol: 1e-12 },
    { n: 37, block: 8, wasm: false, precision: "double", tol: 1e-10 },
    { n: 37, block: 8, wasm: true, precision: "double", tol: 1e-10 },
    { n: 150, block: 64, wasm: false, precision: "double", tol: 1e-10 },
    { n: 150, block: 64, wasm: true, precision: "double", tol: 1e-10 },
    { n: 150, block: 64, wasm: true, precision: "mixed", tol: 1e-4 },
  ];
  for (const c of cases) {
    it(`inverts n=${c.n} (block ${c.block}, ${c.wasm ? "WebAssembly SIMD" : "JS"} kernel, ${c.precision})`, () => {
      const a = randomSpd(c.n, c.n);
      const m = allocSym(c.n, c.block, { wasm: c.wasm, precision: c.precision });
      expect(Boolean(m.memory)).toBe(c.wasm);
      for (let i = 0; i < c.n; i++) for (let j = 0; j <= i; j++) m.data[i * m.size + j] = a[i * c.n + j];
      invertSpdInPlace(m);
      expect(maxResidual(a, c.n, m.data, m.size)).toBeLessThan(c.tol);
      // The result is symmetric.
      for (let i = 0; i < c.n; i++) for (let j = 0; j < i; j++) expect(m.data[i * m.size + j]).toBe(m.data[j * m.size + i]);
    });
  }

  it("gives the same doubles with the JS and the WebAssembly kernels up to rounding", () => {
    const n = 130;
    const a = randomSpd(n, 9);
    const out = [false, true].map((wasm) => {
      const m = allocSym(n, 64, { wasm });
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) m.data[i * m.size + j] = a[i * n + j];
      invertSpdInPlace(m);
      return m;
    });
    for (let k = 0; k < out[0].data.length; k++) expect(out[1].data[k]).toBeCloseTo(out[0].data[k], 9);
  });

  it("reports a matrix that is not positive definite", () => {
    const m = allocSym(2, 4);
    m.data[0] = 1;
    m.data[m.size] = 2; // [[1, 2], [2, 1]] has a negative eigenvalue
    m.data[m.size + 1] = 1;
    expect(() => invertSpdInPlace(m)).toThrow(NotPositiveDefiniteError);
  });
});
