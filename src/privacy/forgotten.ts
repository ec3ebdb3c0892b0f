/**
 * The shoppers this isolate must serve as unknown: the KV tombstones (privacy/tombstone-keys.ts),
 * listed once before the first user-specific answer, then re-listed in the background every
 * FORGET_RECHECK_SECONDS (30 s by default, at most 60). A tombstone written through this isolate
 * (DELETE /v1/admin/users/:id) joins the set at once, before the KV write is even visible.
 *
 * If the very first listing fails, user-specific requests get 503 + Retry-After rather than a
 * personalised answer that might belong to a forgotten shopper; a failed re-read keeps the last set.
 */
import { configOf, type Env } from "../config.ts";
import { ProblemError } from "../http/problem.ts";
import { withTimeout } from "../store/timeout.ts";
import { FORGET_PREFIX, type Tombstone, tombstoneKey, userOfTombstoneKey } from "../artifact/index.ts";

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

export class ForgottenShoppers {
  private ids: Set<string> | undefined;
  /** Added here since the last listing started: kept even if that listing does not show them yet. */
  private local = new Set<string>();
  private loadedAt = 0;
  private loading: Promise<Set<string>> | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** The forgotten ids, synchronously when a listing is at hand (a stale one triggers a background re-read). */
  current(env: Partial<Env>, ctx?: () => WaitUntil | undefined): ReadonlySet<string> | Promise<ReadonlySet<string>> {
    if (!this.ids) return this.load(env);
    if (!this.loading && this.now() - this.loadedAt >= configOf(env).forgetRecheckMs) {
      const reread = this.load(env).catch((err) => {
        console.warn("edgerec: re-reading forgotten-shopper tombstones failed; keeping the last list", err);
      });
      ctx?.()?.waitUntil(reread);
    }
    return this.ids;
  }

  /** True when `id` must be served as an unknown shopper. */
  has(env: Partial<Env>, id: string, ctx?: () => WaitUntil | undefined): boolean | Promise<boolean> {
    const set = this.current(env, ctx);
    return set instanceof Promise ? set.then((s) => s.has(id)) : set.has(id);
  }

  /** Writes the tombstone to KV and applies it on this isolate immediately. */
  async forget(env: Env, id: string, at: Date = new Date()): Promise<Tombstone> {
    const tombstone: Tombstone = { forgottenAt: at.toISOString() };
    this.local.add(id);
    this.ids?.add(id);
    await env.KV.put(tombstoneKey(id), JSON.stringify(tombstone));
    return tombstone;
  }

  private load(env: Partial<Env>): Promise<Set<string>> {
    if (this.loading) return this.loading;
    const started = this.now();
    const pending = (async () => {
      const ids = new Set<string>();
      // Tombstones live in KV: with no KV binding there can be none (and none can be written).
      if (!env.KV) return ids;
      let cursor: string | undefined;
      do {
        const page: KVNamespaceListResult<unknown> = await withTimeout(
          env.KV.list({ prefix: FORGET_PREFIX, cursor }),
          configOf(env).timeoutMs,
          "listing forgotten-shopper tombstones",
        );
        for (const key of page.keys) {
          const id = userOfTombstoneKey(key.name);
          if (id !== undefined) ids.add(id);
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      // A tombstone written here stays in force even while KV's listing does not show it yet.
      for (const id of this.local) {
        if (ids.has(id)) this.local.delete(id);
        else ids.add(id);
      }
      return ids;
    })();
    this.loading = pending.then(
      (ids) => {
        this.ids = ids;
        this.loadedAt = started;
        this.loading = undefined;
        return ids;
      },
      (err) => {
        this.loading = undefined;
        if (this.ids) throw err;
        throw new ProblemError(503, "tombstones-unavailable", "Service unavailable", `Could not read the forgotten-shopper list from KV (${(err as Error).message}); retry shortly.`, undefined, {
          "retry-after": "5",
        });
      },
    );
    return this.loading;
  }
}
