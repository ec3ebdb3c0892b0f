/**
 * A copy of `s` that does not keep its source text alive. Substrings in V8 may be
 * views into the string they were cut from (here: a whole decoded 1 MiB block), so
 * storing one would keep the block in memory for as long as the id lives.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (" " + s).slice(1);
}

/** Canonical small non-negative integers ("0", "17", not "017") get a table slot instead of a Map entry. */
const MAX_TABLE_ID = 1 << 22;

function smallInt(s: string): number {
  const n = s.length;
  if (n === 0 || n > 7 || (n > 1 && s.charCodeAt(0) === 48)) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v < MAX_TABLE_ID ? v : -1;
}

/**
 * Maps the store's string ids to dense indexes in order of first appearance, growing as rows
 * are read. Numeric ids (MovieLens, ReChorus, competition files) skip string hashing.
 * (The worker's IdIndex, src/store/id-index.ts, only looks ids up in an artifact's fixed
 * string table; it never adds one.)
 */
export class IdInterner {
  readonly ids: string[] = [];
  private readonly index = new Map<string, number>();
  /** Index + 1 of small integer ids, 0 = not seen. */
  private table = new Int32Array(1024);

  /** An interner holding `ids` at their positions; they must be distinct. */
  static of(ids: readonly string[]): IdInterner {
    const interner = new IdInterner();
    for (const id of ids) interner.intern(id);
    if (interner.size !== ids.length) throw new Error(`IdInterner.of: ${ids.length - interner.size} duplicate id(s) in a list that must hold each id once`);
    return interner;
  }

  /** The index of `id`, adding it when new. */
  intern(id: string): number {
    const v = smallInt(id);
    if (v >= 0) {
      if (v >= this.table.length) {
        let cap = this.table.length;
        while (cap <= v) cap *= 2;
        const t = new Int32Array(Math.min(cap, MAX_TABLE_ID));
        t.set(this.table);
        this.table = t;
      }
      const slot = this.table[v];
      if (slot > 0) return slot - 1;
      const i = this.ids.length;
      this.ids.push(detach(id));
      this.table[v] = i + 1;
      return i;
    }
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      id = detach(id);
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }

  get(id: string): number | undefined {
    const v = smallInt(id);
    if (v >= 0) {
      const slot = v < this.table.length ? this.table[v] : 0;
      return slot > 0 ? slot - 1 : undefined;
    }
    return this.index.get(id);
  }

  get size(): number {
    return this.ids.length;
  }
}

/**
 * Growable parallel arrays of raw (not yet de-duplicated) interactions.
 * `source` remembers which input file each row came from, for per-file reports.
 */
export class InteractionBuffer {
  users = new Int32Array(1024);
  items = new Int32Array(1024);
  ratings = new Float32Array(1024);
  times = new Float64Array(1024);
  lines = new Int32Array(1024);
  length = 0;

  push(user: number, item: number, rating: number, time: number, line: number): void {
    if (this.length === this.users.length) this.grow();
    const n = this.length++;
    this.users[n] = user;
    this.items[n] = item;
    this.ratings[n] = rating;
    this.times[n] = time;
    this.lines[n] = line;
  }

  private grow(): void {
    const cap = this.users.length * 2;
    const g = <T extends Int32Array | Float32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.users = g(this.users, (n) => new Int32Array(n));
    this.items = g(this.items, (n) => new Int32Array(n));
    this.ratings = g(this.ratings, (n) => new Float32Array(n));
    this.times = g(this.times, (n) => new Float64Array(n));
    this.lines = g(this.lines, (n) => new Int32Array(n));
  }
}
