import type { CsrMatrix } from "../data/matrix.ts";

/**
 * How a row's feature weights are scaled:
 * - "none": identity 1, every metadata feature at its stored value;
 * - "l1": the whole row sums to 1 (LightFM's advice when identity and metadata are mixed);
 * - "split": identity 1, metadata scaled to sum to `metadataWeight` (rich metadata cannot drown the identity).
 */
export type FeatureNormalization = "none" | "l1" | "split";

/**
 * The rows a LightFM-style model learns from: identity feature `r` (column r) plus metadata
 * feature j (column nRows + j). Rows without training interactions get no identity feature:
 * an untrained identity embedding is noise, so cold rows are scored from metadata alone.
 */
export function withIdentity(
  nRows: number,
  metadata: CsrMatrix | undefined,
  hasInteractions: Uint8Array,
  normalization: FeatureNormalization,
  metadataWeight = 1,
): CsrMatrix {
  if (metadata && metadata.nRows !== nRows) {
    throw new RangeError(`feature matrix has ${metadata.nRows} rows but there are ${nRows} users/items; build features over the same id space`);
  }
  const nMeta = metadata ? metadata.nCols : 0;
  const indptr = new Int32Array(nRows + 1);
  let nnz = 0;
  for (let r = 0; r < nRows; r++) {
    nnz += hasInteractions[r] ? 1 : 0;
    if (metadata) nnz += metadata.indptr[r + 1] - metadata.indptr[r];
  }
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let w = 0;
  for (let r = 0; r < nRows; r++) {
    const start = w;
    let metaSum = 0;
    if (hasInteractions[r]) {
      indices[w] = r;
      data[w++] = 1;
    }
    const metaStart = w;
    if (metadata) {
      for (let p = metadata.indptr[r]; p < metadata.indptr[r + 1]; p++) {
        indices[w] = nRows + metadata.indices[p];
        data[w] = metadata.data[p];
        metaSum += Math.abs(metadata.data[p]);
        w++;
      }
    }
    if (normalization === "l1") {
      let sum = 0;
      for (let p = start; p < w; p++) sum += Math.abs(data[p]);
      if (sum > 0) for (let p = start; p < w; p++) data[p] /= sum;
    } else if (normalization === "split" && metaSum > 0) {
      for (let p = metaStart; p < w; p++) data[p] = (data[p] / metaSum) * metadataWeight;
    }
    indptr[r + 1] = w;
  }
  return { nRows, nCols: nRows + nMeta, indptr, indices, data };
}
