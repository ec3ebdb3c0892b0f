/**
 * Exact top-K inner-product search, written as self-contained functions (no imports, no
 * closures) so worker threads can run the very same code from its source text.
 *
 * Blocked: 8 query rows are scored against each candidate in one pass, so every candidate
 * vector is read from memory once per block instead of once per query.
 */

/**
 * For query rows [rowStart, rowEnd) of `queries` (nQ × dim), finds the k candidates (rows of
 * `cand`, nC × dim) with the highest dot product, skipping candidate c when
 * `candIds[c] === queryIds[row]` (an item is not its own neighbour). Writes candIds of the
 * winners best-first into outIds[row*k ..] (0xffffffff padding) and their scores into outScores.
 */
export function topKRows(
  queries: Float32Array,
  queryIds: Uint32Array,
  cand: Float32Array,
  candIds: Uint32Array,
  dim: number,
  k: number,
  rowStart: number,
  rowEnd: number,
  outIds: Uint32Array,
  outScores: Float32Array,
): void {
  const nC = candIds.length;
  const B = 8;
  const q = new Float32Array(B * dim);
  const heapS = new Float32Array(B * k);
  const heapI = new Int32Array(B * k);
  const size = new Int32Array(B);
  const thr = new Float32Array(B);
  const self = new Int32Array(B);
  for (let r0 = rowStart; r0 < rowEnd; r0 += B) {
    const rows = Math.min(B, rowEnd - r0);
    q.fill(0);
    for (let r = 0; r < rows; r++) {
      for (let d = 0; d < dim; d++) q[d * B + r] = queries[(r0 + r) * dim + d];
      size[r] = 0;
      thr[r] = -Infinity;
      self[r] = queryIds[r0 + r];
    }
    for (let r = rows; r < B; r++) {
      size[r] = k;
      thr[r] = Infinity;
      self[r] = -1;
    }
    for (let c = 0; c < nC; c++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      const base = c * dim;
      for (let d = 0; d < dim; d++) {
        const x = cand[base + d];
        const qb = d * B;
        s0 += q[qb] * x;
        s1 += q[qb + 1] * x;
        s2 += q[qb + 2] * x;
        s3 += q[qb + 3] * x;
        s4 += q[qb + 4] * x;
        s5 += q[qb + 5] * x;
        s6 += q[qb + 6] * x;
        s7 += q[qb + 7] * x;
      }
      if (s0 > thr[0]) heapPush(heapS, heapI, size, thr, 0, k, s0, c, candIds, self);
      if (s1 > thr[1]) heapPush(heapS, heapI, size, thr, 1, k, s1, c, candIds, self);
      if (s2 > thr[2]) heapPush(heapS, heapI, size, thr, 2, k, s2, c, candIds, self);
      if (s3 > thr[3]) heapPush(heapS, heapI, size, thr, 3, k, s3, c, candIds, self);
      if (s4 > thr[4]) heapPush(heapS, heapI, size, thr, 4, k, s4, c, candIds, self);
      if (s5 > thr[5]) heapPush(heapS, heapI, size, thr, 5, k, s5, c, candIds, self);
      if (s6 > thr[6]) heapPush(heapS, heapI, size, thr, 6, k, s6, c, candIds, self);
      if (s7 > thr[7]) heapPush(heapS, heapI, size, thr, 7, k, s7, c, candIds, self);
    }
    for (let r = 0; r < rows; r++) heapDrain(heapS, heapI, size, r, k, candIds, outIds, outScores, (r0 + r) * k);
  }
}

/** Min-heap of row r (its slots heapS/heapI[r*k .. r*k+k)); thr[r] is the admission bar. */
export function heapPush(
  heapS: Float32Array,
  heapI: Int32Array,
  size: Int32Array,
  thr: Float32Array,
  r: number,
  k: number,
  score: number,
  c: number,
  candIds: Uint32Array,
  self: Int32Array,
): void {
  if (candIds[c] === self[r]) return;
  const o = r * k;
  let n = size[r];
  if (n < k) {
    let i = n;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heapS[o + p] <= score) break;
      heapS[o + i] = heapS[o + p];
      heapI[o + i] = heapI[o + p];
      i = p;
    }
    heapS[o + i] = score;
    heapI[o + i] = c;
    n++;
    size[r] = n;
    if (n === k) thr[r] = heapS[o];
    return;
  }
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= k) break;
    let m = l;
    if (l + 1 < k && heapS[o + l + 1] < heapS[o + l]) m = l + 1;
    if (heapS[o + m] >= score) break;
    heapS[o + i] = heapS[o + m];
    heapI[o + i] = heapI[o + m];
    i = m;
  }
  heapS[o + i] = score;
  heapI[o + i] = c;
  thr[r] = heapS[o];
}

/** Writes row r's heap best-first into out[at .. at+k), padding with 0xffffffff. */
export function heapDrain(
  heapS: Float32Array,
  heapI: Int32Array,
  size: Int32Array,
  r: number,
  k: number,
  candIds: Uint32Array,
  outIds: Uint32Array,
  outScores: Float32Array,
  at: number,
): void {
  const o = r * k;
  const n = size[r];
  const order = [];
  for (let j = 0; j < n; j++) order.push(j);
  order.sort((a, b) => heapS[o + b] - heapS[o + a] || candIds[heapI[o + a]] - candIds[heapI[o + b]]);
  for (let j = 0; j < k; j++) {
    if (j < n) {
      outIds[at + j] = candIds[heapI[o + order[j]]];
      outScores[at + j] = heapS[o + order[j]];
    } else {
      outIds[at + j] = 0xffffffff;
      outScores[at + j] = 0;
    }
  }
}

/** A SIMD kernel instance with the candidate matrix already copied into its memory. */
export interface SimdState {
  scores: (q: number, c: number, nC: number, dim: number, out: number, thr: number, idx: number) => number;
  mem: WebAssembly.Memory;
  qOff: number;
  thrOff: number;
  cOff: number;
  outOff: number;
  idxOff: number;
  chunk: number;
}

/** Instantiates the SIMD kernel and copies the candidates (nC × dim) into its memory. */
export function simdSetup(wasmBytes: Uint8Array<ArrayBuffer>, cand: Float32Array, dim: number): SimdState {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {});
  const ex = instance.exports as unknown as { mem: WebAssembly.Memory; scores: SimdState["scores"] };
  const chunk = 2048;
  const qOff = 0;
  const thrOff = (64 * dim + 15) & ~15;
  const cOff = thrOff + 64;
  const outOff = (cOff + cand.length * 4 + 15) & ~15;
  const idxOff = outOff + chunk * 64;
  const needed = idxOff + chunk * 4;
  const have = ex.mem.buffer.byteLength;
  if (needed > have) ex.mem.grow(Math.ceil((needed - have) / 65536));
  new Float32Array(ex.mem.buffer, cOff, cand.length).set(cand);
  return { scores: ex.scores, mem: ex.mem, qOff, thrOff, cOff, outOff, idxOff, chunk };
}

/** topKRows through the SIMD kernel: 16 queries per pass, candidates in chunks between threshold updates. */
export function topKRowsSimd(
  st: SimdState,
  queries: Float32Array,
  queryIds: Uint32Array,
  candIds: Uint32Array,
  dim: number,
  k: number,
  rowStart: number,
  rowEnd: number,
  outIds: Uint32Array,
  outScores: Float32Array,
): void {
  const nC = candIds.length;
  const B = 16;
  const heapS = new Float32Array(B * k);
  const heapI = new Int32Array(B * k);
  const size = new Int32Array(B);
  const thr = new Float32Array(B);
  const self = new Int32Array(B);
  const buf = st.mem.buffer;
  const q = new Float32Array(buf, st.qOff, B * dim);
  const thrMem = new Float32Array(buf, st.thrOff, B);
  const out = new Float32Array(buf, st.outOff, st.chunk * B);
  const idx = new Int32Array(buf, st.idxOff, st.chunk);
  for (let r0 = rowStart; r0 < rowEnd; r0 += B) {
    const rows = Math.min(B, rowEnd - r0);
    q.fill(0);
    for (let r = 0; r < B; r++) {
      if (r < rows) {
        for (let d = 0; d < dim; d++) q[d * B + r] = queries[(r0 + r) * dim + d];
        size[r] = 0;
        thr[r] = -Infinity;
        self[r] = queryIds[r0 + r];
      } else {
        size[r] = k;
        thr[r] = Infinity;
        self[r] = -1;
      }
    }
    // Small chunks first: thresholds start at -Infinity, and every candidate passes until they rise.
    let step = Math.min(st.chunk, Math.max(16, k * 2));
    for (let c0 = 0; c0 < nC; c0 += step, step = Math.min(st.chunk, step * 2)) {
      const len = Math.min(step, nC - c0);
      thrMem.set(thr);
      const n = st.scores(st.qOff, st.cOff + c0 * dim * 4, len, dim, st.outOff, st.thrOff, st.idxOff);
      for (let j = 0; j < n; j++) {
        const c = c0 + idx[j];
        const base = j * B;
        for (let r = 0; r < rows; r++) {
          const sc = out[base + r];
          if (sc > thr[r]) heapPush(heapS, heapI, size, thr, r, k, sc, c, candIds, self);
        }
      }
    }
    for (let r = 0; r < rows; r++) heapDrain(heapS, heapI, size, r, k, candIds, outIds, outScores, (r0 + r) * k);
  }
}

export const KERNEL_FUNCTIONS = [topKRows, heapPush, heapDrain, simdSetup, topKRowsSimd];
