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
 *    one keeps serving; /healthz reports it as "degraded" with the error;
 *  - storage failures become 503 problems with Retry-After, bounded by timeouts.
 */
import {
  ArtifactError,
  artifactKey,
  type CurrentPointer,
  decodeArtifact,
  decodeManifest,
  isManifest,
  manifestKey,
  shardCount,
  shardKey,
} from "../artifact/index.ts";
import { configOf, type Env } from "../config.ts";
import { ProblemError } from "../http/problem.ts";
import type { Catalog } from "./catalog.ts";
import { ServedArtifact } from "./served.ts";
import { loadSingleOf, singleReadable, type UpgradedFromShards, type UpgradeState } from "./single-upgrade.ts";
import { type ShardLoad, ShardedCatalog, shardCacheBytesOf } from "./sharded.ts";
import { InFlight, pollFor } from "./in-flight.ts";
import { type ArtifactSource, PointerError, sourceFor } from "./source.ts";
import { withTimeout } from "./timeout.ts";

export const PUBLISH_HINT = "npx edgerec publish <artifact.bin> --local";
/** For a pointer the worker cannot read: both commands rewrite it (rollback checks the version first). */
export const POINTER_HINT = "npx edgerec rollback <version> --local";
const RETRY_AFTER_SECONDS = "5";

export interface LoadError {
  version?: string;
  message: string;
  at: string;
}

export interface StoreHealth {
  status: "ok" | "degraded" | "unavailable";
  version: string | null;
  source: string;
  loadedAt: string | null;
  lastCheckAt: string | null;
  lastError: LoadError | null;
  decodes: number;
  /** How the served version was loaded: storage read and verify+decode times, size. */
  load: {
    fetchMs: number;
    decodeMs: number;
    bytes: number;
    layout: "single" | "sharded";
    shards?: ShardLoad[];
    /** A sharded version with a single object: the background swap to it (loading, failed or skipped). */
    upgrade?: UpgradeState;
    /** A version answered from shards first, then swapped to its single object. */
    upgradedFromShards?: UpgradedFromShards;
  } | null;
  treatment?: { version: string; share: number; status: "ok" | "loading" | "failed"; error?: string };
}

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/** The request's execution context, fetched lazily (looking it up is not free). */
type CtxGetter = () => WaitUntil | undefined;

export class ArtifactStore {
  private served: Catalog | null = null;
  /** Work some request has in flight: the first load, a pointer re-check, A/B versions (marks only, see in-flight.ts). */
  private readonly working = new InFlight<string>();
  private lastCheck = 0;
  private lastError: LoadError | null = null;
  /**
   * The pointer that failed to load (refusalKey: version + digest): not retried until the pointer
   * changes — another version, or the same id published again — or an admin reload.
   */
  private badPointer: string | null = null;
  private sourceName = "r2";
  /** The last failed first load (nothing served yet), to avoid retrying storage on every request. */
  private lastFailure: { at: number; error: unknown } | null = null;
  /** Version named by the pointer during the load in progress (for error reports). */
  private pointerVersion: string | undefined;
  private readonly variantErrors = new Map<string, string>();
  private readonly variantReady = new Map<string, Catalog>();
  /** Byte budget of a sharded version's resident shards (SHARD_CACHE_MB), read at each load. */
  private shardCacheBytes = shardCacheBytesOf({});
  /** Number of artifact decodes this isolate has performed (a stampede must cause one). */
  decodes = 0;

  constructor(private readonly now: () => number = Date.now) {}

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
    if (!loading && failure) return Promise.reject(toProblem(failure.error));
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
    if (failure) throw toProblem(failure.error);
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
        throw toProblem(err);
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
      if (!(err instanceof ProblemError && err.slug === "no-artifact")) this.recordError(this.pointerVersion, err);
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
    if (!pointer) {
      throw new ProblemError(
        503,
        "no-artifact",
        "No artifact published",
        `Nothing has been published to ${source.name.toUpperCase()} yet. Train and publish one: \`${PUBLISH_HINT}\` (or \`--remote\`).`,
        undefined,
        { "retry-after": RETRY_AFTER_SECONDS },
        { hint: PUBLISH_HINT },
      );
    }
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
        throw new ArtifactError(`version ${pointer.version}: ${err instanceof ProblemError ? err.detail : (err as Error).message}`, "publish it again");
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
        throw toProblem(err);
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

  /**
   * Starts (once per catalogue) the background swap of a sharded version to its single object
   * (single-upgrade.ts); null when there is nothing to swap to. The swap happens only after the
   * version's acceptance checks passed (so the single object's read does not compete with them and
   * the first request's shard reads) and only while that version is still the one served: one
   * reference assignment, so a request sees the sharded catalogue or the single one, never a mix.
   * On failure the version keeps serving from shards and /healthz reports why.
   */
  private upgradeToSingle(env: Partial<Env>, catalog: Catalog): Promise<void> | null {
    if (!(catalog instanceof ShardedCatalog) || !catalog.manifest.single) return null;
    // Already started by another request, which keeps it alive: never hand its promise across.
    if (catalog.upgrading) return null;
    const single = catalog.manifest.single;
    const source = sourceFor(env, configOf(env));
    if (!singleReadable(source, single.bytes)) {
      catalog.upgrade = { status: "skipped", key: single.key, bytes: single.bytes, error: "over KV's 25 MiB value limit: served from shards" };
      return null;
    }
    catalog.upgrade = { status: "loading", key: single.key, bytes: single.bytes };
    catalog.upgrading = (async () => {
      await catalog.pendingChecks();
      await firstLookupsDone(catalog);
      if (catalog.rejection !== undefined || this.served !== catalog) return;
      const readStarted = this.now();
      const served = await loadSingleOf(catalog, source, this.now);
      this.decodes++;
      if (this.served !== catalog) return; // the pointer moved on meanwhile: this version is no longer served
      served.upgradedFromShards = {
        afterMs: round1(served.loadedAt - catalog.loadedAt),
        readStartedAfterMs: round1(readStarted - catalog.loadedAt),
        fetchMs: round1(served.fetchMs),
        decodeMs: round1(served.decodeMs),
        bytes: served.byteLength,
        shardDecodes: catalog.shardDecodes,
        shardsDropped: 0,
        manifest: { fetchMs: round1(catalog.fetchMs), decodeMs: round1(catalog.decodeMs), bytes: catalog.byteLength },
        shards: catalog.firstLoads,
      };
      this.served = served;
      catalog.upgrade = undefined;
      served.upgradedFromShards.shardsDropped = catalog.dropShards();
    })().catch((err) => {
      catalog.upgrade = { status: "failed", key: single.key, bytes: single.bytes, error: err instanceof ProblemError ? err.detail : err instanceof Error ? err.message : String(err) };
    });
    return catalog.upgrading;
  }

  /**
   * A specific version (A/B treatment), loaded once; null when it failed, or while another
   * request loads it (that request's shoppers wait for it; the others get the control meanwhile).
   */
  variant(env: Partial<Env>, version: string, ctx?: CtxGetter): Catalog | Promise<Catalog | null> | null {
    const ready = this.variantReady.get(version);
    if (ready) return ready;
    if (this.served?.version === version) return this.served;
    if (this.variantErrors.has(version)) return null;
    const waitMs = configOf(env).timeoutMs * 3;
    const key = `variant:${version}`;
    if (this.working.busy(key, waitMs)) return null;
    const token = this.working.begin(key);
    const source = sourceFor(env, configOf(env));
    const load = this.loadAbVersion(source, version).then(
      (s) => {
        this.variantReady.set(version, s);
        return s;
      },
      (err) => {
        this.variantErrors.set(version, (err as Error).message);
        return null;
      },
    ).finally(() => this.working.end(key, token));
    const bounded = withTimeout(load, waitMs, `artifact ${version}`).catch(() => null);
    ctx?.()?.waitUntil(load);
    return bounded;
  }

  /** An A/B treatment version: single artifact, or a sharded one when only its manifest exists. */
  private async loadAbVersion(source: ArtifactSource, version: string): Promise<Catalog> {
    if ((await source.missing([artifactKey(version)])).length === 0) return this.loadVersion(source, { version, key: artifactKey(version), layout: "single" });
    return this.loadVersion(source, { version, key: manifestKey(version), layout: "sharded" });
  }

  private recordError(version: string | undefined, err: unknown): void {
    const message = err instanceof ProblemError ? err.detail : err instanceof Error ? err.message : String(err);
    this.lastError = { ...(version ? { version } : {}), message, at: new Date(this.now()).toISOString() };
  }

  health(env: Partial<Env>): StoreHealth {
    const config = configOf(env);
    const served = this.served;
    const out: StoreHealth = {
      // A version stuck on shards because its single object failed is served but degraded.
      status: served ? (this.lastError || (served instanceof ShardedCatalog && served.upgrade?.status === "failed") ? "degraded" : "ok") : "unavailable",
      version: served?.version ?? null,
      source: this.sourceName,
      loadedAt: served ? new Date(served.loadedAt).toISOString() : null,
      lastCheckAt: this.lastCheck ? new Date(this.lastCheck).toISOString() : null,
      lastError: this.lastError,
      decodes: this.decodes,
      load: served
        ? {
            fetchMs: round1(served.fetchMs),
            decodeMs: round1(served.decodeMs),
            bytes: served.byteLength,
            layout: served.layout,
            // A sharded version: the manifest above, then its first shard loads (id shard, data shard…).
            ...(served instanceof ShardedCatalog ? { shards: served.firstLoads, ...(served.upgrade ? { upgrade: served.upgrade } : {}) } : {}),
            ...(served instanceof ServedArtifact && served.upgradedFromShards ? { upgradedFromShards: served.upgradedFromShards } : {}),
          }
        : null,
    };
    if (config.abVersion && config.abShare > 0) {
      const v = config.abVersion;
      const error = this.variantErrors.get(v);
      out.treatment = {
        version: v,
        share: config.abShare,
        status: this.variantReady.has(v) || served?.version === v ? "ok" : error ? "failed" : "loading",
        ...(error ? { error } : {}),
      };
    }
    return out;
  }
}

/**
 * Waits until the shard loads of the first requests are done (each lookup chains id shard → data
 * shard, hence a few rounds), so the single object's read does not compete with them on the cold
 * path. Bounded: under constant traffic over cold shards there is always a load in flight, and the
 * swap is what ends that.
 */
async function firstLookupsDone(catalog: ShardedCatalog, rounds = 4, roundMs = 1000): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    // A macrotask turn first: a request that just got a shard starts its next one (or answers).
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (catalog.loadsInFlight() === 0) return;
    // Those loads belong to other requests: watch their marks, never their promises.
    await pollFor(() => (catalog.loadsInFlight() === 0 ? true : undefined), () => true, roundMs);
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

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Maps load failures to the problem a client sees: 503 with Retry-After, never internals. */
function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  const retry = { "retry-after": RETRY_AFTER_SECONDS };
  if (err instanceof PointerError) {
    return new ProblemError(
      503,
      "artifact-unusable",
      "Published artifact cannot be loaded",
      `The artifact pointer cannot be read: ${err.message}. Point it at a published version: \`${POINTER_HINT}\` (\`npx edgerec versions --local\` lists them; \`--remote\` for the account), or publish one: \`${PUBLISH_HINT}\`.`,
      undefined,
      retry,
      { hint: POINTER_HINT },
    );
  }
  if (err instanceof ArtifactError) {
    return new ProblemError(
      503,
      "artifact-unusable",
      "Published artifact cannot be loaded",
      `The published artifact was refused: ${err.message}. Publish a good version: \`${PUBLISH_HINT}\`.`,
      undefined,
      retry,
    );
  }
  return new ProblemError(
    503,
    "storage-unavailable",
    "Artifact storage unavailable",
    "The artifact store could not be read in time; retry shortly.",
    undefined,
    retry,
  );
}
