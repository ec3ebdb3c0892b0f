/**
 * A WebAssembly SIMD kernel for the exact neighbour search, assembled here byte by byte (no
 * toolchain needed): `scores(q, c, nC, dim, out, thr, idx) -> n` computes, for each of nC
 * candidate rows at `c` (dim floats each), its dot products with a block of 16 queries stored
 * transposed at `q` (for each d, 16 floats). Four f32x4 accumulators hold the 16 sums, so each
 * candidate value is loaded once per 16 queries. Only candidates beating at least one query's
 * threshold (16 floats at `thr`) are written: their 16 scores to out[n*16..], their position
 * to idx[n]; the count n is returned, so the JS side touches only the few that matter.
 * Node and browsers have had wasm SIMD for years; callers fall back to plain JS if it fails.
 */
export function simdKernelBytes(): Uint8Array<ArrayBuffer> {
  const u = (n: number): number[] => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const s = (n: number): number[] => {
    // signed LEB128 for small non-negative constants
    const out: number[] = [];
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
        out.push(b);
        return out;
      }
      out.push(b | 0x80);
    }
  };
  const name = (t: string) => [...u(t.length), ...Array.from(t, (ch) => ch.charCodeAt(0))];
  const section = (id: number, body: number[]) => [id, ...u(body.length), ...body];
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const i32c = (v: number) => [0x41, ...s(v)];
  const addI = [0x6a];
  const geU = [0x4f];
  const simd = (op: number) => [0xfd, ...u(op)];
  const v128load = (offset: number) => [...simd(0x00), 0x04, ...u(offset)];
  const v128store = (offset: number) => [...simd(0x0b), 0x04, ...u(offset)];
  const f32load = [0x2a, 0x02, 0x00];
  const splat = simd(0x13);
  const fadd = simd(228);
  const fmul = simd(230);
  const zero = [...simd(0x0c), ...new Array(16).fill(0)];
  const fgt = simd(0x44);
  const vor = simd(0x50);
  const anyTrue = simd(0x53);
  const shl = [0x74];
  const i32store = [0x36, 0x02, 0x00];
  // params: 0 q, 1 c, 2 nC, 3 dim, 4 out, 5 thr, 6 idx
  // locals: 7 cand, 8 d, 9 cp, 10 qp, 11 n (i32); 12-15 acc, 16 x, 17-20 thresholds (v128); 21 addr (i32)
  const body: number[] = [
    ...[0, 1, 2, 3].flatMap((i) => [...get(5), ...v128load(16 * i), ...set(17 + i)]),
    ...get(1), ...set(9),
    ...i32c(0), ...set(7),
    ...i32c(0), ...set(11),
    0x02, 0x40,
    0x03, 0x40,
    ...get(7), ...get(2), ...geU, 0x0d, 1,
    ...zero, ...set(12), ...zero, ...set(13), ...zero, ...set(14), ...zero, ...set(15),
    ...get(0), ...set(10),
    ...i32c(0), ...set(8),
    0x02, 0x40,
    0x03, 0x40,
    ...get(8), ...get(3), ...geU, 0x0d, 1,
    ...get(9), ...f32load, ...splat, ...set(16),
    ...[0, 1, 2, 3].flatMap((i) => [...get(12 + i), ...get(10), ...v128load(16 * i), ...get(16), ...fmul, ...fadd, ...set(12 + i)]),
    ...get(9), ...i32c(4), ...addI, ...set(9),
    ...get(10), ...i32c(64), ...addI, ...set(10),
    ...get(8), ...i32c(1), ...addI, ...set(8),
    0x0c, 0,
    0x0b,
    0x0b,
    // Keep the candidate only if it beats some query's current k-th best.
    ...get(12), ...get(17), ...fgt,
    ...get(13), ...get(18), ...fgt, ...vor,
    ...get(14), ...get(19), ...fgt, ...vor,
    ...get(15), ...get(20), ...fgt, ...vor,
    ...anyTrue,
    0x04, 0x40,
    ...get(4), ...get(11), ...i32c(6), ...shl, ...addI, ...set(21),
    ...[0, 1, 2, 3].flatMap((i) => [...get(21), ...get(12 + i), ...v128store(16 * i)]),
    ...get(6), ...get(11), ...i32c(2), ...shl, ...addI, ...get(7), ...i32store,
    ...get(11), ...i32c(1), ...addI, ...set(11),
    0x0b,
    ...get(7), ...i32c(1), ...addI, ...set(7),
    0x0c, 0,
    0x0b,
    0x0b,
    ...get(11),
    0x0b,
  ];
  const locals = [3, 5, 0x7f, 9, 0x7b, 1, 0x7f];
  const func = [...locals, ...body];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 7, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...name("mem"), 0x02, 0, ...name("scores"), 0x00, 0]),
    ...section(10, [1, ...u(func.length), ...func]),
  ];
  return Uint8Array.from(bytes);
}
