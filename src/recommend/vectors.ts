import { fromFloat16Bits, type QuantizedVectors } from "../artifact/index.ts";

/** query · vector i, reading the quantised storage directly (no dequantised copy). */
export function dotWith(v: QuantizedVectors, i: number, query: Float32Array): number {
  const dim = v.dim;
  const base = i * dim;
  let sum = 0;
  if (v.encoding === "int8") {
    const data = v.int8!;
    for (let j = 0; j < dim; j++) sum += data[base + j] * query[j];
    return sum * v.scale![i];
  }
  const data = v.float16!;
  for (let j = 0; j < dim; j++) sum += halfToFloat(data[base + j]) * query[j];
  return sum;
}

// A 64k-entry table turns float16 reads into one lookup; built on first use (256 KiB).
let HALF: Float32Array | undefined;
function halfToFloat(h: number): number {
  if (!HALF) {
    HALF = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) HALF[i] = fromFloat16Bits(i);
  }
  return HALF[h];
}
