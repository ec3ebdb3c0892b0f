/**
 * The isolate's copy of the trending list (KV, `edgerec trending` publishes it often): re-read
 * at most every MERCH_RECHECK_SECONDS in the background, like the overlay. A failed read keeps
 * the copy in force; none at all means the route falls back to popular items.
 */
import { readTrending, TRENDING_KEY, type TrendingDocument } from "../artifact/index.ts";
import type { Env } from "../config.ts";

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

export class TrendingStore {
  private doc: TrendingDocument | null = null;
  private loaded = false;
  private lastCheck = -Infinity;
  private inflight: Promise<TrendingDocument | null> | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  current(env: Partial<Env>, ctx?: () => WaitUntil | undefined): TrendingDocument | null | Promise<TrendingDocument | null> {
    if (!env.KV) return null;
    const recheck = Number(env.MERCH_RECHECK_SECONDS ?? 30) * 1000;
    const due = this.now() - this.lastCheck >= (Number.isFinite(recheck) ? recheck : 30_000);
    if (this.loaded) {
      if (due && !this.inflight) ctx?.()?.waitUntil(this.refresh(env));
      return this.doc;
    }
    return this.inflight ?? this.refresh(env);
  }

  private refresh(env: Partial<Env>): Promise<TrendingDocument | null> {
    this.lastCheck = this.now();
    this.inflight = env
      .KV!.get(TRENDING_KEY, "text")
      .then(readTrending)
      .then(
        (doc) => {
          this.doc = doc;
          this.loaded = true;
          return doc;
        },
        (err) => {
          console.warn(`edgerec: reading the trending list failed (${err instanceof Error ? err.message : String(err)}); keeping the previous one`);
          this.loaded = true;
          return this.doc;
        },
      )
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }
}
