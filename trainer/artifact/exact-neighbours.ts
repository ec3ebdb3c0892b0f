import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { simdKernelBytes } from "./simd-kernel.ts";
import { KERNEL_FUNCTIONS, simdSetup, type SimdState, topKRows, topKRowsSimd } from "./topk-kernel.ts";

export interface NeighbourSearchInput {
  /** nItems × dim, row-major (already normalised when the metric is cosine). */
  vectors: Float32Array;
  dim: number;
  k: number;
  /** Items allowed as neighbours (default: all). Every row of `vectors` gets a row of output. */
  candidates?: Uint32Array;
  /**
   * When the query rows are not the catalogue itself (e.g. a sample): the item index of each
   * query row (so it is not its own neighbour) and the catalogue matrix candidates index into.
   */
  queryIds?: Uint32Array;
  candidateVectors?: Float32Array;
  threads?: number;
  /** Use the WebAssembly SIMD kernel (default true; plain JS when false or when wasm SIMD is unavailable). */
  simd?: boolean;
  /** Below this many dot products, stay on the calling thread (workers cost ~50 ms to start). */
  minParallelWork?: number;
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
}

export interface NeighbourRows {
  k: number;
  /** nItems × k, best first, 0xffffffff padding. */
  ids: Uint32Array;
  scores: Float32Array;
}

const WORKER_MAIN = `
const { parentPort, workerData: w } = require("node:worker_threads");
let st = null;
if (w.wasm) { try { st = simdSetup(w.wasm, w.cand, w.dim); } catch (e) { st = null; } }
parentPort.on("message", (m) => {
  if (st) topKRowsSimd(st, w.queries, w.queryIds, w.candIds, w.dim, w.k, m.start, m.end, w.outIds, w.outScores);
  else topKRows(w.queries, w.queryIds, w.cand, w.candIds, w.dim, w.k, m.start, m.end, w.outIds, w.outScores);
  parentPort.postMessage(m.end - m.start);
});
`;

/** The SIMD kernel's bytes when this runtime can compile it, else undefined (plain JS then). */
export function simdAvailable(): Uint8Array<ArrayBuffer> | undefined {
  try {
    const bytes = simdKernelBytes();
    new WebAssembly.Module(bytes);
    return bytes;
  } catch {
    return undefined;
  }
}

function workerSource(): string {
  // esbuild's keepNames may wrap functions in __name(...); make it a no-op.
  return "var __name = (f) => f;\n" + KERNEL_FUNCTIONS.map((f) => f.toString()).join("\n") + WORKER_MAIN;
}

function shared<T extends Float32Array | Uint32Array>(arr: T): T {
  const Ctor = arr.constructor as { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new Ctor(new SharedArrayBuffer(Math.max(1, arr.length) * Ctor.BYTES_PER_ELEMENT));
  (out as unknown as { set(a: ArrayLike<number>): void }).set(arr);
  return arr.length === 0 ? (out.subarray(0, 0) as T) : out;
}

/** Row i scaled to unit length (zero rows stay zero), for cosine similarity as a dot product. */
export function normalizeRows(vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(vectors.length);
  for (let i = 0; i < vectors.length; i += dim) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += vectors[i + d] * vectors[i + d];
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) out[i + d] = vectors[i + d] * inv;
  }
  return out;
}

/**
 * Exact top-K neighbours of every item by dot product, split over worker threads in chunks
 * (small inputs run on the calling thread: starting workers costs more than they save).
 */
export async function exactNeighbours(input: NeighbourSearchInput): Promise<NeighbourRows> {
  const { vectors, dim, k } = input;
  const n = vectors.length / dim;
  const catalogue = input.candidateVectors ?? vectors;
  const candIds = input.candidates ?? Uint32Array.from({ length: catalogue.length / dim }, (_, i) => i);
  const cand = new Float32Array(candIds.length * dim);
  for (let c = 0; c < candIds.length; c++) cand.set(catalogue.subarray(candIds[c] * dim, candIds[c] * dim + dim), c * dim);
  const queryIds = input.queryIds ?? Uint32Array.from({ length: n }, (_, i) => i);
  const threads = Math.max(1, Math.min(input.threads ?? availableParallelism(), 16));
  const work = n * candIds.length;
  const wasm = input.simd === false ? undefined : simdAvailable();
  if (threads === 1 || work < (input.minParallelWork ?? 4e7)) {
    const outIds = new Uint32Array(n * k);
    const outScores = new Float32Array(n * k);
    const chunk = 512;
    let st: SimdState | undefined;
    if (wasm && candIds.length > 0) st = simdSetup(wasm, cand, dim);
    for (let start = 0; start < n; start += chunk) {
      const end = Math.min(n, start + chunk);
      if (st) topKRowsSimd(st, vectors, queryIds, candIds, dim, k, start, end, outIds, outScores);
      else topKRows(vectors, queryIds, cand, candIds, dim, k, start, end, outIds, outScores);
      input.onProgress?.(end, n);
    }
    return { k, ids: outIds, scores: outScores };
  }
  const data = {
    queries: shared(vectors),
    queryIds: shared(queryIds),
    cand: shared(cand),
    candIds: shared(candIds),
    dim,
    k,
    outIds: shared(new Uint32Array(n * k)),
    outScores: shared(new Float32Array(n * k)),
    wasm: candIds.length > 0 ? wasm : undefined,
  };
  const source = workerSource();
  const workers = Array.from({ length: threads }, () => new Worker(source, { eval: true, workerData: data }));
  const chunk = Math.max(16, Math.min(1024, Math.ceil(n / (threads * 16) / 16) * 16));
  let next = 0;
  let done = 0;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (next >= n) return resolve();
              const start = next;
              next = Math.min(n, next + chunk);
              worker.postMessage({ start, end: next });
            };
            worker.on("message", (rows: number) => {
              done += rows;
              input.onProgress?.(done, n);
              give();
            });
            worker.on("error", reject);
            worker.on("exit", (code) => code !== 0 && reject(new Error(`neighbour worker exited with code ${code}`)));
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { k, ids: new Uint32Array(data.outIds), scores: new Float32Array(data.outScores) };
}
