/**
 * A reusable bounded min-heap of (item, score): keeps the k best offers, best first on drain.
 * Lives in typed arrays owned by the caller's scratch, so a request allocates only its result.
 */
export class TopK {
  private readonly ids: Uint32Array;
  private readonly scores: Float64Array;
  private size = 0;
  private k = 0;

  constructor(capacity: number) {
    this.ids = new Uint32Array(Math.max(1, capacity));
    this.scores = new Float64Array(Math.max(1, capacity));
  }

  get capacity(): number {
    return this.ids.length;
  }

  reset(k: number): void {
    this.k = Math.min(k, this.ids.length);
    this.size = 0;
  }

  /** Lowest score kept so far, or -Infinity while the heap is not full. */
  threshold(): number {
    return this.size < this.k ? -Infinity : this.scores[0];
  }

  offer(id: number, score: number): void {
    if (this.k === 0 || !(score === score)) return;
    if (this.size < this.k) {
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!this.worse(score, id, this.scores[p], this.ids[p])) break;
        this.ids[c] = this.ids[p];
        this.scores[c] = this.scores[p];
        c = p;
      }
      this.ids[c] = id;
      this.scores[c] = score;
      return;
    }
    if (!this.worse(this.scores[0], this.ids[0], score, id)) return;
    this.replaceRoot(id, score);
  }

  /** Empties the heap into (ids, scores) best first; returns the count. Ties: lower index first. */
  drain(outIds: Uint32Array, outScores: Float64Array): number {
    const n = this.size;
    for (let w = n - 1; w >= 0; w--) {
      outIds[w] = this.ids[0];
      outScores[w] = this.scores[0];
      const lastId = this.ids[--this.size];
      this.replaceRoot(lastId, this.scores[this.size]);
    }
    return n;
  }

  /** Puts (id, score) at the root and sifts it down to its place. */
  private replaceRoot(id: number, score: number): void {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      let m = l;
      if (r < this.size && this.worse(this.scores[r], this.ids[r], this.scores[l], this.ids[l])) m = r;
      if (!this.worse(this.scores[m], this.ids[m], score, id)) break;
      this.ids[i] = this.ids[m];
      this.scores[i] = this.scores[m];
      i = m;
    }
    this.ids[i] = id;
    this.scores[i] = score;
  }

  private worse(sa: number, ia: number, sb: number, ib: number): boolean {
    return sa < sb || (sa === sb && ia > ib);
  }
}
