/**
 * Encoded JSON fragments, one per row, in one growable byte arena with per-row offsets: two
 * reads per cached row. Bounded (maxBytes): once full it keeps what it has and further rows are
 * written straight from their source (no churn; the set it holds is whatever was asked for first,
 * i.e. mostly the popular items, and a new version starts a new arena).
 */
export class FragmentArena {
  bytes: Uint8Array;
  used = 0;
  full = false;
  readonly start: Int32Array;
  readonly length: Int32Array;

  constructor(
    rows: number,
    private readonly maxBytes: number,
  ) {
    this.bytes = new Uint8Array(Math.min(256 * 1024, maxBytes));
    this.start = new Int32Array(rows).fill(-1);
    this.length = new Int32Array(rows);
  }

  /** Stores a fragment and returns its offset, or -1 when the arena is full. */
  add(row: number, fragment: Uint8Array): number {
    if (this.used + fragment.length > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < this.used + fragment.length) size *= 2;
      // The last step is clamped to the cap (doubling 16 → 32 MiB past a 24 MiB cap would
      // otherwise stop the arena at 16 MiB, two thirds of what it may hold).
      size = Math.min(size, this.maxBytes);
      if (size < this.used + fragment.length) {
        this.full = true;
        return -1;
      }
      const grown = new Uint8Array(size);
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    const at = this.used;
    this.bytes.set(fragment, at);
    this.used += fragment.length;
    this.start[row] = at;
    this.length[row] = fragment.length;
    return at;
  }
}
