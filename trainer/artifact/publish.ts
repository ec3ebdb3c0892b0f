import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  artifactKey,
  type ArtifactManifest,
  CHECKSUM_START_OFFSET,
  CURRENT_KEY,
  type CurrentPointer,
  decodeArtifact,
  decodeManifest,
  isManifest,
  manifestKey,
  type PublishedVersion,
  shardCount,
  shardKey,
  shardKindOf,
  shardSha256,
  VERSIONS_KEY,
} from "../../src/artifact/index.ts";
import { gc } from "./gc.ts";
import type { ObjectStore } from "./object-store.ts";
import { readCurrentState, readVersions } from "./published-state.ts";
import { KV_VALUE_LIMIT, SINGLE_FILE } from "./shard.ts";

/** One object to upload: where it goes and the file it comes from. */
export interface PlannedObject {
  key: string;
  path: string;
}

/** Everything a publish will write, worked out before anything is uploaded. */
export interface PublishPlan {
  pointer: Omit<CurrentPointer, "publishedAt">;
  /** Uploaded in order; the artifact or manifest (pointer.key) goes last. */
  objects: PlannedObject[];
}

/**
 * Reads and verifies a built artifact (a single `.bin`, or a sharded build's `manifest.bin`
 * beside its `shard-<n>.bin` files) and plans its upload. Corrupt input is refused here,
 * before anything is written.
 */
export async function planPublish(path: string, options: { kv?: boolean } = {}): Promise<PublishPlan> {
  const bytes = new Uint8Array(await readFile(path));
  if (isManifest(bytes)) {
    const manifest = await decodeManifest(bytes);
    const { header } = manifest;
    const dir = dirname(path);
    const count = shardCount(manifest);
    // Data shards and id shards alike: all must be uploaded before the manifest and the flip.
    const shards = Array.from({ length: count }, (_, i) => ({ key: shardKey(header.version, i), path: join(dir, `shard-${i}.bin`) }));
    for (let i = 0; i < count; i++) await verifyShardFile(manifest, i, shards[i].path);
    // The version as one object (progressive loading) goes up with the shards, before the manifest and the
    // flip, so a reader never finds a manifest naming an object not there yet. Never into KV over its value
    // limit: the worker reading KV does not ask for one that big either.
    const single = manifest.single && !(options.kv && manifest.single.bytes > KV_VALUE_LIMIT) ? manifest.single : undefined;
    const singleObjects = single ? [{ key: single.key, path: join(dir, SINGLE_FILE) }] : [];
    if (single) await verifySingleFile(manifest, join(dir, SINGLE_FILE));
    return {
      pointer: {
        version: header.version,
        layout: "sharded",
        key: manifestKey(header.version),
        // No `shards` list: ~1,500 keys at 1M items would make the pointer, read at every cold start and
        // recheck, bigger than the manifest; the worker derives shardKey(version, n) from the manifest.
        createdAt: header.createdAt,
        metrics: header.metrics,
        headlineMetric: header.headlineMetric,
        bytes: bytes.length + manifest.shards.bytes.reduce((sum, x) => sum + x, 0),
        sha256: sha256Hex(bytes),
      },
      objects: [...shards, ...singleObjects, { key: manifestKey(header.version), path }],
    };
  }
  const { header } = await decodeArtifact(bytes, { deep: true });
  return {
    pointer: {
      version: header.version,
      layout: "single",
      key: artifactKey(header.version),
      createdAt: header.createdAt,
      metrics: header.metrics,
      headlineMetric: header.headlineMetric,
      bytes: bytes.length,
      sha256: sha256Hex(bytes),
    },
    objects: [{ key: artifactKey(header.version), path }],
  };
}

/** The digest the pointer records of the object it names (the worker keys refusals on it). */
function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Refuses a shard file the manifest does not describe (missing, cut, changed or from another build). */
async function verifyShardFile(manifest: ArtifactManifest, s: number, path: string): Promise<void> {
  await verifyFile(path, { bytes: manifest.shards.bytes[s], sha256: shardSha256(manifest, s) }, {
    unreadable: `shard ${s} of ${shardCount(manifest)}, a ${shardKindOf(manifest, s)} shard`,
    unreadableFix: "rebuild the sharded artifact",
    mismatch: `is not shard ${s} of this manifest`,
  });
}

/** Refuses a single object that is not the one the manifest names (missing, cut, changed, another build). */
async function verifySingleFile(manifest: ArtifactManifest, path: string): Promise<void> {
  await verifyFile(path, manifest.single!, {
    unreadable: "the version as one object, named by the manifest",
    unreadableFix: "rebuild the sharded artifact, nothing was uploaded",
    mismatch: "is not the single object this manifest names",
  });
}

/** A file must have the manifest's length and SHA-256, and carry that digest in its own header. */
async function verifyFile(path: string, expected: { bytes: number; sha256: Uint8Array }, says: { unreadable: string; unreadableFix: string; mismatch: string }): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    throw new Error(`cannot read ${path} (${says.unreadable}): ${(err as Error).message}; ${says.unreadableFix}`);
  }
  const digest = createHash("sha256").update(bytes.subarray(CHECKSUM_START_OFFSET)).digest();
  if (bytes.length !== expected.bytes || !digest.equals(expected.sha256) || !digest.equals(bytes.subarray(16, 48))) {
    throw new Error(`${path} ${says.mismatch} (checksum mismatch: changed, cut or from another build); rebuild the sharded artifact, nothing was uploaded`);
  }
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2));

export interface PublishResult {
  pointer: CurrentPointer;
  previous: string | null;
  deleted: string[];
  /** Unindexed versions (left by interrupted publishes, older than gc's grace period) deleted by --keep. */
  collected: string[];
  /** Why the `current` pointer this publish replaced was unreadable, when it was. */
  repaired?: string;
}

/**
 * Uploads every object of the version, then records it in the versions index, then flips
 * `current` — so a reader sees the old version or the complete new one, never a mix. If any
 * upload fails, nothing after it runs and `current` still names the previous version.
 * Afterwards keeps the newest `keep` versions (and always the current one), deleting the rest.
 */
export async function publish(store: ObjectStore, plan: PublishPlan, options: { keep?: number; onObject?: (key: string) => void } = {}): Promise<PublishResult> {
  // The destination first: an unreadable index stops the publish before any upload; an
  // unreadable `current` does not, since the flip below rewrites it (that is the repair).
  const before = await readCurrentState(store);
  const listed = await readVersions(store);
  for (const object of plan.objects) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(object.path));
    } catch (err) {
      throw new Error(`cannot read ${object.path} for ${object.key}: ${(err as Error).message}; nothing was made current`);
    }
    await store.put(object.key, bytes);
    options.onObject?.(object.key);
  }
  const pointer: CurrentPointer = { ...plan.pointer, publishedAt: new Date().toISOString() };
  const entry: PublishedVersion = { ...pointer, keys: plan.objects.map((o) => o.key) };
  const versions = [entry, ...listed.filter((v) => v.version !== pointer.version)];
  await store.put(VERSIONS_KEY, json({ versions }));
  await store.put(CURRENT_KEY, json(pointer));
  const deleted = options.keep ? await retain(store, versions, options.keep, pointer.version) : [];
  // Retention only sees indexed versions; what interrupted publishes left is collected here (gc.ts).
  const collected = options.keep && store.list ? (await gc(store)).removed.map((r) => r.version) : [];
  return { pointer, previous: before.pointer?.version ?? null, deleted, collected, ...(before.unreadable ? { repaired: before.unreadable } : {}) };
}

/** Deletes the objects of versions beyond the newest `keep` (never `current`), then rewrites the index. */
export async function retain(store: ObjectStore, versions: PublishedVersion[], keep: number, current: string): Promise<string[]> {
  const kept: PublishedVersion[] = [];
  const dropped: PublishedVersion[] = [];
  for (const v of versions) (kept.length < keep || v.version === current ? kept : dropped).push(v);
  if (dropped.length === 0) return [];
  // Shrink the index first: a version must never be listed once its objects may be gone.
  await store.put(VERSIONS_KEY, json({ versions: kept }));
  for (const v of dropped) for (const key of v.keys) await store.delete(key);
  return dropped.map((v) => v.version);
}

/**
 * Makes `version` (default: the one published before the current one) current again. The target
 * is checked first (its object exists and decodes as that version); an unreadable `current` is
 * then simply rewritten, so `rollback <version>` is also the repair of a broken pointer.
 */
export async function rollback(store: ObjectStore, version?: string): Promise<{ from: string | null; to: CurrentPointer; repaired?: string }> {
  const versions = await readVersions(store);
  const current = await readCurrentState(store);
  if (versions.length === 0) throw new Error("no published versions; publish one with `edgerec publish <artifact>`");
  const listing = versions.map((v) => v.version).join(", ");
  let target: PublishedVersion | undefined;
  if (version) {
    target = versions.find((v) => v.version === version);
    if (!target) throw new Error(`version ${version} is not published; the published ones are: ${listing} (\`edgerec versions\` lists them)`);
  } else if (current.unreadable) {
    throw new Error(`${current.unreadable}, so there is no "previous" version to go back to; name one: \`edgerec rollback <version>\` (published: ${listing})`);
  } else {
    const at = versions.findIndex((v) => v.version === current.pointer?.version);
    target = versions[at + 1];
    if (!target) throw new Error(`there is no version older than the current one (${current.pointer?.version ?? "none"}) to roll back to; name one with \`edgerec rollback <version>\` (published: ${listing})`);
  }
  await checkTarget(store, target);
  const { keys: _keys, ...pointer } = target;
  const to: CurrentPointer = { ...pointer, publishedAt: new Date().toISOString() };
  await store.put(CURRENT_KEY, json(to));
  return { from: current.pointer?.version ?? null, to, ...(current.unreadable ? { repaired: current.unreadable } : {}) };
}

/** A rollback target must still be whole enough to serve: its object is there and decodes as that version. */
async function checkTarget(store: ObjectStore, target: PublishedVersion): Promise<void> {
  const main = await store.get(target.key);
  if (!main) throw new Error(`version ${target.version} is listed but its object ${target.key} is missing; publish it again with \`edgerec publish <artifact>\`, or roll back to another version`);
  let holds: string;
  try {
    holds = isManifest(main) ? (await decodeManifest(main)).header.version : (await decodeArtifact(main)).header.version;
  } catch (err) {
    throw new Error(`version ${target.version}'s object ${target.key} does not decode (${(err as Error).message}); publish it again with \`edgerec publish <artifact>\`, or roll back to another version`);
  }
  if (holds !== target.version) throw new Error(`${target.key} holds version ${holds}, not ${target.version}; publish it again with \`edgerec publish <artifact>\``);
}
