import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { NONE } from "../../src/artifact/index.ts";
import { createRng } from "../util/rng.ts";
import { exactNeighbours, type NeighbourRows } from "./exact-neighbours.ts";

export interface ApproximateInput {
  /** nItems × dim (already normalised for cosine). */
  vectors: Float32Array;
  dim: number;
  k: number;
  /** Items allowed as neighbours. */
  candidates: Uint32Array;
  threads?: number;
  /** Items whose approximate lists are compared with exact ones (0 = skip). */
  recallSample: number;
  /** HNSW graph degree and beam widths (usearch's connectivity / expansion_add / expansion_search). */
  connectivity?: number;
  expansionAdd?: number;
  expansionSearch?: number;
  /** Search by the metric reduction of inner product (see approximateNeighbours; default annSettingsFor). */
  mips?: boolean;
  /** Re-rank exactly over the pool of items the index search found (default annSettingsFor). */
  poolRerank?: boolean;
  onPool?: (info: { poolSize: number; searchRecall: number }) => void;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AnnSettings {
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  mips: boolean;
  poolRerank: boolean;
}

/**
 * Index settings. Dot-product neighbour lists of trained item vectors are dominated by a few long
 * ("hub") items, and an HNSW search alone loses recall as the catalogue grows: 0.76–0.81 at 1M
 * items even with a search beam of 376 and degree 24, taking 22 minutes (docs/benchmarks.md, Scale).
 * A cheap graph search followed by an exact re-rank of every item over the pool of items the
 * search found gives 0.9995 at 1M in 7.5 minutes (pool: 301k items), and 0.997 at 50k, so the
 * graph stays cheap (usearch's defaults) and the re-rank does the rest.
 */
export function annSettingsFor(k: number): AnnSettings {
  return {
    connectivity: 16,
    expansionAdd: 128,
    expansionSearch: Math.max(84, 4 * k),
    mips: true,
    poolRerank: true,
  };
}

interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads: number): void;
  search(vectors: Float32Array, k: number, threads: number): { keys: BigUint64Array; distances: Float32Array; counts: BigUint64Array; k: number };
}

/**
 * Top-k neighbours by inner product for catalogues too large for the exact search: an HNSW index
 * (usearch) searched for every item, then (by default) an exact re-rank over the pool of items
 * that search found. Recall@k against the exact lists is measured on a random sample of items
 * so the build can print how much was given up.
 */
export async function approximateNeighbours(input: ApproximateInput): Promise<{ rows: NeighbourRows; recall: number; sampled: number }> {
  const { vectors, dim, k, candidates } = input;
  const n = vectors.length / dim;
  const threads = input.threads ?? availableParallelism();
  const usearch = createRequire(import.meta.url)("usearch") as { Index: new (config: object) => UsearchIndex };
  const scaled = annSettingsFor(k);
  const mips = input.mips ?? scaled.mips;
  // Inner product is not a distance, and an HNSW graph built on it degrades as the catalogue
  // grows (hub items with large norms crowd every list). The standard reduction to a metric
  // search (Bachrach et al. 2014): index [x, sqrt(M² − |x|²)], query [q, 0]; then the squared L2
  // distance is |q|² + M² − 2·q·x, so nearest in L2 = largest dot product.
  const indexDim = mips ? dim + 1 : dim;
  const maxNormSq = mips ? maxRowNormSq(vectors, dim, candidates) : 0;
  const index = new usearch.Index({
    dimensions: indexDim,
    metric: mips ? "l2sq" : "ip",
    connectivity: input.connectivity ?? scaled.connectivity,
    expansion_add: input.expansionAdd ?? scaled.expansionAdd,
    expansion_search: input.expansionSearch ?? scaled.expansionSearch,
  });
  const batch = 20_000;
  const total = candidates.length + n;
  const rowsBuffer = new Float32Array(batch * indexDim);
  for (let start = 0; start < candidates.length; start += batch) {
    const end = Math.min(candidates.length, start + batch);
    const keys = new BigUint64Array(end - start);
    for (let c = start; c < end; c++) {
      keys[c - start] = BigInt(candidates[c]);
      const row = vectors.subarray(candidates[c] * dim, candidates[c] * dim + dim);
      rowsBuffer.set(row, (c - start) * indexDim);
      if (mips) rowsBuffer[(c - start) * indexDim + dim] = Math.sqrt(Math.max(0, maxNormSq - normSq(row)));
    }
    index.add(keys, rowsBuffer.subarray(0, (end - start) * indexDim), threads);
    input.onProgress?.(end, total);
  }
  const ids = new Uint32Array(n * k).fill(NONE);
  const scores = new Float32Array(n * k);
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch);
    let queries = vectors.subarray(start * dim, end * dim);
    if (mips) {
      rowsBuffer.fill(0);
      for (let q = start; q < end; q++) rowsBuffer.set(vectors.subarray(q * dim, q * dim + dim), (q - start) * indexDim);
      queries = rowsBuffer.subarray(0, (end - start) * indexDim);
    }
    const found = index.search(queries, k + 1, threads);
    for (let q = start; q < end; q++) {
      const base = (q - start) * found.k;
      const count = Number(found.counts[q - start]);
      let w = 0;
      for (let j = 0; j < count && w < k; j++) {
        const id = Number(found.keys[base + j]);
        if (id === q) continue;
        ids[q * k + w] = id;
        scores[q * k + w] = mips ? dot(vectors, q * dim, id * dim, dim) : 1 - found.distances[base + j];
        w++;
      }
    }
    input.onProgress?.(candidates.length + end, total);
  }
  const sample = await exactSample(input, threads);
  let rows: NeighbourRows = { k, ids, scores };
  if (input.poolRerank ?? scaled.poolRerank) {
    // Dot-product neighbour lists are dominated by a few long ("hub") items, so the union of all
    // lists the index found is a small pool that holds nearly every true neighbour; an exact
    // search of every item over that pool (the SIMD kernel) recovers what the graph search missed.
    const pool = poolOf(ids);
    const searchRecall = recallOf(sample, rows);
    rows = await exactNeighbours({ vectors, dim, k, candidates: pool, threads });
    input.onPool?.({ poolSize: pool.length, searchRecall });
  }
  return { rows, recall: recallOf(sample, rows), sampled: sample.sampled };
}

/** Every distinct id in the lists, ascending. */
function poolOf(ids: Uint32Array): Uint32Array {
  const seen = new Set<number>();
  for (const id of ids) if (id !== NONE) seen.add(id);
  return Uint32Array.from(seen).sort();
}

interface ExactSample {
  sampled: number;
  /** Item index of each sampled row. */
  items: Uint32Array;
  exact: NeighbourRows;
}

/** Exact top-k lists of a random sample of items, the yardstick for recall. */
async function exactSample(input: ApproximateInput, threads: number): Promise<ExactSample> {
  const { vectors, dim, k, candidates } = input;
  const n = vectors.length / dim;
  const sampled = Math.min(n, input.recallSample);
  if (sampled === 0) return { sampled: 0, items: new Uint32Array(0), exact: { k, ids: new Uint32Array(0), scores: new Float32Array(0) } };
  const rng = createRng(input.seed ?? 1);
  const chosen = new Set<number>();
  while (chosen.size < sampled) chosen.add(rng.int(n));
  const items = Uint32Array.from(chosen);
  // Exact search with the sampled items as the only queries: give them as the first rows.
  const queries = new Float32Array(sampled * dim);
  items.forEach((q, r) => queries.set(vectors.subarray(q * dim, q * dim + dim), r * dim));
  const exact = await exactNeighbours({ vectors: queries, dim, k, candidates, threads, queryIds: items, candidateVectors: vectors });
  return { sampled, items, exact };
}

/** Mean share of the exact top-k that `rows` found, over the sample (NaN without a sample). */
function recallOf(sample: ExactSample, rows: NeighbourRows): number {
  const { k } = rows;
  if (sample.sampled === 0) return NaN;
  let hits = 0;
  let wanted = 0;
  for (let r = 0; r < sample.sampled; r++) {
    const q = sample.items[r];
    const approx = new Set(rows.ids.subarray(q * k, q * k + k));
    for (let j = 0; j < k; j++) {
      const e = sample.exact.ids[r * k + j];
      if (e === NONE) continue;
      wanted++;
      if (approx.has(e)) hits++;
    }
  }
  return wanted ? hits / wanted : 1;
}

function normSq(row: Float32Array): number {
  let s = 0;
  for (let d = 0; d < row.length; d++) s += row[d] * row[d];
  return s;
}

function maxRowNormSq(vectors: Float32Array, dim: number, rows: Uint32Array): number {
  let max = 0;
  for (const r of rows) max = Math.max(max, normSq(vectors.subarray(r * dim, r * dim + dim)));
  return max;
}

function dot(vectors: Float32Array, a: number, b: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += vectors[a + d] * vectors[b + d];
  return s;
}
