/**
 * The worker's in-memory artifact cache. One instance per isolate:
 *  - the first requests share one load (exactly one decode): the request that starts it marks
 *    it, the others poll for the decoded catalogue with timers of their own (in-flight.ts). No
 *    promise, stream or I/O object crosses requests: workerd ties each to the request that
 *    created it, and a request awaiting another's can hang or fail;
 *  - the `current` pointer is re-checked at most every `recheckMs`, in the background,
 *    and a new version replaces the old one by a single reference assignment, so a
 *    request (which captures one Catalog at its start) never mixes versions;
 *  - a new version that fails to load or verify is remembered as bad (by its pointer's
 *    digest, so the same id published again with new bytes is tried again) and the previous
 *    one keeps serving; /healthz reports it as "degraded" with the error (health.ts);
 *  - a sharded version with a single object swaps to it in the background (progressive-loading.ts);
 *  - A/B treatment versions are loaded beside the current one (variants.ts);
 *  - failures, bounded by timeouts, are thrown as StoreErrors (store-error.ts) saying what to fix.
 */
import {
  ArtifactError,
  artifactKey,
  type CurrentPointer,
  decodeArtifact,
  decodeManifest,
  isManifest,
  shardCount,
  shardKey,
} from "../artifact/index.ts";
import { configOf, type Env } from "../config.ts";
import type { Catalog } from "./catalog.ts";
import { healthReport, type LoadError, loadErrorOf, type StoreHealth } from "./health.ts";
import { InFlight, pollFor } from "./in-flight.ts";
import { ProgressiveLoading } from "./progressive-loading.ts";
import { ServedArtifact } from "./served.ts";
import { ShardedCatalog, shardCacheBytesOf } from "./sharded.ts";
import { type ArtifactSource, sourceFor } from "./source.ts";
import { messageOf, noArtifact, StoreError, toStoreError } from "./store-error.ts";
import { withTimeout } from "./timeout.ts";
import { Variants } from "./variants.ts";

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/** The request's execution context, fetched lazily (looking it up is not free). */
type CtxGetter = () => WaitUntil | undefined;

export class ArtifactStore {
  private served: Catalog | null = null;
  /** Work some request has in flight: the first load, a pointer re-check (marks only, see in-flight.ts). */
  private readonly working = new InFlight<string>();
  private lastCheck = 0;
  private lastError: LoadError | null = null;
  /**
   * The pointer that failed to load (refusalKey: version + digest): not retried until the pointer
   * changes — another version, or the same id published again — or an admin reload.
   */
  private badPointer: string | null = null;
  private sourceName: "r2" | "kv" = "r2";
  /** The last failed first load (nothing served yet), to avoid retrying storage on every request. */
  private lastFailure: { at: number; error: unknown } | null = null;
  /** Version named by the pointer during the load in progress (for error reports). */
  private pointerVersion: string | undefined;
  private readonly variants = new Variants((source, pointer) => this.loadVersion(source, pointer));
  private readonly progressive: ProgressiveLoading;
  /** Byte budget of a sharded version's resident shards (SHARD_CACHE_MB), read at each load. */
  private shardCacheBytes = shardCacheBytesOf({});
  /** Number of artifact decodes this isolate has performed (a stampede must cause one). */
  decodes = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.progressive = new ProgressiveLoading(now);
  }

  /**
   * The artifact to serve this request from. Resolves immediately once loaded; schedules a
   * background pointer check when one is due.
   */
  current(env: Partial<Env>, ctx?: CtxGetter): Promise<Catalog> | Catalog {
    const served = this.served;
    if (served) {
      const config = configOf(env);
      if (!this.working.busy(CHECK, config.timeoutMs * 3) && this.now() - this.lastCheck >= config.recheckMs) {
        const check = this.refresh(env);
        ctx?.()?.waitUntil(check);
      }
      return served;
    }
    return this.firstLoad(env, ctx);
  }

  private firstLoad(env: Partial<Env>, ctx?: CtxGetter): Promise<Catalog> {
    const config = configOf(env);
    const waitMs = config.timeoutMs * 3;
    const loading = this.working.busy(FIRST_LOAD, waitMs);
    // Nothing loaded and the last attempt failed moments ago: answer from that failure rather
    // than hitting storage (or re-downloading a bad artifact) on every request.
    const failure = this.recentFailure(config.recheckMs);
    if (!loading && failure) return Promise.reject(toStoreError(failure.error));
    return loading ? this.awaitOtherFirstLoad(env, ctx, waitMs, config.recheckMs) : this.ownFirstLoad(env, ctx, waitMs);
  }

  private recentFailure(recheckMs: number): { at: number; error: unknown } | null {
    const failure = this.lastFailure;
    return failure && this.now() - failure.at < Math.min(recheckMs, 2000) ? failure : null;
  }

  /** Another request is loading the first version: poll for it, or load it ourselves if that load vanished. */
  private async awaitOtherFirstLoad(env: Partial<Env>, ctx: CtxGetter | undefined, waitMs: number, recheckMs: number): Promise<Catalog> {
    const served = await pollFor(
      () => this.served ?? undefined,
      () => this.working.busy(FIRST_LOAD, waitMs),
      waitMs,
    );
    if (served) return served;
    const failure = this.recentFailure(recheckMs);
    if (failure) throw toStoreError(failure.error);
    return this.ownFirstLoad(env, ctx, waitMs);
  }

  /** Loads the version the pointer names inside this request, bounded so it never hangs. */
  private ownFirstLoad(env: Partial<Env>, ctx: CtxGetter | undefined, waitMs: number): Promise<Catalog> {
    const token = this.working.begin(FIRST_LOAD);
    const load = this.loadFromPointer(env).finally(() => this.working.end(FIRST_LOAD, token));
    return withTimeout(load, waitMs, "artifact load").then(
      (catalog) => {
        // A sharded version is handed out before its checks finish; workerd cancels a request's
        // I/O when it ends, so this request, which started them, keeps them alive (e.g. a quick
        // /healthz), or the version would never be accepted.
        const checks = catalog instanceof ShardedCatalog ? catalog.pendingChecks() : null;
        if (checks) ctx?.()?.waitUntil(checks.catch(() => undefined));
        // Progressive loading runs in the background of this request too, like the checks.
        const upgrade = this.upgradeToSingle(env, catalog);
        if (upgrade) ctx?.()?.waitUntil(upgrade);
        return catalog;
      },
      (err) => {
        throw toStoreError(err);
      },
    );
  }

  private async loadFromPointer(env: Partial<Env>): Promise<Catalog> {
    try {
      const served = await this.loadCurrentVersion(env);
      this.lastFailure = null;
      return served;
    } catch (err) {
      this.lastFailure = { at: this.now(), error: err };
      if (!(err instanceof StoreError && err.kind === "no-artifact")) this.recordError(this.pointerVersion, err);
      throw err;
    }
  }

  private async loadCurrentVersion(env: Partial<Env>): Promise<Catalog> {
    const config = configOf(env);
    const source = sourceFor(env, config);
    this.sourceName = source.name;
    this.shardCacheBytes = shardCacheBytesOf(env);
    this.pointerVersion = undefined;
    const pointer = await source.pointer();
    this.lastCheck = this.now();
    if (!pointer) throw noArtifact(source.name);
    this.pointerVersion = pointer.version;
    const served = await this.loadVersion(source, pointer, true);
    // A sharded first load whose background checks already failed stays unserved.
    if (served instanceof ShardedCatalog && served.rejection !== undefined) throw served.rejection;
    this.served = served;
    this.lastError = null;
    return served;
  }

  private async loadVersion(source: ArtifactSource, pointer: Pick<CurrentPointer, "version" | "key" | "layout" | "shards"> & { bytes?: number }, early = false): Promise<Catalog> {
    const key = pointer.key || artifactKey(pointer.version);
    const fetchStarted = performance.now();
    // A single artifact's size is the pointer's `bytes`, which lets R2 read it as parallel ranges.
    const size = pointer.layout === "single" && typeof pointer.bytes === "number" && pointer.bytes > 0 ? pointer.bytes : undefined;
    const bytes = await source.bytes(key, size);
    if (!bytes) throw new ArtifactError(`version ${pointer.version} is missing its object ${key}`, "publish it again");
    const started = performance.now();
    const fetchMs = started - fetchStarted;
    this.decodes++;
    if (pointer.layout === "sharded" || isManifest(bytes)) {
      const sharded = await this.loadSharded(source, pointer, bytes, started, early);
      sharded.fetchMs = fetchMs;
      return sharded;
    }
    const artifact = await decodeArtifact(bytes);
    if (artifact.header.version !== pointer.version) {
      throw new ArtifactError(
        `object ${key} holds version ${artifact.header.version}, but the pointer names ${pointer.version}`,
        "publish again so the pointer and the object agree",
      );
    }
    const served = new ServedArtifact(artifact, this.now(), performance.now() - started, bytes.byteLength);
    served.fetchMs = fetchMs;
    return served;
  }

  /**
   * A sharded version is accepted only when its manifest verifies, every shard object
   * exists, and the shard that answers popularity decodes; other shards load on first use.
   * Those two checks run in parallel. On a first load (`early`: nothing served yet, so there
   * is no previous version to keep) the catalog is handed out as soon as the manifest verifies
   * and the checks run beside the first requests (ShardedCatalog.watchChecks): those answer
   * from shards each verified against the manifest, so a cold start waits for manifest → id
   * shard → data shard only (at 1M items, listing ~1,900 shard names took longer than that);
   * a failed check un-serves the version, and later requests get the 503 until it is fixed.
   */
  private async loadSharded(
    source: ArtifactSource,
    pointer: Pick<CurrentPointer, "version" | "shards">,
    bytes: Uint8Array,
    started: number,
    early = false,
  ): Promise<Catalog> {
    const manifest = await decodeManifest(bytes);
    if (manifest.header.version !== pointer.version) {
      throw new ArtifactError(`manifest holds version ${manifest.header.version}, but the pointer names ${pointer.version}`, "publish again");
    }
    const count = shardCount(manifest);
    const keys = pointer.shards?.length === count ? pointer.shards : Array.from({ length: count }, (_, i) => shardKey(pointer.version, i));
    const catalog = new ShardedCatalog(manifest, source, keys, this.now(), performance.now() - started, bytes.byteLength, () => this.decodes++, this.shardCacheBytes);
    const checks = Promise.all([
      source.missing(keys).then((missing) => {
        if (missing.length) throw new ArtifactError(`version ${pointer.version} is missing shard object(s) ${missing.slice(0, 3).join(", ")}`, "publish it again");
      }),
      Promise.resolve(catalog.shard(manifest.popularShard)).catch((err) => {
        throw new ArtifactError(`version ${pointer.version}: ${messageOf(err)}`, "publish it again");
      }),
    ]).then(() => undefined);
    if (!early) {
      await checks;
      return catalog;
    }
    catalog.watchChecks(
      checks.catch((err) => {
        if (this.served === catalog) this.served = null;
        this.lastFailure = { at: this.now(), error: err };
        this.recordError(pointer.version, err);
        throw toStoreError(err);
      }),
    );
    return catalog;
  }

  /**
   * Re-reads the pointer and swaps to a new version if it loads cleanly, inside the calling
   * request. While another request's check runs, a plain refresh leaves it to that one; a forced
   * one (admin reload) waits for it to finish, then checks again itself.
   */
  async refresh(env: Partial<Env>, force = false): Promise<void> {
    const waitMs = configOf(env).timeoutMs * 3;
    if (force) this.badPointer = null;
    if (this.working.busy(CHECK, waitMs)) {
      if (!force) return;
      await pollFor(() => undefined, () => this.working.busy(CHECK, waitMs), waitMs);
    }
    const token = this.working.begin(CHECK);
    let started: { upgrade: Promise<void> | null } | null;
    try {
      started = await this.check(env);
    } finally {
      this.working.end(CHECK, token);
    }
    // The swap to the single object runs on in this request (its waitUntil), after the check.
    if (started?.upgrade) await started.upgrade;
  }

  /** One pointer re-check; returns the new version's swap to its single object, when one started. */
  private async check(env: Partial<Env>): Promise<{ upgrade: Promise<void> | null } | null> {
    this.lastCheck = this.now();
    if (!this.served) {
      try {
        await this.firstLoad(env);
      } catch {
        // recorded; callers see the 503 on their own request
      }
      return null;
    }
    let pointer: CurrentPointer | null;
    const source = sourceFor(env, configOf(env));
    try {
      pointer = await source.pointer();
    } catch (err) {
      this.recordError(undefined, err);
      return null;
    }
    if (!pointer) {
      this.recordError(undefined, new Error(`the current pointer disappeared; still serving ${this.served.version}`));
      return null;
    }
    if (pointer.version === this.served.version) {
      this.lastError = null;
      this.badPointer = null;
      return null;
    }
    if (refusalKey(pointer) === this.badPointer) return null;
    try {
      this.served = await this.loadVersion(source, pointer);
      this.lastError = null;
      this.badPointer = null;
      // This check runs inside the request's waitUntil: so does the swap to the single object.
      return { upgrade: this.upgradeToSingle(env, this.served) };
    } catch (err) {
      if (!(err instanceof Error && err.name === "StorageError")) this.badPointer = refusalKey(pointer);
      this.recordError(pointer.version, err);
      return null;
    }
  }

  /** Starts the background swap of a sharded version to its single object (progressive-loading.ts), if it has one. */
  private upgradeToSingle(env: Partial<Env>, catalog: Catalog): Promise<void> | null {
    if (!(catalog instanceof ShardedCatalog) || !catalog.manifest.single) return null;
    return this.progressive.start(catalog, sourceFor(env, configOf(env)), {
      served: () => this.served,
      swap: (single) => {
        this.served = single;
      },
      decoded: () => {
        this.decodes++;
      },
    });
  }

  /**
   * A specific version (A/B treatment), loaded once; null when it failed, or while another
   * request loads it (that request's shoppers wait for it; the others get the control meanwhile).
   */
  variant(env: Partial<Env>, version: string, ctx?: CtxGetter): Catalog | Promise<Catalog | null> | null {
    const ready = this.variants.loaded(version);
    if (ready) return ready;
    if (this.served?.version === version) return this.served;
    return this.variants.load(() => sourceFor(env, configOf(env)), version, configOf(env).timeoutMs * 3, ctx);
  }

  private recordError(version: string | undefined, err: unknown): void {
    this.lastError = loadErrorOf(version, err, this.now());
  }

  health(env: Partial<Env>): StoreHealth {
    const config = configOf(env);
    const served = this.served;
    return healthReport({
      served,
      source: this.sourceName,
      lastCheck: this.lastCheck,
      lastError: this.lastError,
      decodes: this.decodes,
      upgrade: served instanceof ShardedCatalog ? this.progressive.stateOf(served) : undefined,
      upgradedFromShards: served instanceof ServedArtifact ? this.progressive.upgradedFromShards(served) : undefined,
      treatment: config.abVersion && config.abShare > 0 ? this.variants.status(config.abVersion, config.abShare, served) : undefined,
    });
  }
}

const FIRST_LOAD = "first-load";
const CHECK = "check";

/**
 * What a refusal is remembered by: the version and the digest of what its pointer names (or,
 * for pointers written before digests were recorded, when it was published). Publishing the
 * same id again with new bytes changes it, so the worker tries the new object.
 */
export function refusalKey(pointer: CurrentPointer): string {
  return `${pointer.version}@${pointer.sha256 ?? pointer.publishedAt ?? ""}@${pointer.bytes ?? ""}`;
}
