/**
 * Progressive loading: a sharded version whose manifest names a single object (the same version
 * as one artifact, see ArtifactManifest.single) is answered from shards at once, while this reads,
 * verifies and decodes that object in the background. Afterwards the store swaps the version's
 * catalogue to it (same version, same answers) and the shard cache is dropped: a shard LRU cannot
 * hold a large version, so uniform traffic over it keeps re-reading shards, where one decoded object
 * answers everything from memory.
 */
import { ArtifactError, decodeArtifact, KV_VALUE_LIMIT } from "../artifact/index.ts";
import { ServedArtifact } from "./served.ts";
import { sameBytes, type ShardedCatalog, type ShardLoad } from "./sharded.ts";
import type { ArtifactSource } from "./source.ts";

/** How the swap went (for /healthz): "loading" while it runs; "skipped" when it is never tried. */
export interface UpgradeState {
  status: "loading" | "failed" | "skipped";
  key: string;
  bytes: number;
  error?: string;
}

/** Timings of a version that started on shards and now serves its single object (for /healthz). */
export interface UpgradedFromShards {
  /** From the manifest's load to the swap, and to the start of the single object's read (after the first lookups). */
  afterMs: number;
  readStartedAfterMs: number;
  /** Storage read incl. the streamed digest, and verify + decode, of the single object. */
  fetchMs: number;
  decodeMs: number;
  bytes: number;
  /** Shard reads the version made before the swap (decodes), and shards dropped with the cache. */
  shardDecodes: number;
  shardsDropped: number;
  /** The sharded start this replaced: manifest read | verify + decode, and the first shard loads. */
  manifest: { fetchMs: number; decodeMs: number; bytes: number };
  shards: ShardLoad[];
}

/** Whether this source may hold the single object at all: a KV-backed worker never asks for one over KV's value limit. */
export function singleReadable(source: Pick<ArtifactSource, "name">, bytes: number): boolean {
  return !(source.name === "kv" && bytes > KV_VALUE_LIMIT);
}

/**
 * Reads the sharded version's single object with its SHA-256 computed as it streams in, checks it
 * against the manifest (size and checksum: this build's object, whole), decodes it with that digest
 * (no second hash) and wraps it for serving. Throws an ArtifactError saying what is wrong.
 */
export async function loadSingleOf(catalog: ShardedCatalog, source: ArtifactSource, now: () => number): Promise<ServedArtifact> {
  const single = catalog.manifest.single;
  if (!single) throw new ArtifactError(`version ${catalog.version} has no single object`, "rebuild it with `edgerec build-artifact`");
  const fetchStarted = performance.now();
  const read = await source.verifiedBytes(single.key);
  if (!read) throw new ArtifactError(`the single object ${single.key} of version ${catalog.version} is missing`, "publish the version again");
  const started = performance.now();
  if (read.bytes.byteLength !== single.bytes || !sameBytes(read.digest, single.sha256)) {
    throw new ArtifactError(
      `the single object ${single.key} does not match the manifest (${read.bytes.byteLength} bytes, expected ${single.bytes}; or its checksum differs): it was changed, cut or comes from another build`,
      "publish the version again",
    );
  }
  const artifact = await decodeArtifact(read.bytes, { digest: read.digest });
  if (artifact.header.version !== catalog.version) {
    throw new ArtifactError(`the single object ${single.key} holds version ${artifact.header.version}, not ${catalog.version}`, "publish the version again");
  }
  const served = new ServedArtifact(artifact, now(), performance.now() - started, read.bytes.byteLength);
  served.fetchMs = started - fetchStarted;
  return served;
}
