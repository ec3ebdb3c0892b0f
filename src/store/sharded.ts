/**
 * A sharded version: the manifest (every id → its shard) is loaded up front; shards are
 * fetched on first use, one in-flight load per shard shared by every request that needs it,
 * and kept in an LRU bounded by bytes (SHARD_CACHE_MB, default 48) so the isolate stays well
 * under Workers' 128 MB whatever the catalogue size. Each shard is a complete artifact holding
 * everything one similar-items or user query needs (see format.ts), so a query touches exactly
 * one shard; a basket spanning shards touches each of its shards. The popular shard is pinned.
 */
import { type ArtifactHeader, type ArtifactManifest, ArtifactError, decodeArtifact, shardOfItem, shardOfUser } from "../artifact/format.ts";
import { ProblemError } from "../http/problem.ts";
import type { Catalog, Located } from "./catalog.ts";
import { ServedArtifact } from "./served.ts";
import type { ArtifactSource } from "./source.ts";

/** Default byte budget of resident shards: leaves room for the manifest, code and requests in 128 MB. */
export const DEFAULT_SHARD_CACHE_MB = 48;

/** The shard cache budget from the environment (`SHARD_CACHE_MB`), in bytes. */
export function shardCacheBytesOf(env: object): number {
  const raw = (env as Record<string, unknown>).SHARD_CACHE_MB;
  const mb = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : typeof raw === "number" ? raw : DEFAULT_SHARD_CACHE_MB;
  return (Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_SHARD_CACHE_MB) * 1024 * 1024;
}

export class ShardedCatalog implements Catalog {
  readonly layout = "sharded" as const;
  fetchMs = 0;
  readonly version: string;
  readonly header: ArtifactHeader;
  /** Resident shards, least recently used first (a Map keeps insertion order). */
  private readonly ready = new Map<number, ServedArtifact>();
  private readonly loading: (Promise<ServedArtifact> | undefined)[];
  /** Bytes of the resident shards (their buffers are the decoded artifacts' backing store). */
  residentBytes = 0;
  /** Shards dropped to stay under the budget (for /healthz, tests and benches). */
  evictions = 0;

  constructor(
    readonly manifest: ArtifactManifest,
    private readonly source: ArtifactSource,
    private readonly shardKeys: readonly string[],
    readonly loadedAt: number,
    readonly decodeMs: number,
    readonly byteLength: number,
    private readonly onDecode: () => void,
    /** Byte budget of resident shards (the popular shard and the shard just loaded always stay). */
    readonly cacheBytes: number = DEFAULT_SHARD_CACHE_MB * 1024 * 1024,
  ) {
    this.header = manifest.header;
    this.version = manifest.header.version;
    this.loading = new Array(shardKeys.length);
  }

  /** Shards resident now (for /healthz and tests). */
  loadedShards(): number[] {
    return [...this.ready.keys()].sort((a, b) => a - b);
  }

  shard(s: number): ServedArtifact | Promise<ServedArtifact> {
    const ready = this.ready.get(s);
    if (ready) {
      // Most recently used moves to the end.
      this.ready.delete(s);
      this.ready.set(s, ready);
      return ready;
    }
    let pending = this.loading[s];
    if (!pending) {
      pending = this.load(s).finally(() => {
        this.loading[s] = undefined;
      });
      this.loading[s] = pending;
    }
    return pending;
  }

  private async load(s: number): Promise<ServedArtifact> {
    const key = this.shardKeys[s];
    try {
      const bytes = await this.source.bytes(key);
      if (!bytes) throw new ArtifactError(`shard ${s} (${key}) of version ${this.version} is missing`, "publish the version again");
      const started = performance.now();
      this.onDecode();
      const artifact = await decodeArtifact(bytes);
      if (artifact.header.version !== this.version) {
        throw new ArtifactError(`shard ${s} holds version ${artifact.header.version}, not ${this.version}`, "publish the version again");
      }
      const served = new ServedArtifact(artifact, Date.now(), performance.now() - started, bytes.byteLength);
      this.ready.set(s, served);
      this.residentBytes += bytes.byteLength;
      this.evict(s);
      return served;
    } catch (err) {
      throw new ProblemError(
        503,
        "shard-unavailable",
        "Artifact shard unavailable",
        `Part of the published catalogue (shard ${s}) could not be loaded; retry shortly. ${err instanceof ArtifactError ? err.message : ""}`.trim(),
        undefined,
        { "retry-after": "5" },
      );
    }
  }

  /**
   * Drops least recently used shards until the resident bytes fit the budget. Requests that
   * already hold a dropped shard finish with it; the garbage collector frees it afterwards.
   */
  private evict(keep: number): void {
    if (this.residentBytes <= this.cacheBytes) return;
    for (const [s, served] of this.ready) {
      if (this.residentBytes <= this.cacheBytes) break;
      if (s === keep || s === this.manifest.popularShard) continue;
      this.ready.delete(s);
      this.residentBytes -= served.byteLength;
      this.evictions++;
    }
  }

  private locate(where: { shard: number; local: number } | null, find: (served: ServedArtifact) => number): Located | null | Promise<Located | null> {
    if (!where) return null;
    const shard = this.shard(where.shard);
    const resolve = (served: ServedArtifact): Located | null => {
      const index = find(served);
      return index < 0 ? null : { served, index };
    };
    return shard instanceof Promise ? shard.then(resolve) : resolve(shard);
  }

  item(id: string): Located | null | Promise<Located | null> {
    return this.locate(shardOfItem(this.manifest, id), (s) => s.itemIndex(id));
  }

  user(id: string): Located | null | Promise<Located | null> {
    return this.locate(shardOfUser(this.manifest, id), (s) => s.userIndex(id));
  }

  popular(): ServedArtifact | Promise<ServedArtifact> {
    return this.shard(this.manifest.popularShard);
  }

  categories(): readonly string[] {
    const s = this.ready.get(this.manifest.popularShard);
    return s ? s.categories() : [];
  }
}
