import type { NeighbourRows } from "./exact-neighbours.ts";

export interface ApproximateInput {
  vectors: Float32Array;
  dim: number;
  k: number;
  candidates: Uint32Array;
  threads?: number;
  recallSample: number;
  onProgress?: (done: number, total: number) => void;
}

export async function approximateNeighbours(_input: ApproximateInput): Promise<{ rows: NeighbourRows; recall: number; sampled: number }> {
  throw new Error("approximate neighbours are not implemented yet");
}
