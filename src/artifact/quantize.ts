/**
 * Writer-only: quantises the trainer's float neighbour scores and vectors into the stored
 * sections (the worker only reads them, through neighbour-rows.ts and vectors.ts).
 */
import { type NeighbourLists, NONE } from "./neighbour-rows.ts";
import type { QuantizedVectors } from "./vectors.ts";

/**
 * Quantises float rows of neighbour scores into a NeighbourLists section (dense layout,
 * or sparse when `ptr` is given: row i is ids/scores[ptr[i] .. ptr[i+1])).
 */
export function quantizeNeighbours(k: number, ids: Uint32Array, scores: Float32Array, ptr?: Uint32Array): NeighbourLists {
  const n = ptr ? ptr.length - 1 : ids.length / k;
  const quantized = new Uint8Array(ids.length);
  const lo = new Float32Array(n);
  const hi = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (ptr) quantizeRow(ids, scores, quantized, lo, hi, i, ptr[i], ptr[i + 1]);
    else quantizeRow(ids, scores, quantized, lo, hi, i, i * k, (i + 1) * k);
  }
  return ptr ? { k, ids, ptr, quantized, lo, hi } : { k, ids, quantized, lo, hi };
}

/** Row i, slots [start, end): its score range over real neighbours (empty slots hold NONE) and each slot's byte. */
function quantizeRow(ids: Uint32Array, scores: Float32Array, quantized: Uint8Array, lo: Float32Array, hi: Float32Array, i: number, start: number, end: number): void {
  let min = Infinity;
  let max = -Infinity;
  for (let p = start; p < end; p++) {
    if (ids[p] === NONE) continue;
    const s = scores[p];
    if (s < min) min = s;
    if (s > max) max = s;
  }
  if (min === Infinity) min = max = 0;
  lo[i] = min;
  hi[i] = max;
  const span = max - min;
  for (let p = start; p < end; p++) quantized[p] = span > 0 ? Math.round(((scores[p] - min) / span) * 255) : 255;
}

/** Quantises row-major float vectors (n × dim). */
export function quantizeVectors(vectors: Float32Array, dim: number, encoding: "int8" | "float16"): QuantizedVectors {
  const n = vectors.length / dim;
  if (encoding === "float16") {
    const float16 = new Uint16Array(vectors.length);
    for (let i = 0; i < vectors.length; i++) float16[i] = toFloat16Bits(vectors[i]);
    return { dim, encoding, float16 };
  }
  const int8 = new Int8Array(vectors.length);
  const scale = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let max = 0;
    for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(vectors[i * dim + j]));
    const s = max > 0 ? max / 127 : 1;
    scale[i] = s;
    for (let j = 0; j < dim; j++) int8[i * dim + j] = Math.round(vectors[i * dim + j] / s);
  }
  return { dim, encoding, int8, scale };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    if ((mant >>> (shift - 1)) & 1) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  if (mant & 0x1000) half++;
  return half;
}
