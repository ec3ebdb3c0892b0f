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
  if (ptr) return quantizeSparse(k, ids, scores, ptr);
  const n = ids.length / k;
  const quantized = new Uint8Array(ids.length);
  const lo = new Float32Array(n);
  const hi = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      if (ids[i * k + j] === NONE) continue;
      const s = scores[i * k + j];
      if (s < min) min = s;
      if (s > max) max = s;
    }
    if (min === Infinity) {
      min = 0;
      max = 0;
    }
    lo[i] = min;
    hi[i] = max;
    const span = max - min;
    for (let j = 0; j < k; j++) {
      quantized[i * k + j] = span > 0 ? Math.round(((scores[i * k + j] - min) / span) * 255) : 255;
    }
  }
  return { k, ids, quantized, lo, hi };
}

function quantizeSparse(k: number, ids: Uint32Array, scores: Float32Array, ptr: Uint32Array): NeighbourLists {
  const n = ptr.length - 1;
  const quantized = new Uint8Array(ids.length);
  const lo = new Float32Array(n);
  const hi = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let min = Infinity;
    let max = -Infinity;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) {
      if (scores[p] < min) min = scores[p];
      if (scores[p] > max) max = scores[p];
    }
    if (min === Infinity) min = max = 0;
    lo[i] = min;
    hi[i] = max;
    const span = max - min;
    for (let p = ptr[i]; p < ptr[i + 1]; p++) quantized[p] = span > 0 ? Math.round(((scores[p] - min) / span) * 255) : 255;
  }
  return { k, ids, ptr, quantized, lo, hi };
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
