import { assembleModule, block, br, brIf, end, f32Load, functionCode, get, I32, i32Add, i32c, i32GeU, i32Shl, i32Store, ifThen, loop, memarg, set, simd, V128, v128Zero } from "../util/wasm-module.ts";

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
  const v128load = (offset: number) => simd(0x00, ...memarg(4, offset));
  const v128store = (offset: number) => simd(0x0b, ...memarg(4, offset));
  const splat = simd(0x13);
  const fadd = simd(228);
  const fmul = simd(230);
  const fgt = simd(0x44);
  const vor = simd(0x50);
  const anyTrue = simd(0x53);
  // params: 0 q, 1 c, 2 nC, 3 dim, 4 out, 5 thr, 6 idx
  // locals: 7 cand, 8 d, 9 cp, 10 qp, 11 n (i32); 12-15 acc, 16 x, 17-20 thresholds (v128); 21 addr (i32)
  const body: number[] = [
    ...[0, 1, 2, 3].flatMap((i) => [...get(5), ...v128load(16 * i), ...set(17 + i)]),
    ...get(1), ...set(9),
    ...i32c(0), ...set(7),
    ...i32c(0), ...set(11),
    ...block,
    ...loop,
    ...get(7), ...get(2), ...i32GeU, ...brIf(1),
    ...v128Zero, ...set(12), ...v128Zero, ...set(13), ...v128Zero, ...set(14), ...v128Zero, ...set(15),
    ...get(0), ...set(10),
    ...i32c(0), ...set(8),
    ...block,
    ...loop,
    ...get(8), ...get(3), ...i32GeU, ...brIf(1),
    ...get(9), ...f32Load, ...splat, ...set(16),
    ...[0, 1, 2, 3].flatMap((i) => [...get(12 + i), ...get(10), ...v128load(16 * i), ...get(16), ...fmul, ...fadd, ...set(12 + i)]),
    ...get(9), ...i32c(4), ...i32Add, ...set(9),
    ...get(10), ...i32c(64), ...i32Add, ...set(10),
    ...get(8), ...i32c(1), ...i32Add, ...set(8),
    ...br(0),
    ...end,
    ...end,
    // Keep the candidate only if it beats some query's current k-th best.
    ...get(12), ...get(17), ...fgt,
    ...get(13), ...get(18), ...fgt, ...vor,
    ...get(14), ...get(19), ...fgt, ...vor,
    ...get(15), ...get(20), ...fgt, ...vor,
    ...anyTrue,
    ...ifThen,
    ...get(4), ...get(11), ...i32c(6), ...i32Shl, ...i32Add, ...set(21),
    ...[0, 1, 2, 3].flatMap((i) => [...get(21), ...get(12 + i), ...v128store(16 * i)]),
    ...get(6), ...get(11), ...i32c(2), ...i32Shl, ...i32Add, ...get(7), ...i32Store,
    ...get(11), ...i32c(1), ...i32Add, ...set(11),
    ...end,
    ...get(7), ...i32c(1), ...i32Add, ...set(7),
    ...br(0),
    ...end,
    ...end,
    ...get(11),
    ...end,
  ];
  return assembleModule({
    params: [I32, I32, I32, I32, I32, I32, I32],
    results: [I32],
    ownMemory: { pages: 1, exportName: "mem" },
    exportName: "scores",
    code: functionCode([[5, I32], [9, V128], [1, I32]], body),
  });
}
