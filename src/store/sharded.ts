/**
 * A sharded version: only the small manifest (shard table + id-shard routing, tens of KiB
 * whatever the catalogue size) is loaded up front. A lookup reads manifest → id shard (the
 * bucket of the id, see id-hash.ts) → data shard; every shard is fetched on first use, verified
 * against the manifest's checksum with the digest computed while it streamed in (no second
 * hash), and kept in one LRU bounded by SHARD_CACHE_MB.
 *
 * Requests share decoded shards only, never a load in flight (workerd ties a promise to the
 * request that created it, see in-flight.ts): a request that finds a shard being loaded by
 * another one polls for it with its own timers, and loads it itself when that load has not
 * finished within SHARD_WAIT_MS (the other request may have been cancelled).
 *
 * Id shards share the data shards' LRU rather than a pinned budget: they are ~1 MiB each and
 * every lookup touches one, so the hot ones stay resident on their own, while a 1M catalogue's
 * ~64 id shards (~48 MiB) could never all be pinned inside the isolate budget. One bound for
 * everything keeps the memory arithmetic (README, configuration) a single sum.
 *
 * Each data shard holds everything one similar-items or user query needs (see ArtifactManifest in src/artifact/manifest.ts), so a
 * query touches one id shard and one data shard; a basket spanning shards touches each of its
 * shards. The popular shard is pinned.
 */
import {
  type ArtifactHeader,
  type ArtifactManifest,
  ArtifactError,
  decodeArtifact,
  decodeIdShard,
  type IdShard,
  idShardOfItem,
  idShardOfUser,
  locateId,
  shardCount,
  shardKindOf,
  shardSha256,
} from "../artifact/index.ts";
import { ProblemError } from "../http/problem.ts";
import type { Catalog, Located } from "./catalog.ts";
import { InFlight, pollFor } from "./in-flight.ts";
import { ServedArtifact } from "./served.ts";
import type { UpgradeState } from "./single-upgrade.ts";
import type { ArtifactSource } from "./source.ts";

/**
 * Default byte budget of resident shards. Isolate arithmetic (Workers allow 128 MB; we aim at
 * <= ~80 MiB so a request's own allocations and a version swap have room): manifest (<= ~0.1 MiB)
 * + pinned popular shard (<= 3 MiB + tables) + this cache + one in-flight shard (<= 3 MiB) + the
 * runtime's baseline heap (~6-8 MiB) ≈ 0.1 + 3.5 + 56 + 3.5 + 8 ≈ 71 MiB. Costs count each
 * shard's bytes plus its lookup tables (see residentCost), so 56 is real memory, not just bytes.
 */
export const DEFAULT_SHARD_CACHE_MB = 56;

/** The shard cache budget from the environment (`SHARD_CACHE_MB`), in bytes. */
export function shardCacheBytesOf(env: object): number {
  const raw = (env as Record<string, unknown>).SHARD_CACHE_MB;
  const mb = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : typeof raw === "number" ? raw : DEFAULT_SHARD_CACHE_MB;
  return (Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_SHARD_CACHE_MB) * 1024 * 1024;
}

/** A data shard's fragment cache: an eighth of its bytes (its JSON fragments are re-derivable). */
function fragmentBytesFor(shardBytes: number): number {
  return Math.max(16 * 1024, Math.floor(shardBytes / 8));
}

/**
 * What a resident data shard costs: its bytes (the decoded artifact views them), its fragment
 * cache, and ~24 bytes per row of id hash + fragment offsets built as it serves.
 */
function residentCost(shardBytes: number, rows: number): number {
  return shardBytes + fragmentBytesFor(shardBytes) + 24 * rows;
}

/** How one shard was loaded: storage read (incl. the streamed digest) and verify + decode. */
export interface ShardLoad {
  shard: number;
  kind: string;
  fetchMs: number;
  decodeMs: number;
  bytes: number;
}
const FIRST_LOADS_KEPT = 8;

/**
 * How long a request waits for a shard another request is loading before it loads it itself.
 * A 3 MiB shard loads in tens of ms; two seconds covers a busy isolate, and a waiter that gives
 * up still answers well within a client's patience.
 */
export const SHARD_WAIT_MS = 2000;

type Resident = { served: ServedArtifact; ids?: undefined; cost: number } | { ids: IdShard; served?: undefined; cost: number };

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Applies `f` now when `x` is ready, else when it resolves (keeps warm lookups synchronous). */
function then<T, R>(x: T | Promise<T>, f: (value: T) => R | Promise<R>): R | Promise<R> {
  return x instanceof Promise ? x.then(f) : f(x);
}

export class ShardedCatalog implements Catalog {
  readonly layout = "sharded" as const;
  fetchMs = 0;
  readonly version: string;
  readonly header: ArtifactHeader;
  /** Resident shards, least recently used first (a Map keeps insertion order). */
  private readonly ready = new Map<number, Resident>();
  /** Shards some request is loading now (a mark, never its promise: see in-flight.ts). */
  private readonly loading = new InFlight<number>();
  /** Cost (bytes + tables, see residentCost) of the resident shards. */
  residentBytes = 0;
  /** The largest cost of any shard loaded so far (tests bound residentBytes with it). */
  largestCost = 0;
  /** Shards dropped to stay under the budget (for /healthz, tests and benches). */
  evictions = 0;
  /** The first shard loads of this version, in completion order (the cold-start split on /healthz). */
  readonly firstLoads: ShardLoad[] = [];
  /**
   * A first load's acceptance checks (every shard object exists, the popular shard decodes) while
   * they run. Lookups do not wait for them: every answer is built from shards verified against
   * the manifest on their own, so the checks stay off the first request's critical path
   * (manifest → id shard → data shard); a version that fails them is un-served by the store.
   */
  private checks: Promise<void> | null = null;
  /** Why the acceptance checks failed (this version must not be served), if they did. */
  rejection: unknown;
  /** Progressive loading (single-upgrade.ts): the swap to the version's single object, while it runs or when it failed. */
  upgrade: UpgradeState | undefined;
  upgrading: Promise<void> | undefined;
  /** Shard objects this version has read and decoded (re-reads after eviction included). */
  shardDecodes = 0;

  constructor(
    readonly manifest: ArtifactManifest,
    private readonly source: ArtifactSource,
    private readonly shardKeys: readonly string[],
    readonly loadedAt: number,
    readonly decodeMs: number,
    readonly byteLength: number,
    private readonly onDecode: () => void,
    /** Budget of resident shards (the popular shard and the shard just loaded always stay). */
    readonly cacheBytes: number = DEFAULT_SHARD_CACHE_MB * 1024 * 1024,
    /** How long a request waits for another request's load of a shard before loading it itself. */
    private readonly waitMs: number = SHARD_WAIT_MS,
  ) {
    this.header = manifest.header;
    this.version = manifest.header.version;
  }

  /** Runs beside lookups (see `checks`); a failure is kept in `rejection`. */
  watchChecks(check: Promise<void>): void {
    const watched = check.then(
      () => {
        if (this.checks === watched) this.checks = null;
      },
      (err) => {
        this.rejection = err;
        if (this.checks === watched) this.checks = null;
      },
    );
    this.checks = watched;
  }

  /** The acceptance checks still running, if any (the request that started them must keep them alive). */
  pendingChecks(): Promise<void> | null {
    return this.checks;
  }

  /** How many shard loads are in flight now (progressive loading lets the first requests' ones finish before its big read). */
  loadsInFlight(): number {
    return this.loading.size;
  }

  /** Shards resident now, data and id shards alike (for /healthz and tests). */
  loadedShards(): number[] {
    return [...this.ready.keys()].sort((a, b) => a - b);
  }

  /** Shard `s` when resident (moved to the LRU's recent end), else undefined. */
  private touch(s: number): Resident | undefined {
    const ready = this.ready.get(s);
    if (ready) {
      // Most recently used moves to the end.
      this.ready.delete(s);
      this.ready.set(s, ready);
    }
    return ready;
  }

  private resident(s: number): Resident | Promise<Resident> {
    const ready = this.touch(s);
    if (ready) return ready;
    if (this.loading.busy(s, this.waitMs)) return this.awaitOtherLoad(s);
    return this.loadOwn(s);
  }

  /** Another request is loading `s`: poll for the decoded shard, and load it ourselves if it does not come. */
  private async awaitOtherLoad(s: number): Promise<Resident> {
    const ready = await pollFor(
      () => this.touch(s),
      () => this.loading.busy(s, this.waitMs),
      this.waitMs,
    );
    return ready ?? this.loadOwn(s);
  }

  /** Loads `s` inside the calling request, marking it so others wait for the decoded shard instead of reading it again. */
  private async loadOwn(s: number): Promise<Resident> {
    const token = this.loading.begin(s);
    try {
      return await this.load(s);
    } finally {
      this.loading.end(s, token);
    }
  }

  /** Data shard `s` (item, user or popular shard). */
  shard(s: number): ServedArtifact | Promise<ServedArtifact> {
    return then(this.resident(s), (r) => r.served ?? this.wrongKind(s));
  }

  /** Id shard `s`. */
  idShard(s: number): IdShard | Promise<IdShard> {
    return then(this.resident(s), (r) => r.ids ?? this.wrongKind(s));
  }

  private wrongKind(s: number): never {
    throw this.unavailable(s, new ArtifactError(`shard ${s} is a ${shardKindOf(this.manifest, s)} shard where the manifest routes elsewhere`, "rebuild and publish the version again"));
  }

  private unavailable(s: number, err: unknown): ProblemError {
    return new ProblemError(
      503,
      "shard-unavailable",
      "Artifact shard unavailable",
      `Part of the published catalogue (shard ${s}) could not be loaded; retry shortly. ${err instanceof ArtifactError ? err.message : ""}`.trim(),
      undefined,
      { "retry-after": "5" },
    );
  }

  private async load(s: number): Promise<Resident> {
    const key = this.shardKeys[s];
    try {
      if (s >= shardCount(this.manifest)) throw new ArtifactError(`shard ${s} is not in the manifest`, "rebuild and publish the version again");
      const fetchStarted = performance.now();
      const read = await this.source.verifiedBytes(key);
      if (!read) throw new ArtifactError(`shard ${s} (${key}) of version ${this.version} is missing`, "publish the version again");
      const started = performance.now();
      this.onDecode();
      this.shardDecodes++;
      // The streamed digest is checked twice for free: against the manifest (this shard belongs
      // to this build) and, inside decode, against the shard's own header (its bytes are whole).
      if (!sameBytes(read.digest, shardSha256(this.manifest, s))) {
        throw new ArtifactError(`shard ${s} (${key}) does not match the manifest's checksum: it was changed, cut or comes from another build`, "publish the version again");
      }
      const bytes = read.bytes;
      const kind = shardKindOf(this.manifest, s);
      let resident: Resident;
      if (kind === "item-ids" || kind === "user-ids") {
        const ids = await decodeIdShard(bytes, { digest: read.digest, shards: shardCount(this.manifest) });
        if (ids.version !== this.version || ids.kind !== kind) {
          throw new ArtifactError(`id shard ${s} holds ${ids.kind} of version ${ids.version}, not ${kind} of ${this.version}`, "publish the version again");
        }
        resident = { ids, cost: bytes.byteLength };
      } else {
        const artifact = await decodeArtifact(bytes, { digest: read.digest });
        if (artifact.header.version !== this.version) {
          throw new ArtifactError(`shard ${s} holds version ${artifact.header.version}, not ${this.version}`, "publish the version again");
        }
        const served = new ServedArtifact(artifact, Date.now(), performance.now() - started, bytes.byteLength, fragmentBytesFor(bytes.byteLength));
        resident = { served, cost: residentCost(bytes.byteLength, artifact.header.counts.items + artifact.header.counts.users) };
      }
      if (this.firstLoads.length < FIRST_LOADS_KEPT) {
        const round = (x: number) => Math.round(x * 10) / 10;
        this.firstLoads.push({ shard: s, kind, fetchMs: round(started - fetchStarted), decodeMs: round(performance.now() - started), bytes: bytes.byteLength });
      }
      this.ready.set(s, resident);
      this.residentBytes += resident.cost;
      this.largestCost = Math.max(this.largestCost, resident.cost);
      this.evict(s);
      return resident;
    } catch (err) {
      throw err instanceof ProblemError ? err : this.unavailable(s, err);
    }
  }

  /**
   * Drops least recently used shards until the resident cost fits the budget. Requests that
   * already hold a dropped shard finish with it; the garbage collector frees it afterwards.
   */
  private evict(keep: number): void {
    if (this.residentBytes <= this.cacheBytes) return;
    for (const [s, resident] of this.ready) {
      if (this.residentBytes <= this.cacheBytes) break;
      if (s === keep || s === this.manifest.popularShard) continue;
      this.ready.delete(s);
      this.residentBytes -= resident.cost;
      this.evictions++;
    }
  }

  /**
   * Drops every resident shard (after the version moved to its single object): requests still
   * holding this catalogue reload what they need, the rest is garbage. Returns how many were dropped.
   */
  dropShards(): number {
    const dropped = this.ready.size;
    this.ready.clear();
    this.residentBytes = 0;
    return dropped;
  }

  /** id → its id shard → (data shard, row) → the data shard. */
  private locate(idShard: number, id: string, rowsOf: (served: ServedArtifact) => number): Located | null | Promise<Located | null> {
    if (idShard < 0 || id.length === 0 || id.length > 512) return null;
    return then(this.idShard(idShard), (ids) => {
      const where = locateId(ids, id);
      if (!where) return null;
      return then(this.shard(where.shard), (served): Located | null =>
        // Owned rows come first in a data shard, at the id shard's `local`.
        where.local < rowsOf(served) ? { served, index: where.local } : null,
      );
    });
  }

  item(id: string): Located | null | Promise<Located | null> {
    return this.locate(idShardOfItem(this.manifest, id), id, (s) => s.itemCount);
  }

  user(id: string): Located | null | Promise<Located | null> {
    return this.locate(idShardOfUser(this.manifest, id), id, (s) => s.userCount);
  }

  popular(): ServedArtifact | Promise<ServedArtifact> {
    return this.shard(this.manifest.popularShard);
  }

  categories(): readonly string[] {
    const s = this.ready.get(this.manifest.popularShard)?.served;
    return s ? s.categories() : [];
  }
}
