import type { ItemVectors, Recommender } from "./model.ts";
import { scoreMoments, type ScoreMoments } from "./score-moments.ts";

/**
 * A fitted recommender whose scores for a fixed set of users are kept after the first call, in
 * one Float32Array of users × items. Blend searches score the same members hundreds of times
 * (one validation pass per weight vector); remembering the rows of the users validation really
 * scores makes each pass cost the blend's arithmetic, not every member's scoring. Other users
 * and explicit histories (sessions, unknown users) are scored afresh. Without a user list every
 * user's row is remembered as it is first asked for (small catalogues and studies only).
 */
export class MemoScores implements Recommender {
  readonly name: string;
  private readonly slab?: Float32Array;
  /** Slot of each remembered user in the slab, and whether that slot is filled yet. */
  private readonly slotOf = new Map<number, number>();
  private readonly filled?: Uint8Array;
  /** Each filled slot's row, and its moments once asked for (blends scale every row by them). */
  private readonly kept: Array<(ScoreMoments & { row: Float32Array }) | undefined> = [];
  private readonly users?: Int32Array;
  /** Rows remembered as asked for, when no user list was given. */
  private readonly rows = new Map<number, Float32Array>();

  constructor(
    readonly inner: Recommender,
    users?: Int32Array,
    readonly nItems?: number,
  ) {
    this.name = inner.name;
    this.users = users;
    if (users && nItems !== undefined) {
      this.slab = new Float32Array(users.length * nItems);
      this.filled = new Uint8Array(users.length);
      users.forEach((u, k) => this.slotOf.set(u, k));
    }
    if (inner.itemVectors) this.itemVectors = () => inner.itemVectors!();
    if (inner.userVectors) this.userVectors = () => inner.userVectors!();
    if (inner.itemSimilarities) this.itemSimilarities = (item, out) => inner.itemSimilarities!(item, out);
  }

  itemVectors?: () => ItemVectors;
  userVectors?: () => ItemVectors;
  itemSimilarities?: (item: number, out: Float32Array) => void;

  /**
   * How many users' rows `members` memos over `nItems` items may hold within `maxBytes`
   * (Float32: 4 bytes a score). Sizing by the users validation scores, not every user, is what
   * lets a 5,000-user sample of a 12k-item catalogue be remembered (240 MB a member).
   */
  static usersWithin(maxBytes: number, members: number, nItems: number): number {
    return Math.floor(maxBytes / (4 * Math.max(1, members) * Math.max(1, nItems)));
  }

  async fit(): Promise<void> {
    throw new Error(`${this.name}: a memoised model is already fitted; fit the model it wraps instead`);
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    if (history) return this.inner.scoreUser(user, out, history);
    if (!this.slab) return this.scoreRemembered(user, out);
    const slot = out.length === this.nItems ? this.slotOf.get(user) : undefined;
    if (slot === undefined) return this.inner.scoreUser(user, out);
    out.set(this.slotRow(slot));
  }

  /**
   * A listed user's remembered row over `nItems` items, read in place (never write to it), with
   * its mean and standard deviation; undefined for users outside the list.
   */
  rememberedRow(user: number, nItems: number): (ScoreMoments & { row: Float32Array }) | undefined {
    const slot = this.slab && nItems === this.nItems ? this.slotOf.get(user) : undefined;
    if (slot === undefined) return undefined;
    let kept = this.kept[slot];
    if (!kept) {
      const row = this.slotRow(slot);
      kept = this.kept[slot] = { row, ...scoreMoments(row) };
    }
    return kept;
  }

  private slotRow(slot: number): Float32Array {
    const n = this.nItems!;
    const row = this.slab!.subarray(slot * n, (slot + 1) * n);
    if (!this.filled![slot]) {
      this.inner.scoreUser(this.users![slot], row);
      this.filled![slot] = 1;
    }
    return row;
  }

  private scoreRemembered(user: number, out: Float32Array): void {
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
