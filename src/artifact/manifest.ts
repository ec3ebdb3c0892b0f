/**
 * A sharded artifact's manifest and id shards: the shard table, where each id lives, and the
 * checks that a decoded manifest or id shard is consistent before the worker follows it.
 */
import { ArtifactError, CHECKSUM_START, decodeContainer, type DecodeOptions, encodeContainer, hasMagic, ID_SHARD_MAGIC, MANIFEST_MAGIC, PART_MAGIC } from "./container.ts";
import type { ArtifactHeader } from "./header.ts";
import { idBucket } from "./id-hash.ts";
import { indexOfString, type StringTable, stringCount } from "./string-table.ts";

/** What a shard of a sharded artifact holds (see ArtifactManifest). */
export type ShardKind = "items" | "users" | "popular" | "item-ids" | "user-ids";
/** The order of ShardKind codes in the manifest's `shards.kind` column (append only). */
export const SHARD_KINDS: readonly ShardKind[] = ["popular", "items", "users", "item-ids", "user-ids"];

/**
 * The manifest's shard table, one column per field (a row per shard object, data and id
 * shards alike): ~45 bytes per shard, so ~70 KiB for the ~1,500 shards of a 1M catalogue.
 */
export interface ShardTable {
  /** Index into SHARD_KINDS. */
  kind: Uint8Array;
  bytes: Uint32Array;
  /** Items / users the shard owns (rows answered from it; ids held, for id shards). */
  items: Uint32Array;
  users: Uint32Array;
  /**
   * 32 bytes per shard: the shard's own container checksum (SHA-256 of its bytes from offset
   * 48), so the worker checks a shard against the manifest with the digest it computed while
   * the shard streamed in, without hashing twice.
   */
  sha256: Uint8Array;
}

/**
 * A large catalogue is published as a small manifest plus many shards (~3 MiB by default,
 * always under KV's 25 MiB). Every item, user and neighbour row is stored once
 * (shard-parts.ts): items are renumbered so that each item shard (a part) owns a contiguous
 * range of global item indexes, neighbour rows, histories and popularity lists name global
 * indexes, and the worker assembles a small Artifact per query from the parts it touches
 * (shard-view.ts). The build orders items popular head first, then neighbours next to each
 * other, so a query's neighbours mostly sit in few parts.
 *  - item shards: a range of items with their metadata, interactions, neighbour rows
 *    (collaborative, content, together) and vectors;
 *  - the popular shard (`popularShard`): the first item shard, which also carries the category
 *    names, the popularity lists and the artifact's extras;
 *  - user shards: a range of users with their histories, precomputed top-N and vectors.
 * Id shards (IdShard, ~1 MiB each) map ids to (shard, local): an item id lives in id shard
 * `itemIdShards[idBucket(id, itemIdShards.length)]` (id-hash.ts), a user id likewise, so
 * the manifest stays tens of KiB whatever the catalogue size. A similar-items lookup reads
 * manifest → id shard → item shard → the item shards holding its neighbours.
 */
export interface ArtifactManifest {
  header: ArtifactHeader;
  shards: ShardTable;
  /** The shard to read popular items from when no item or user names one. */
  popularShard: number;
  /** Id shard (an index into `shards`) of each item-id bucket; length = bucket count. */
  itemIdShards: Uint32Array;
  /** Id shard of each user-id bucket (empty when there are no users). */
  userIdShards: Uint32Array;
  /** Which shard holds which range of global item and user indexes (format 3, shard-parts.ts). */
  parts: ShardParts;
  /**
   * The same version as one artifact object, published beside the shards when it is small
   * enough to sit in an isolate (progressive loading: the worker answers from shards at once,
   * then swaps to this object in the background). Absent: shards only.
   */
  single?: SingleObject;
}

/**
 * Item shard p holds global items [itemStarts[p], itemStarts[p+1]) and is shard itemShards[p]
 * (`itemStarts` has one more entry than `itemShards`, its last the item count); users likewise.
 */
export interface ShardParts {
  itemShards: Uint32Array;
  itemStarts: Uint32Array;
  userShards: Uint32Array;
  userStarts: Uint32Array;
}

/** Where a sharded version's single-object twin lives and how to check it. */
export interface SingleObject {
  key: string;
  bytes: number;
  /** Its container checksum (SHA-256 of bytes [48, end), stored in its bytes 16..48), like a shard's. */
  sha256: Uint8Array;
}

/** One bucket of ids (all items or all users whose idBucket is `bucket`) and where each lives. */
export interface IdShard {
  kind: "item-ids" | "user-ids";
  version: string;
  bucket: number;
  buckets: number;
  /** The bucket's ids, sortable (binary search, no index to build on a cold lookup). */
  ids: StringTable;
  /** Data shard and row inside it of ids[i]. */
  shard: Uint16Array;
  local: Uint32Array;
}

/** One row of the shard table as a plain object (inspect, reports, tests). */
export interface ShardEntry {
  kind: ShardKind;
  bytes: number;
  items: number;
  users: number;
  sha256: string;
}

/** True when `bytes` start like a sharded artifact's manifest (cheap: magic bytes only). */
export function isManifest(bytes: Uint8Array): boolean {
  return hasMagic(bytes, MANIFEST_MAGIC);
}

/** Encodes a sharded artifact's data shard (its shape: shard-parts.ts). */
export async function encodeShardPartContainer(part: unknown): Promise<Uint8Array> {
  return encodeContainer(part, PART_MAGIC);
}

/** Verifies and decodes a data shard's container; shard-parts.ts checks the shape. */
export async function decodeShardPartContainer(input: Uint8Array | ArrayBuffer, options: DecodeOptions = {}): Promise<unknown> {
  return decodeContainer(input, PART_MAGIC, options);
}

/** True when `bytes` start like a sharded artifact's data shard (shard-parts.ts). */
export function isShardPart(bytes: Uint8Array): boolean {
  return hasMagic(bytes, PART_MAGIC);
}

/** True when `bytes` start like a sharded artifact's id shard. */
export function isIdShard(bytes: Uint8Array): boolean {
  return hasMagic(bytes, ID_SHARD_MAGIC);
}

export async function encodeManifest(manifest: ArtifactManifest): Promise<Uint8Array> {
  return encodeContainer(manifest, MANIFEST_MAGIC);
}

const manifestHint = "rebuild the artifact with `edgerec build-artifact`";

/**
 * Decodes and verifies a sharded artifact's manifest (same checks as decodeArtifact); a
 * manifest of another format version (e.g. 1, which held every id) is refused with how to fix it.
 */
export async function decodeManifest(input: Uint8Array | ArrayBuffer, options: DecodeOptions = {}): Promise<ArtifactManifest> {
  const m = (await decodeContainer(input, MANIFEST_MAGIC, options)) as ArtifactManifest;
  const fail = (what: string): never => {
    throw new ArtifactError(`manifest is inconsistent: ${what}`, manifestHint);
  };
  try {
    if (!m || !m.header || !m.shards || !m.itemIdShards || !m.userIdShards) fail("missing sections");
    const t = m.shards;
    const n = t.kind.length;
    if (t.bytes.length !== n || t.items.length !== n || t.users.length !== n || t.sha256.length !== 32 * n) fail("shard table columns differ in length");
    for (let s = 0; s < n; s++) if (t.kind[s] >= SHARD_KINDS.length) fail(`shard ${s} has unknown kind ${t.kind[s]}`);
    const kindOf = (s: number) => (s < n ? SHARD_KINDS[t.kind[s]] : undefined);
    if (kindOf(m.popularShard) !== "popular") fail("the popular shard is missing");
    if (m.header.counts.items > 0 && m.itemIdShards.length === 0) fail("no item id shards");
    if (m.header.counts.users > 0 && m.userIdShards.length === 0) fail("no user id shards");
    for (const s of m.itemIdShards) if (kindOf(s) !== "item-ids") fail("an item id bucket names a shard that is not an item id shard");
    for (const s of m.userIdShards) if (kindOf(s) !== "user-ids") fail("a user id bucket names a shard that is not a user id shard");
    const p = m.parts;
    if (!p || !p.itemShards || !p.itemStarts || !p.userShards || !p.userStarts) fail("missing the part table");
    const ranges = [
      [p.itemShards, p.itemStarts, m.header.counts.items, "item", (k: ShardKind | undefined) => k === "items" || k === "popular"],
      [p.userShards, p.userStarts, m.header.counts.users, "user", (k: ShardKind | undefined) => k === "users"],
    ] as const;
    for (const [shards, starts, count, what, kindOk] of ranges) {
      if (starts.length !== shards.length + 1 || starts[0] !== 0 || starts[shards.length] !== count) fail(`the ${what} parts do not cover the ${count} ${what}s`);
      for (let q = 0; q < shards.length; q++) {
        if (starts[q] > starts[q + 1]) fail(`the ${what} part ranges decrease`);
        if (!kindOk(kindOf(shards[q]))) fail(`${what} part ${q} names a shard of another kind`);
      }
    }
    if (p.itemShards.length > 0 && p.itemShards[0] !== m.popularShard) fail("the popular shard is not the first item part");
    if (m.single !== undefined) {
      const x = m.single;
      if (!x || typeof x.key !== "string" || !x.key || !Number.isInteger(x.bytes) || x.bytes <= CHECKSUM_START || !(x.sha256 instanceof Uint8Array) || x.sha256.length !== 32) {
        fail("the single object's key, size or checksum is malformed");
      }
    }
  } catch (err) {
    if (err instanceof ArtifactError) throw err;
    throw new ArtifactError(`manifest is malformed: ${(err as Error).message}`, manifestHint);
  }
  return m;
}

export function shardCount(m: ArtifactManifest): number {
  return m.shards.kind.length;
}

export function shardKindOf(m: ArtifactManifest, s: number): ShardKind {
  return SHARD_KINDS[m.shards.kind[s]];
}

/** The manifest's recorded checksum of shard s (32 bytes, a view). */
export function shardSha256(m: ArtifactManifest, s: number): Uint8Array {
  return m.shards.sha256.subarray(32 * s, 32 * s + 32);
}

export function shardEntry(m: ArtifactManifest, s: number): ShardEntry {
  const t = m.shards;
  const hex = Array.from(shardSha256(m, s), (b) => b.toString(16).padStart(2, "0")).join("");
  return { kind: shardKindOf(m, s), bytes: t.bytes[s], items: t.items[s], users: t.users[s], sha256: hex };
}

/** The id shard that routes item `id`, or -1 when the catalogue has no items. */
export function idShardOfItem(m: ArtifactManifest, id: string): number {
  const b = m.itemIdShards.length;
  return b === 0 ? -1 : m.itemIdShards[idBucket(id, b)];
}

/** The id shard that routes user `id`, or -1 when the catalogue has no users. */
export function idShardOfUser(m: ArtifactManifest, id: string): number {
  const b = m.userIdShards.length;
  return b === 0 ? -1 : m.userIdShards[idBucket(id, b)];
}

export async function encodeIdShard(idShard: IdShard): Promise<Uint8Array> {
  return encodeContainer(idShard, ID_SHARD_MAGIC);
}

/** Decodes and verifies an id shard; `shards` (the manifest's shard count) range-checks its entries. */
export async function decodeIdShard(input: Uint8Array | ArrayBuffer, options: DecodeOptions & { shards?: number } = {}): Promise<IdShard> {
  const x = (await decodeContainer(input, ID_SHARD_MAGIC, options)) as IdShard;
  const fail = (what: string): never => {
    throw new ArtifactError(`id shard is inconsistent: ${what}`, manifestHint);
  };
  try {
    if (!x || (x.kind !== "item-ids" && x.kind !== "user-ids") || !x.ids?.sorted) fail("missing sections");
    const n = stringCount(x.ids);
    if (x.ids.sorted!.length !== n || x.shard.length !== n || x.local.length !== n) fail("section lengths differ");
    if (options.shards !== undefined) for (let i = 0; i < n; i++) if (x.shard[i] >= options.shards) fail(`an entry names shard ${x.shard[i]} of ${options.shards}`);
  } catch (err) {
    if (err instanceof ArtifactError) throw err;
    throw new ArtifactError(`id shard is malformed: ${(err as Error).message}`, manifestHint);
  }
  return x;
}

/** Where `id` lives according to its id shard: data shard and row, or null when unknown. */
export function locateId(idShard: IdShard, id: string): { shard: number; local: number } | null {
  const i = indexOfString(idShard.ids, id);
  return i < 0 ? null : { shard: idShard.shard[i], local: idShard.local[i] };
}
