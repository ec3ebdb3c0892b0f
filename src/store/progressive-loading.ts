/**
 * Progressive loading: a sharded version whose manifest names a single object (the same version
 * as one artifact, see ArtifactManifest.single) is answered from shards at once, while this reads,
 * verifies and decodes that object in the background. Afterwards the store swaps the version's
 * catalogue to it (same version, same answers) and the shard cache is dropped: a shard LRU cannot
 * hold a large version, so uniform traffic over it keeps re-reading shards, where one decoded object
 * answers everything from memory.
 */
import { ArtifactError, decodeArtifact, KV_VALUE_LIMIT } from "../artifact/index.ts";
import type { Catalog } from "./catalog.ts";
import { pollFor } from "./in-flight.ts";
import { ServedArtifact } from "./served.ts";
import { sameBytes, ShardedCatalog, type ShardLoad } from "./sharded.ts";
import type { ArtifactSource } from "./source.ts";
import { messageOf } from "./store-error.ts";

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

/** What the swap needs from the store that owns the served version. */
export interface SwapTarget {
  /** The version served now (the swap happens only while it is still the sharded one). */
  served(): Catalog | null;
  /** Serves `single` in its place: one reference assignment, so a request never sees a mix. */
  swap(single: ServedArtifact): void;
  /** Counts the single object's decode. */
  decoded(): void;
}

/**
 * The swaps of one store's sharded versions to their single objects, and what /healthz reports of
 * them. State is kept per catalogue (weakly: a version no longer served takes its state with it).
 */
export class ProgressiveLoading {
  /** A sharded version's swap while it runs, or why it failed or is never tried. */
  private readonly states = new WeakMap<ShardedCatalog, UpgradeState>();
  private readonly started = new WeakSet<ShardedCatalog>();
  private readonly upgraded = new WeakMap<ServedArtifact, UpgradedFromShards>();

  constructor(private readonly now: () => number) {}

  /** The swap of `catalog` while it runs, or when it failed or was skipped. */
  stateOf(catalog: ShardedCatalog): UpgradeState | undefined {
    return this.states.get(catalog);
  }

  /** How `served` replaced the sharded catalogue it started as, if it did. */
  upgradedFromShards(served: ServedArtifact): UpgradedFromShards | undefined {
    return this.upgraded.get(served);
  }

  /**
   * Starts (once per catalogue) the background swap of a sharded version to its single object;
   * null when there is nothing to swap to. The swap happens only after the version's acceptance
   * checks passed (so the single object's read does not compete with them and the first
   * request's shard reads) and only while that version is still the one served. On failure the
   * version keeps serving from shards and /healthz reports why.
   */
  start(catalog: Catalog, source: ArtifactSource, target: SwapTarget): Promise<void> | null {
    if (!(catalog instanceof ShardedCatalog) || !catalog.manifest.single) return null;
    // Already started by another request, which keeps it alive: never hand its promise across.
    if (this.started.has(catalog)) return null;
    const single = catalog.manifest.single;
    if (!singleReadable(source, single.bytes)) {
      this.states.set(catalog, { status: "skipped", key: single.key, bytes: single.bytes, error: "over KV's 25 MiB value limit: served from shards" });
      return null;
    }
    this.states.set(catalog, { status: "loading", key: single.key, bytes: single.bytes });
    this.started.add(catalog);
    return (async () => {
      await catalog.pendingChecks();
      await firstLookupsDone(catalog);
      if (catalog.rejection !== undefined || target.served() !== catalog) return;
      const readStarted = this.now();
      const served = await loadSingleOf(catalog, source, this.now);
      target.decoded();
      if (target.served() !== catalog) return; // the pointer moved on meanwhile: this version is no longer served
      const upgraded: UpgradedFromShards = {
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
      this.upgraded.set(served, upgraded);
      target.swap(served);
      this.states.delete(catalog);
      upgraded.shardsDropped = catalog.dropShards();
    })().catch((err) => {
      this.states.set(catalog, { status: "failed", key: single.key, bytes: single.bytes, error: messageOf(err) });
    });
  }
}

/**
 * Waits until the first request has begun answering (its chain id shard → data shard has loaded a
 * data shard), or no shard load is in flight, so the single object's read does not compete with
 * the cold path of that first request. It does not wait for every load to finish: under constant
 * traffic over cold shards there is always one in flight, and each request that finds its shard
 * cold reads another shard until the swap, so a longer wait multiplies the reads the swap saves
 * (under a flip every few seconds the version never reached its single object).
 */
async function firstLookupsDone(catalog: ShardedCatalog, maxMs = 2000): Promise<void> {
  // A macrotask turn first: a request that just got a shard starts its next one (or answers).
  await new Promise((resolve) => setTimeout(resolve, 0));
  const firstAnswered = () => catalog.loadsInFlight() === 0 || catalog.firstLoads.some((l) => l.kind === "items" || l.kind === "users");
  // Those loads belong to other requests: watch their marks, never their promises.
  await pollFor(() => (firstAnswered() ? true : undefined), () => true, maxMs);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
