import type { Artifact } from "../artifact/index.ts";
import { CandidateTable } from "./candidates.ts";
import { TopK } from "./top-k.ts";

/** Most results any recommender returns in one call. */
export const MAX_K = 200;

/**
 * Per-artifact working memory, made once and reused by every request: marks over all items,
 * the table of candidates a neighbour sum touches, and for the vector scorer the touched items
 * and their strongest history link (for reasons).
 * Requests in one isolate run one at a time (the recommenders never await), so sharing is safe.
 */
export interface Scratch {
  candidates: CandidateTable;
  /** Reason strings by candidate slot (undefined after each request). */
  reasons: (string | undefined)[];
  /** Largest single link of item i to the history, and which history item gave it. */
  best: Float64Array;
  contributor: Uint32Array;
  mark: Uint8Array;
  touched: Uint32Array;
  top: TopK;
  outIds: Uint32Array;
  outScores: Float64Array;
  vector: Float32Array;
}

const scratches = new WeakMap<Artifact, Scratch>();

export function scratchFor(artifact: Artifact): Scratch {
  let s = scratches.get(artifact);
  if (!s) {
    const n = artifact.header.counts.items;
    s = {
      candidates: new CandidateTable(),
      reasons: [],
      best: new Float64Array(n),
      contributor: new Uint32Array(n),
      mark: new Uint8Array(n),
      touched: new Uint32Array(n),
      top: new TopK(MAX_K),
      outIds: new Uint32Array(MAX_K),
      outScores: new Float64Array(MAX_K),
      vector: new Float32Array(Math.max(artifact.itemVectors?.dim ?? 0, artifact.users.vectors?.dim ?? 0, 1)),
    };
    scratches.set(artifact, s);
  }
  return s;
}

export function clampK(k: number | undefined, fallback = 10): number {
  if (k === undefined || !Number.isFinite(k)) return fallback;
  return Math.max(0, Math.min(MAX_K, Math.floor(k)));
}
