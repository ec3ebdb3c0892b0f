/**
 * A sharded version: the manifest (every id → its shard) is loaded up front; shards are
 * fetched on first use, one in-flight load per shard, and kept. Each shard is a complete
 * artifact holding everything one similar-items or user query needs (see format.ts), so a
 * query touches exactly one shard; a basket spanning shards touches each of its shards.
 */
import { type ArtifactHeader, type ArtifactManifest, ArtifactError, decodeArtifact, shardOfItem, shardOfUser } from "../artifact/format.ts";
import { ProblemError } from "../http/problem.ts";
import type { Catalog, Located } from "./catalog.ts";
import { ServedArtifact } from "./served.ts";
import type { ArtifactSource } from "./source.ts";

export class ShardedCatalog implements Catalog {
  readonly layout = "sharded" as const;
  fetchMs = 0;
  readonly version: string;
  readonly header: ArtifactHeader;
  private readonly ready: (ServedArtifact | undefined)[];
  private readonly loading: (Promise<ServedArtifact> | undefined)[];

  constructor(
    readonly manifest: ArtifactManifest,
    private readonly source: ArtifactSource,
    private readonly shardKeys: readonly string[],
    readonly loadedAt: number,
    readonly decodeMs: number,
    readonly byteLength: number,
    private readonly onDecode: () => void,
  ) {
    this.header = manifest.header;
    this.version = manifest.header.version;
    this.ready = new Array(shardKeys.length);
    this.loading = new Array(shardKeys.length);
  }

  /** Shards loaded so far (for /healthz and tests). */
  loadedShards(): number[] {
    return this.ready.flatMap((s, i) => (s ? [i] : []));
  }

  shard(s: number): ServedArtifact | Promise<ServedArtifact> {
    const ready = this.ready[s];
    if (ready) return ready;
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
      this.ready[s] = served;
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
    const s = this.ready[this.manifest.popularShard];
    return s ? s.categories() : [];
  }
}
