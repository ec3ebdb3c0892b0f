/**
 * The hot loop of the SPD inverse as a tiny WebAssembly SIMD module, assembled here from
 * opcodes (no toolchain needed): for one b×b tile, A[i][j] −= Σ_p Z[i][p]·ZP[p][j], with
 * 4×4 register blocks of f64x2 (two columns per vector, a row's Z value splatted).
 * V8 compiles it to SSE/AVX; it runs about twice as fast as the same loop in JS.
 *
 * Layout (byte offsets into the shared memory): A row-major with `stride` bytes per row;
 * Z rows of b doubles (row i of the tile at z + i·b·8); ZP the transposed panel of the
 * column block (p-th row at zp + p·b·8).
 */

import { assembleModule, brIf, end, functionCode, get, I32, i32Add as add, i32c, i32LtU as ltU, i32Mul as mul, i32Shl as shl, loop, memarg, set, simd, tee, V128, v128Zero } from "../util/wasm-module.ts";

const brIf0 = brIf(0);
const v128Load = (offset: number) => simd(0, ...memarg(3, offset));
const v128Load64Splat = (offset: number) => simd(10, ...memarg(3, offset));
const v128Store = (offset: number) => simd(11, ...memarg(3, offset));
const f64x2Add = simd(240);
const f64x2Sub = simd(241);
const f64x2Mul = simd(242);

const f32x4Add = simd(228);
const f32x4Mul = simd(230);
const v128Load32Splat = (offset: number) => simd(9, ...memarg(2, offset));
const f64x2PromoteLow = simd(95);
/** Moves lanes 2,3 of an f32x4 down to 0,1 (i8x16.shuffle of the vector with itself). */
const highToLow = simd(13, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);

export interface TileShape {
  /** Rows per register block. */
  rows: number;
  /** Vectors per row of a register block (2 or 4 columns each). */
  vectors: number;
  /** "f64": Z panels in doubles; "f32": Z panels in floats (4 lanes), accumulated in float and subtracted from the double A. */
  panel: "f64" | "f32";
  /** Inner-loop unrolling over p (1 or 2). */
  unroll?: number;
}

export const DEFAULT_SHAPE: TileShape = { rows: 4, vectors: 2, panel: "f64", unroll: 1 };

/**
 * Assembles the module for tiles of b×b; exports `tile(a, z, zp, stride)`.
 * Register block: shape.rows rows × (shape.vectors · lanes) columns, lanes = 2 (f64) or 4 (f32).
 */
export function assembleTileModule(b: number, shape: TileShape = DEFAULT_SHAPE): Uint8Array<ArrayBuffer> {
  const { rows: R, vectors: V, panel } = shape;
  const f32 = panel === "f32";
  const lanes = f32 ? 4 : 2;
  const esize = f32 ? 4 : 8;
  const cols = V * lanes;
  if (b % R !== 0 || b % cols !== 0) throw new RangeError(`block ${b} must be a multiple of ${R} rows and ${cols} columns`);
  // Params: 0 a, 1 z, 2 zp, 3 stride. i32 locals 4..9; v128 locals from 10: R·V accumulators, x, then V y's, then a temp.
  const [A, Z, ZP, STRIDE, I, J, ZI, ZPJ, PEND, AROW] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const acc = (r: number, v: number) => 10 + r * V + v;
  const X = 10 + R * V;
  const Y = (v: number) => X + 1 + v;
  const T = X + 1 + V;
  const nV128 = R * V + 1 + V + 1;
  const rowBytes = b * esize;
  const mulOp = f32 ? f32x4Mul : f64x2Mul;
  const addOp = f32 ? f32x4Add : f64x2Add;
  const splat = f32 ? v128Load32Splat : v128Load64Splat;
  const loadVec = (offset: number) => (f32 ? simd(0, ...memarg(2, offset)) : v128Load(offset));
  const body: number[] = [...i32c(0), ...set(I), ...loop, ...i32c(0), ...set(J), ...loop];
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) body.push(...v128Zero, ...set(acc(r, v)));
  body.push(
    ...get(Z), ...get(I), ...i32c(rowBytes), ...mul, ...add, ...tee(ZI),
    ...i32c(rowBytes), ...add, ...set(PEND),
    ...get(ZP), ...get(J), ...i32c(Math.log2(esize)), ...shl, ...add, ...set(ZPJ),
    ...loop,
  );
  const unroll = shape.unroll ?? 1;
  if (b % unroll !== 0) throw new RangeError(`block ${b} must be a multiple of the unroll ${unroll}`);
  for (let u = 0; u < unroll; u++) {
    for (let v = 0; v < V; v++) body.push(...get(ZPJ), ...loadVec(u * rowBytes + 16 * v), ...set(Y(v)));
    for (let r = 0; r < R; r++) {
      body.push(...get(ZI), ...splat(r * rowBytes + u * esize), ...set(X));
      for (let v = 0; v < V; v++) {
        body.push(...get(X), ...get(Y(v)), ...mulOp, ...get(acc(r, v)), ...addOp, ...set(acc(r, v)));
      }
    }
  }
  body.push(
    ...get(ZPJ), ...i32c(rowBytes * unroll), ...add, ...set(ZPJ),
    ...get(ZI), ...i32c(esize * unroll), ...add, ...tee(ZI),
    ...get(PEND), ...ltU, ...brIf0,
    ...end,
    ...get(A), ...get(I), ...get(STRIDE), ...mul, ...add, ...get(J), ...i32c(3), ...shl, ...add, ...set(AROW),
  );
  for (let r = 0; r < R; r++) {
    for (let v = 0; v < V; v++) {
      if (f32) {
        // Four float sums → two f64x2 subtractions from the double matrix.
        const off = 32 * v;
        body.push(...get(AROW), ...get(AROW), ...v128Load(off), ...get(acc(r, v)), ...f64x2PromoteLow, ...f64x2Sub, ...v128Store(off));
        body.push(...get(acc(r, v)), ...get(acc(r, v)), ...highToLow, ...set(T));
        body.push(...get(AROW), ...get(AROW), ...v128Load(off + 16), ...get(T), ...f64x2PromoteLow, ...f64x2Sub, ...v128Store(off + 16));
      } else {
        body.push(...get(AROW), ...get(AROW), ...v128Load(16 * v), ...get(acc(r, v)), ...f64x2Sub, ...v128Store(16 * v));
      }
    }
    body.push(...get(AROW), ...get(STRIDE), ...add, ...set(AROW));
  }
  body.push(
    ...get(J), ...i32c(cols), ...add, ...tee(J), ...i32c(b), ...ltU, ...brIf0,
    ...end,
    ...get(I), ...i32c(R), ...add, ...tee(I), ...i32c(b), ...ltU, ...brIf0,
    ...end,
    ...end,
  );
  return assembleModule({
    params: [I32, I32, I32, I32],
    results: [],
    importMemory: { pages: 1 },
    exportName: "tile",
    code: functionCode([[6, I32], [nV128, V128]], body),
  });
}

export type TileFn = (a: number, z: number, zp: number, stride: number) => void;

const modules = new Map<string, WebAssembly.Module>();

/** Instantiates the tile kernel over `memory`, or returns undefined where WebAssembly SIMD is unavailable. */
export function tileKernel(memory: WebAssembly.Memory, b: number, shape: TileShape = DEFAULT_SHAPE): TileFn | undefined {
  try {
    const key = `${b}:${shape.rows}:${shape.vectors}:${shape.panel}:${shape.unroll ?? 1}`;
    let mod = modules.get(key);
    if (!mod) {
      mod = new WebAssembly.Module(assembleTileModule(b, shape));
      modules.set(key, mod);
    }
    const instance = new WebAssembly.Instance(mod, { env: { memory } });
    return instance.exports.tile as TileFn;
  } catch {
    return undefined;
  }
}
