import type { ItemVectors, Recommender } from "./model.ts";

/**
 * A fitted recommender whose scores for training users are kept after the first call. Blend
 * searches score the same members hundreds of times (one validation pass per weight vector);
 * remembering them makes each pass cost the blend's arithmetic, not every member's scoring.
 * Explicit histories (sessions, unknown users) are always scored afresh.
 */
export class MemoScores implements Recommender {
  readonly name: string;
  private readonly rows = new Map<number, Float32Array>();

  constructor(readonly inner: Recommender) {
    this.name = inner.name;
    if (inner.itemVectors) this.itemVectors = () => inner.itemVectors!();
    if (inner.userVectors) this.userVectors = () => inner.userVectors!();
    if (inner.itemSimilarities) this.itemSimilarities = (item, out) => inner.itemSimilarities!(item, out);
  }

  itemVectors?: () => ItemVectors;
  userVectors?: () => ItemVectors;
  itemSimilarities?: (item: number, out: Float32Array) => void;

  /** Whether remembering every user's row stays under `maxFloats` floats per member. */
  static affordable(nUsers: number, nItems: number, maxFloats = 8_000_000): boolean {
    return nUsers * nItems <= maxFloats;
  }

  async fit(): Promise<void> {
    throw new Error(`${this.name}: a memoised model is already fitted; fit the model it wraps instead`);
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    if (history) return this.inner.scoreUser(user, out, history);
    let row = this.rows.get(user);
    if (!row || row.length !== out.length) {
      row = new Float32Array(out.length);
      this.inner.scoreUser(user, row);
      this.rows.set(user, row);
    }
    out.set(row);
  }

  params(): Record<string, unknown> {
    return this.inner.params();
  }
}
