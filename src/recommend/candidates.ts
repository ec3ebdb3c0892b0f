/**
 * The items one request touches while summing neighbour lists, each with a dense slot:
 * an open-addressing hash table (item → slot) plus per-slot typed arrays. A basket of 10
 * touches ~200 items; keeping their scores in a few KB instead of catalogue-sized arrays
 * turns ~4 cache misses per candidate (mark, score, best, contributor over 100k items)
 * into none. Reused across requests (Scratch); `clear()` resets only what was used.
 */
/** Slot states: one of the request's own history/basket items (never recommended) … */
export const HISTORY = 1;
/** … refused by the request's filter or exclusions … */
export const BLOCKED = 2;
/** … or a candidate being scored. */
export const CANDIDATE = 3;

const EMPTY = -1;

export class CandidateTable {
  private keys = new Int32Array(0);
  private slotAt = new Int32Array(0);
  private mask = 0;
  private shift = 32;
  /** Slot → its position in `keys`, so clearing touches only used entries. */
  private positions = new Int32Array(0);
  items = new Uint32Array(0);
  state = new Uint8Array(0);
  scores = new Float64Array(0);
  /** Largest single contribution to the slot's score, and which history item gave it. */
  best = new Float64Array(0);
  contributor = new Uint32Array(0);
  count = 0;

  constructor() {
    this.allocate(32);
  }

  /** Empties the table and makes room for `maxItems` distinct items at load ≤ 1/2. */
  reset(maxItems: number): this {
    this.clear();
    if (maxItems > this.items.length) this.allocate(maxItems);
    return this;
  }

  private allocate(maxItems: number): void {
    let size = 64;
    let bits = 6;
    while (size < maxItems * 2) {
      size <<= 1;
      bits++;
    }
    this.keys = new Int32Array(size).fill(EMPTY);
    this.slotAt = new Int32Array(size);
    this.mask = size - 1;
    this.shift = 32 - bits;
    const slots = size >> 1;
    this.positions = new Int32Array(slots);
    this.items = new Uint32Array(slots);
    this.state = new Uint8Array(slots);
    this.scores = new Float64Array(slots);
    this.best = new Float64Array(slots);
    this.contributor = new Uint32Array(slots);
  }

  /** Slot of `item`, or -1. */
  find(item: number): number {
    const keys = this.keys;
    let p = Math.imul(item, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const key = keys[p];
      if (key === item) return this.slotAt[p];
      if (key === EMPTY) return -1;
      p = (p + 1) & this.mask;
    }
  }

  /** Adds `item` (known to be absent) and returns its new slot. */
  add(item: number, state: number): number {
    const keys = this.keys;
    let p = Math.imul(item, 0x9e3779b1) >>> this.shift;
    while (keys[p] !== EMPTY) p = (p + 1) & this.mask;
    const slot = this.count++;
    keys[p] = item;
    this.slotAt[p] = slot;
    this.positions[slot] = p;
    this.items[slot] = item;
    this.state[slot] = state;
    return slot;
  }

  clear(): void {
    const { keys, positions } = this;
    for (let s = 0; s < this.count; s++) keys[positions[s]] = EMPTY;
    this.count = 0;
  }
}
