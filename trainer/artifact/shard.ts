import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Artifact,
  artifactKey,
  type ArtifactManifest,
  decodeArtifact,
  encodeIdShard,
  encodeManifest,
  encodeShardPart,
  idBucket,
  type ItemPart,
  KV_VALUE_LIMIT,
  SHARD_KINDS,
  type ShardKind,
  type SingleObject,
  stringAt,
  type StringTable,
  stringTable,
} from "../../src/artifact/index.ts";
import { itemOrder } from "./shard-order.ts";
import { itemBytes, itemPart, partHead, renumbering, userBytes, userPart } from "./shard-parts.ts";

/** KV's value limit (keys.ts, shared with the worker); every shard must stay below it. */
export { KV_VALUE_LIMIT };
/** Default shard size: small shards keep a cold fetch short and the worker's shard cache fine-grained. */
export const DEFAULT_SHARD_BYTES = 3 * 1024 * 1024;
/** Default id shard cap: an id shard sits on every cold lookup's critical path, so keep it small. */
export const DEFAULT_ID_SHARD_BYTES = 1024 * 1024;

/**
 * Above this size `edgerec build-artifact` shards by default. A single artifact's cold start
 * grows with its size (read + verify + decode, ~10 ms per MiB under wrangler dev) while a sharded
 * one reads manifest → id shard → data shard whatever the size; see docs/benchmarks.md (Serving).
 * Always below KV's value limit, so a default build can be published to KV.
 */
export const DEFAULT_SHARD_THRESHOLD_BYTES = 8 * 1024 * 1024;

/** Single object or shards for an encoded artifact of `bytes` (the build's default layout rule). */
export function chooseLayout(bytes: number, options: { single?: boolean; shardBytes?: number } = {}): { layout: "single" | "sharded"; maxShardBytes: number; why: string } {
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  if (options.single && options.shardBytes !== undefined) throw new Error("--single and --shard-bytes contradict each other; pass one");
  if (options.single) return { layout: "single", maxShardBytes: 0, why: `--single${bytes >= KV_VALUE_LIMIT ? ` (${mib(bytes)} is over KV's 25 MiB value limit: publish it to R2 only)` : ""}` };
  if (options.shardBytes !== undefined) {
    return bytes > options.shardBytes
      ? { layout: "sharded", maxShardBytes: options.shardBytes, why: `${mib(bytes)} > --shard-bytes ${mib(options.shardBytes)}` }
      : { layout: "single", maxShardBytes: 0, why: `${mib(bytes)} <= --shard-bytes ${mib(options.shardBytes)}` };
  }
  return bytes > DEFAULT_SHARD_THRESHOLD_BYTES
    ? { layout: "sharded", maxShardBytes: DEFAULT_SHARD_BYTES, why: `${mib(bytes)} is over the ${mib(DEFAULT_SHARD_THRESHOLD_BYTES)} default threshold (pass --single to keep one object)` }
    : { layout: "single", maxShardBytes: 0, why: `${mib(bytes)} is under the ${mib(DEFAULT_SHARD_THRESHOLD_BYTES)} default threshold` };
}

/**
 * A sharded build also writes the version as one object when it is at most this big (progressive
 * loading: the worker answers from shards, then swaps to it). 48 MiB: that object plus the shard
 * cache it replaces (56 MiB) stays under ~110 MiB at the swap, inside a 128 MB isolate.
 */
export const DEFAULT_SINGLE_BESIDE_MAX_BYTES = 48 * 1024 * 1024;

/**
 * Whether a sharded build of `bytes` (the single encoding's size) also writes that single object:
 * not above `maxBytes` (0 = never), and never above KV's value limit when it is built for KV.
 */
export function singleBesideShards(bytes: number, options: { maxBytes?: number; kv?: boolean } = {}): { write: boolean; why: string } {
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  const max = options.maxBytes ?? DEFAULT_SINGLE_BESIDE_MAX_BYTES;
  if (max <= 0) return { write: false, why: "single object beside the shards turned off" };
  if (bytes > max) return { write: false, why: `${mib(bytes)} as one object is over the ${mib(max)} an isolate may hold beside its shard cache` };
  if (options.kv && bytes > KV_VALUE_LIMIT) return { write: false, why: `${mib(bytes)} as one object is over KV's 25 MiB value limit` };
  return { write: true, why: `${mib(bytes)} as one object fits an isolate: the worker swaps to it after answering from shards` };
}

export interface ShardOptions {
  /**
   * The same artifact encoded as one object (encodeArtifact): the manifest names it (`single`)
   * and writeSharded writes it as artifact.bin beside the shards.
   */
  single?: Uint8Array;
  /** Size cap of every shard (default 3 MiB, at most 25 MiB). */
  maxShardBytes?: number;
  /** Size cap of every id shard (default 1 MiB, at most maxShardBytes). */
  maxIdShardBytes?: number;
  /** Popular items the popular shard lists (and owns), overall (default 200) and per category (default 100). */
  popularHead?: number;
  popularHeadPerCategory?: number;
}

export interface ShardedArtifact {
  manifest: Uint8Array;
  /** Every shard object: item parts (the popular one first), user parts, then id shards; shard i is published as shard-<i>.bin. */
  shards: Uint8Array[];
}

/** A contiguous range of a part's rows (new item indexes, or user indexes) and its encoding. */
interface Packed {
  start: number;
  end: number;
  bytes: Uint8Array;
}

/**
 * Splits an artifact into data shards that store every row once (src/artifact/shard-parts.ts):
 * item parts over the items renumbered popular-first and neighbour-adjacent (shard-order.ts),
 * the first of which is the popular shard; user parts over ranges of users. Each kind is packed
 * greedily by its rows' estimated bytes; a part that still comes out over the cap is split in
 * half. Then the item and user id shards (packIds) that route an id to its part and row,
 * appended after the data shards, and the small manifest over all of them.
 */
export async function shardArtifact(artifact: Artifact, options: ShardOptions = {}): Promise<ShardedArtifact> {
  const max = Math.min(options.maxShardBytes ?? DEFAULT_SHARD_BYTES, KV_VALUE_LIMIT);
  const n = artifact.header.counts.items;
  const u = artifact.header.counts.users;
  const overall = options.popularHead ?? 200;
  const perCategory = options.popularHeadPerCategory ?? 100;
  const { order, headItems } = itemOrder(artifact, { overall, perCategory });
  const r = renumbering(order);
  const head = partHead(artifact, r, overall, perCategory);
  const headBytes = (await encodeShardPart({ kind: "items", version: artifact.header.version, start: 0, ...emptyItems(artifact), head })).length;
  if (headBytes > max) {
    throw new Error(`the popular shard needs ${headBytes} bytes before any item, over the ${max}-byte cap; raise --shard-bytes (it holds the ${overall} most popular items and ${perCategory} per category, and the category names)`);
  }
  // The popular shard owns only the items its lists name: it sits on every cold start's path, so keep it small.
  const itemParts = await pack(n, (j) => itemBytes(artifact, r.order[j]), max, (start, end) => encodeShardPart(itemPart(artifact, r, start, end, start === 0 ? head : undefined)), "item", headBytes, headItems);
  const userParts = await pack(u, (x) => userBytes(artifact, x), max, (start, end) => encodeShardPart(userPart(artifact, r, start, end)), "user", 0, 0);
  const dataShards = itemParts.length + userParts.length;
  if (dataShards > 0xffff) throw new Error(`${dataShards} data shards exceed the id shards' 65535; raise --shard-bytes`);

  // Where each id lives, by its index in the artifact's own id tables.
  const itemShard = new Uint16Array(n);
  const itemLocal = new Uint32Array(n);
  itemParts.forEach((p, s) => {
    for (let j = p.start; j < p.end; j++) ((itemShard[r.order[j]] = s), (itemLocal[r.order[j]] = j - p.start));
  });
  const userShard = new Uint16Array(u);
  const userLocal = new Uint32Array(u);
  userParts.forEach((p, q) => {
    for (let x = p.start; x < p.end; x++) ((userShard[x] = itemParts.length + q), (userLocal[x] = x - p.start));
  });
  const idMax = Math.min(options.maxIdShardBytes ?? DEFAULT_ID_SHARD_BYTES, max);
  const itemIds = await packIds("item-ids", artifact.items.ids, itemShard, itemLocal, idMax, artifact.header.version);
  const userIds = await packIds("user-ids", artifact.users.ids, userShard, userLocal, idMax, artifact.header.version);

  const shards = [...itemParts.map((p) => p.bytes), ...userParts.map((p) => p.bytes), ...itemIds.shards, ...userIds.shards];
  const rows: Row[] = [
    ...itemParts.map((p, s): Row => ({ kind: s === 0 ? "popular" : "items", items: p.end - p.start, users: 0 })),
    ...userParts.map((p): Row => ({ kind: "users", items: 0, users: p.end - p.start })),
    ...itemIds.counts.map((c): Row => ({ kind: "item-ids", items: c, users: 0 })),
    ...userIds.counts.map((c): Row => ({ kind: "user-ids", items: 0, users: c })),
  ];
  const starts = (parts: Packed[], count: number) => Uint32Array.from([...parts.map((p) => p.start), count]);
  const manifest: ArtifactManifest = {
    header: artifact.header,
    shards: shardTable(rows, shards),
    popularShard: 0,
    itemIdShards: Uint32Array.from(itemIds.shards, (_, b) => dataShards + b),
    userIdShards: Uint32Array.from(userIds.shards, (_, b) => dataShards + itemIds.shards.length + b),
    parts: {
      itemShards: Uint32Array.from(itemParts, (_, s) => s),
      itemStarts: starts(itemParts, n),
      userShards: Uint32Array.from(userParts, (_, q) => itemParts.length + q),
      userStarts: starts(userParts, u),
    },
  };
  if (options.single) manifest.single = await singleObjectEntry(options.single, artifact.header.version);
  return { manifest: await encodeManifest(manifest), shards };
}

/** An item part's sections with no rows (sizing the popular shard's fixed share). */
function emptyItems(a: Artifact): Omit<ItemPart, "kind" | "version" | "start" | "head"> {
  const none = () => stringTable([]);
  const lists = (k: number) => ({ k, ptr: new Uint32Array(1), ids: new Uint32Array(0), quantized: new Uint8Array(0), lo: new Float32Array(0), hi: new Float32Array(0) });
  return {
    items: { ids: none(), titles: none(), brands: none(), categoryPaths: none(), imageUrls: none(), urls: none(), prices: new Float32Array(0), topCategory: new Uint32Array(0) },
    itemInteractions: new Uint32Array(0),
    neighbours: lists(a.neighbours.k),
    contentNeighbours: lists(a.contentNeighbours.k),
  };
}

/**
 * Contiguous ranges of `count` rows, each encoded under `max`: filled to ~92% of the cap by the
 * rows' estimated bytes (the first range after `firstFixed` bytes of its own, and ending by row
 * `firstEnd` when that is > 0), split in half when the encoding still comes out over. Always at
 * least one range (an empty catalogue's popular shard).
 */
async function pack(count: number, rowBytes: (i: number) => number, max: number, encode: (start: number, end: number) => Promise<Uint8Array>, what: string, firstFixed: number, firstEnd: number): Promise<Packed[]> {
  const budget = max * 0.92;
  const ranges: [number, number][] = [];
  let start = 0;
  let used = firstFixed + 4096;
  for (let i = 0; i < count; i++) {
    const b = rowBytes(i);
    if (i > start && (used + b > budget || (start === 0 && i === firstEnd))) {
      ranges.push([start, i]);
      start = i;
      used = 4096;
    }
    used += b;
  }
  if (count > start || ranges.length === 0) ranges.push([start, count]);
  const out: Packed[] = [];
  while (ranges.length) {
    const [a, b] = ranges.shift()!;
    const bytes = await encode(a, b);
    if (bytes.length > max) {
      if (b - a <= 1) throw new Error(`one ${what} alone needs a ${bytes.length}-byte shard, over the ${max}-byte cap; raise --shard-bytes`);
      const half = a + Math.ceil((b - a) / 2);
      ranges.unshift([a, half], [half, b]);
      continue;
    }
    out.push({ start: a, end: b, bytes });
  }
  if (count === 0 && what === "user") return [];
  return out;
}

/**
 * Id shards of one id table: ids bucketed by idBucket (id-hash.ts, shared with the worker),
 * bucket b holding its ids (sortable UTF-8 table) and each id's (data shard, local row). The
 * bucket count is a power of two sized from the bytes per id, doubled until every bucket fits.
 */
async function packIds(kind: "item-ids" | "user-ids", ids: StringTable, shardOf: Uint16Array, localOf: Uint32Array, max: number, version: string): Promise<{ shards: Uint8Array[]; counts: number[] }> {
  const n = ids.offsets.length - 1;
  if (n === 0) return { shards: [], counts: [] };
  const strings = Array.from({ length: n }, (_, i) => stringAt(ids, i));
  const hashes = new Uint32Array(n);
  // Per id: its UTF-8 bytes + offset (4) + sorted index (4) + shard (2) + local (4).
  const estimate = ids.data.length + 14 * n;
  let buckets = 1;
  while (estimate / buckets > max * 0.7) buckets *= 2;
  for (;;) {
    for (let i = 0; i < n; i++) hashes[i] = idBucket(strings[i], buckets);
    const members: number[][] = Array.from({ length: buckets }, () => []);
    for (let i = 0; i < n; i++) members[hashes[i]].push(i);
    const shards: Uint8Array[] = [];
    for (let b = 0; b < buckets; b++) {
      const rows = members[b];
      shards.push(
        await encodeIdShard({
          kind,
          version,
          bucket: b,
          buckets,
          ids: stringTable(rows.map((i) => strings[i]), true),
          shard: Uint16Array.from(rows, (i) => shardOf[i]),
          local: Uint32Array.from(rows, (i) => localOf[i]),
        }),
      );
      if (shards[b].length > max) break;
    }
    if (shards.length === buckets && shards.every((x) => x.length <= max)) return { shards, counts: members.map((rows) => rows.length) };
    if (buckets >= 1 << 16) throw new Error(`${kind} do not fit ${max}-byte id shards even in ${buckets} buckets; raise --shard-bytes`);
    buckets *= 2;
  }
}

interface Row {
  kind: ShardKind;
  items: number;
  users: number;
}

/** The manifest's shard table; a shard's checksum is its container checksum (bytes 16..48). */
function shardTable(rows: Row[], shards: Uint8Array[]): ArtifactManifest["shards"] {
  const n = shards.length;
  const table = { kind: new Uint8Array(n), bytes: new Uint32Array(n), items: new Uint32Array(n), users: new Uint32Array(n), sha256: new Uint8Array(32 * n) };
  for (let s = 0; s < n; s++) {
    table.kind[s] = SHARD_KINDS.indexOf(rows[s].kind);
    table.bytes[s] = shards[s].length;
    table.items[s] = rows[s].items;
    table.users[s] = rows[s].users;
    table.sha256.set(shards[s].subarray(16, 48), 32 * s);
  }
  return table;
}

/** The manifest's entry for the version's single object; refuses bytes of another version or corrupt ones. */
async function singleObjectEntry(single: Uint8Array, version: string): Promise<SingleObject> {
  const { header } = await decodeArtifact(single);
  if (header.version !== version) throw new Error(`the single object holds version ${header.version}, not ${version}: encode the artifact being sharded`);
  return { key: artifactKey(version), bytes: single.length, sha256: single.slice(16, 48) };
}

/** The single object's file inside a sharded build's directory (next to manifest.bin). */
export const SINGLE_FILE = "artifact.bin";

/** Writes manifest.bin and shard-<n>.bin into `dir` (and artifact.bin when `options.single` is given). */
export async function writeSharded(artifact: Artifact, dir: string, options: ShardOptions = {}): Promise<{ manifestPath: string; shards: number; totalBytes: number; singleBytes: number }> {
  const { manifest, shards } = await shardArtifact(artifact, options);
  await mkdir(dir, { recursive: true });
  for (let s = 0; s < shards.length; s++) await writeFile(join(dir, `shard-${s}.bin`), shards[s]);
  // Before the manifest: a directory whose manifest names a single object always holds it.
  if (options.single) await writeFile(join(dir, SINGLE_FILE), options.single);
  const manifestPath = join(dir, "manifest.bin");
  await writeFile(manifestPath, manifest);
  return { manifestPath, shards: shards.length, totalBytes: manifest.length + shards.reduce((sum, b) => sum + b.length, 0), singleBytes: options.single?.length ?? 0 };
}
