import type { CsrMatrix } from "../data/matrix.ts";
import type { FitInput, Recommender } from "./model.ts";
import { requireFitted } from "./model-helpers.ts";

/** Scores every item by how many users interacted with it positively in training; the same list for everyone. */
export class PopularityModel implements Recommender {
  readonly name = "popularity";
  private counts?: Float32Array;

  constructor(_params: Record<string, unknown> = {}) {}

  async fit(input: FitInput): Promise<void> {
    const m: CsrMatrix = input.interactions;
    const counts = new Float32Array(m.nCols);
    for (let p = 0; p < m.indices.length; p++) if (m.data[p] > 0) counts[m.indices[p]] += 1;
    this.counts = counts;
  }

  scoreUser(_user: number, out: Float32Array): void {
    out.set(requireFitted(this.counts, this.name));
  }

  /** Interaction counts per item (for the artifact's popular list). */
  popularity(): Float32Array {
    return requireFitted(this.counts, this.name);
  }

  params(): Record<string, unknown> {
    return {};
  }
}
