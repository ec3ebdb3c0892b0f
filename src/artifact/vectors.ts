/** Dense item and user vectors as stored: int8 with a scale per vector, or float16 bits. */
/** Dense vectors quantised to int8 with a scale per vector, or stored as float16 bits. */
export interface QuantizedVectors {
  dim: number;
  encoding: "int8" | "float16";
  /** int8: n·dim values, vector i ≈ data[i·dim+j] · scale[i]. */
  int8?: Int8Array;
  scale?: Float32Array;
  /** float16: n·dim IEEE half-precision bit patterns. */
  float16?: Uint16Array;
}

/** Writes vector i (dequantised) into `out` (length dim). */
export function readVector(v: QuantizedVectors, i: number, out: Float32Array): Float32Array {
  const base = i * v.dim;
  if (v.encoding === "int8") {
    const s = v.scale![i];
    for (let j = 0; j < v.dim; j++) out[j] = v.int8![base + j] * s;
  } else {
    for (let j = 0; j < v.dim; j++) out[j] = fromFloat16Bits(v.float16![base + j]);
  }
  return out;
}

export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function vectorCount(v: QuantizedVectors): number {
  const data = v.encoding === "int8" ? v.int8 : v.float16;
  if (!data || !(v.dim > 0)) return -1;
  if (v.encoding === "int8" && (!v.scale || v.scale.length * v.dim !== data.length)) return -1;
  return data.length / v.dim;
}

// vectorCount (-1 for a malformed section) serves the decoders' shape checks in this folder; index.ts does not re-export it.
export { vectorCount };
