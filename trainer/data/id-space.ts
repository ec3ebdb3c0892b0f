/**
 * A copy of `s` that does not keep its source text alive. Substrings in V8 may be
 * views into the string they were cut from (here: a whole decoded 1 MiB block), so
 * storing one would keep the block in memory for as long as the id lives.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (" " + s).slice(1);
}

/** Maps the store's string ids to dense indexes in order of first appearance. */
export class IdIndex {
  readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  /** The index of `id`, adding it when new. */
  intern(id: string): number {
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
