/**
 * Work one request started that other requests may wait for, without ever touching its promise.
 *
 * workerd ties every promise, stream and I/O object to the request that created it: a request
 * awaiting a promise another request created can hang (its continuation is bound to a context
 * that may already be gone: "the runtime detected that your Worker's code had hung") or fail
 * ("Cannot perform I/O on behalf of a different request"). So the isolate shares decoded data
 * only. A request that finds the work in flight polls for its result with timers of its own, and
 * when the other request's work does not finish within a bound (that request may have been
 * cancelled mid-load), it does the work itself.
 */
export class InFlight<K> {
  /** When each key's work began (by the clock passed in) and a token naming who began it. */
  private readonly started = new Map<K, { at: number; token: symbol }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Marks `key` as being worked on by the caller; pass the token to `end`. */
  begin(key: K): symbol {
    const token = Symbol(String(key));
    this.started.set(key, { at: this.now(), token });
    return token;
  }

  /** Clears the mark, unless someone else took the work over since. */
  end(key: K, token: symbol): void {
    if (this.started.get(key)?.token === token) this.started.delete(key);
  }

  /** Whether another request is working on `key` and began less than `staleMs` ago. */
  busy(key: K, staleMs: number): boolean {
    const s = this.started.get(key);
    return s !== undefined && this.now() - s.at < staleMs;
  }

  /** How many keys are marked (stale ones included). */
  get size(): number {
    return this.started.size;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it yields a value, `pending()` turns false, or about `maxMs` of sleeping
 * has passed; returns the value or undefined. The time is counted from the sleeps themselves,
 * so a frozen or injected clock cannot make it spin forever.
 */
export async function pollFor<T>(probe: () => T | undefined, pending: () => boolean, maxMs: number): Promise<T | undefined> {
  let slept = 0;
  let step = 1;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (!pending() || slept >= maxMs) return undefined;
    await sleep(step);
    slept += step;
    step = Math.min(step * 2, 20);
  }
}
