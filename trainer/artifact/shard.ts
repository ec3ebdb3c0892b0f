import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Artifact,
  artifactKey,
  type ArtifactManifest,
  decodeArtifact,
  encodeArtifact,
  encodeIdShard,
  encodeManifest,
  idBucket,
  KV_VALUE_LIMIT,
  type NeighbourLists,
  NONE,
  type QuantizedVectors,
  SHARD_KINDS,
  type ShardKind,
  type SingleObject,
  stringAt,
  type StringTable,
  stringTable,
} from "../../src/artifact/index.ts";

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
  /** Popular items in the popular shard, overall (default 200) and per category (default 100). */
  popularHead?: number;
  popularHeadPerCategory?: number;
  /** Popular items per category copied into item shards for topping up short lists (default 20). */
  itemShardPopularPerCategory?: number;
}

export interface ShardedArtifact {
  manifest: Uint8Array;
  /** Every shard object, data shards first, then id shards; shard i is published as shard-<i>.bin. */
  shards: Uint8Array[];
}

interface ShardPlan {
  kind: ShardKind;
  /** Id shards: the bucket they hold. */
  bucket?: number;
  /** Global item indexes that own a neighbour row here (item shards) … */
  items: number[];
  /** … or the global user indexes owned here (user shards). */
  users: number[];
}

/**
 * Splits an artifact into three kinds of data shards (see ArtifactManifest in src/artifact/manifest.ts), each a
 * complete Artifact: item shards (items grouped by category path so neighbours' metadata is
 * shared), user shards, and one popular shard. Each kind is packed greedily by an estimate of
 * bytes per owned row; a shard that still comes out over the cap is split in half. Then the
 * item and user id shards (packIds) that route an id to its data shard, appended after the data
 * shards, and the small manifest over all of them.
 */
export async function shardArtifact(artifact: Artifact, options: ShardOptions = {}): Promise<ShardedArtifact> {
  const max = Math.min(options.maxShardBytes ?? DEFAULT_SHARD_BYTES, KV_VALUE_LIMIT);
  const n = artifact.header.counts.items;
  const u = artifact.header.counts.users;
  const itemOrder = Array.from({ length: n }, (_, i) => i);
  const paths = itemOrder.map((i) => stringAt(artifact.items.categoryPaths, i));
  itemOrder.sort((x, y) => (paths[x] < paths[y] ? -1 : paths[x] > paths[y] ? 1 : x - y));
  const userOrder = Array.from({ length: u }, (_, x) => x);

  const plans: ShardPlan[] = [{ kind: "popular", items: [], users: [] }];
  const encoded: Uint8Array[] = [];
  const pack = async (kind: ShardKind, order: number[]) => {
    if (order.length === 0) return;
    // Estimate bytes per owned row from a trial shard, then fill shards to ~85% of the cap.
    const trial = order.slice(0, Math.min(order.length, 256));
    const trialBytes = (await encodeArtifact(extractShard(artifact, planOf(kind, trial), options))).length;
    const perRow = Math.max(1, trialBytes / trial.length);
    const rows = Math.max(1, Math.floor((max * 0.85) / perRow));
    const queue: number[][] = [];
    for (let start = 0; start < order.length; start += rows) queue.push(order.slice(start, start + rows));
    while (queue.length) {
      const part = queue.shift()!;
      const plan = planOf(kind, part);
      const bytes = await encodeArtifact(extractShard(artifact, plan, options));
      if (bytes.length > max) {
        if (part.length === 1) throw new Error(`one ${kind === "items" ? "item" : "user"} alone needs a ${bytes.length}-byte shard, over the ${max}-byte cap; raise --shard-bytes`);
        const half = Math.ceil(part.length / 2);
        queue.unshift(part.slice(0, half), part.slice(half));
        continue;
      }
      plans.push(plan);
      encoded.push(bytes);
    }
  };
  const popularBytes = await encodeArtifact(extractShard(artifact, plans[0], options));
  if (popularBytes.length > max) throw new Error(`the popular shard needs ${popularBytes.length} bytes, over the ${max}-byte cap; raise --shard-bytes (the popular shard holds the ${options.popularHead ?? 200} most popular items and ${options.popularHeadPerCategory ?? 100} per category)`);
  encoded.push(popularBytes);
  await pack("items", itemOrder);
  await pack("users", userOrder);
  const dataShards = plans.length;
  if (dataShards > 0xffff) throw new Error(`${dataShards} data shards exceed the id shards' 65535; raise --shard-bytes`);
  const idMax = Math.min(options.maxIdShardBytes ?? DEFAULT_ID_SHARD_BYTES, max);
  const itemIdShards = await packIds("item-ids", artifact.items.ids, plans, idMax, artifact.header.version);
  const userIdShards = await packIds("user-ids", artifact.users.ids, plans, idMax, artifact.header.version);
  const manifest: ArtifactManifest = {
    header: artifact.header,
    shards: shardTable([...plans, ...itemIdShards.plans, ...userIdShards.plans], [...encoded, ...itemIdShards.shards, ...userIdShards.shards]),
    popularShard: 0,
    itemIdShards: Uint32Array.from(itemIdShards.shards, (_, b) => dataShards + b),
    userIdShards: Uint32Array.from(userIdShards.shards, (_, b) => dataShards + itemIdShards.shards.length + b),
  };
  if (options.single) manifest.single = await singleObjectEntry(options.single, artifact.header.version);
  return { manifest: await encodeManifest(manifest), shards: [...encoded, ...itemIdShards.shards, ...userIdShards.shards] };
}

/**
 * Id shards of one id table: ids bucketed by idBucket (id-hash.ts, shared with the worker),
 * bucket b holding its ids (sortable UTF-8 table) and each id's (data shard, local row). The
 * bucket count is a power of two sized from the bytes per id, doubled until every bucket fits.
 */
async function packIds(kind: "item-ids" | "user-ids", ids: StringTable, plans: ShardPlan[], max: number, version: string): Promise<{ shards: Uint8Array[]; plans: ShardPlan[] }> {
  const n = ids.offsets.length - 1;
  if (n === 0) return { shards: [], plans: [] };
  const shardOf = new Uint16Array(n);
  const localOf = new Uint32Array(n);
  // Owned rows come first in a data shard, in plan order (see extractShard).
  plans.forEach((plan, s) => (kind === "item-ids" ? plan.items : plan.users).forEach((g, l) => ((shardOf[g] = s), (localOf[g] = l))));
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
    if (shards.length === buckets && shards.every((x) => x.length <= max)) {
      return { shards, plans: members.map((rows, b) => ({ kind, bucket: b, items: kind === "item-ids" ? rows : [], users: kind === "user-ids" ? rows : [] })) };
    }
    if (buckets >= 1 << 16) throw new Error(`${kind} do not fit ${max}-byte id shards even in ${buckets} buckets; raise --shard-bytes`);
    buckets *= 2;
  }
}

/** The manifest's shard table; a shard's checksum is its container checksum (bytes 16..48). */
function shardTable(plans: ShardPlan[], shards: Uint8Array[]): ArtifactManifest["shards"] {
  const n = shards.length;
  const table = { kind: new Uint8Array(n), bytes: new Uint32Array(n), items: new Uint32Array(n), users: new Uint32Array(n), sha256: new Uint8Array(32 * n) };
  for (let s = 0; s < n; s++) {
    table.kind[s] = SHARD_KINDS.indexOf(plans[s].kind);
    table.bytes[s] = shards[s].length;
    table.items[s] = plans[s].items.length;
    table.users[s] = plans[s].users.length;
    table.sha256.set(shards[s].subarray(16, 48), 32 * s);
  }
  return table;
}

function planOf(kind: ShardKind, rows: number[]): ShardPlan {
  return kind === "users" ? { kind, items: [], users: rows } : { kind, items: rows, users: [] };
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

function rowRange(lists: NeighbourLists, g: number): [number, number] {
  if (lists.ptr) return [lists.ptr[g], lists.ptr[g + 1]];
  let e = g * lists.k;
  while (e < (g + 1) * lists.k && lists.ids[e] !== NONE) e++;
  return [g * lists.k, e];
}

/**
 * One shard as a complete Artifact over local item indexes: the owned items first (with their
 * neighbour rows), then, without rows, every other item the shard names (neighbours, history,
 * top-N, popular head), each once.
 */
function extractShard(a: Artifact, plan: ShardPlan, options: ShardOptions): Artifact {
  const nCat = a.popular.byCategoryPtr.length - 1;
  const local = new Map<number, number>();
  const order: number[] = [];
  const add = (g: number) => {
    if (g === NONE || local.has(g)) return;
    local.set(g, order.length);
    order.push(g);
  };
  for (const g of plan.items) add(g);
  const owned = order.length;
  for (const g of plan.items) {
    for (const lists of [a.neighbours, a.contentNeighbours]) {
      const [p0, p1] = rowRange(lists, g);
      for (let p = p0; p < p1; p++) add(lists.ids[p]);
    }
  }
  const { historyPtr, historyIds } = a.users;
  for (const x of plan.users) {
    for (let p = historyPtr[x]; p < historyPtr[x + 1]; p++) add(historyIds[p]);
    if (a.users.topIds && a.users.topPtr) for (let p = a.users.topPtr[x]; p < a.users.topPtr[x + 1]; p++) add(a.users.topIds[p]);
  }

  // Popularity: the full head in the popular shard; a short head for topping up elsewhere.
  let overallHead: Uint32Array;
  const categoryHead = new Array<number>(nCat).fill(0);
  if (plan.kind === "popular") {
    overallHead = a.popular.overall.subarray(0, options.popularHead ?? 200);
    categoryHead.fill(options.popularHeadPerCategory ?? 100);
  } else if (plan.kind === "items") {
    overallHead = a.popular.overall.subarray(0, 20);
    const perCategory = options.itemShardPopularPerCategory ?? 20;
    for (const g of plan.items) if (a.items.topCategory[g] !== NONE && a.items.topCategory[g] < nCat) categoryHead[a.items.topCategory[g]] = perCategory;
  } else {
    overallHead = a.popular.overall.subarray(0, 20);
  }
  for (const g of overallHead) add(g);
  const byCategoryPtr = new Uint32Array(nCat + 1);
  const byCategory: number[] = [];
  for (let c = 0; c < nCat; c++) {
    const start = a.popular.byCategoryPtr[c];
    const end = Math.min(a.popular.byCategoryPtr[c + 1], start + categoryHead[c]);
    for (let p = start; p < end; p++) {
      add(a.popular.byCategoryIds[p]);
      byCategory.push(local.get(a.popular.byCategoryIds[p])!);
    }
    byCategoryPtr[c + 1] = byCategory.length;
  }
  const m = order.length;
  const map = (g: number) => (g === NONE ? NONE : local.get(g)!);
  const pickStrings = (t: StringTable, sortable = false) => stringTable(order.map((g) => stringAt(t, g)), sortable);

  const users: Artifact["users"] = { ids: stringTable(plan.users.map((x) => stringAt(a.users.ids, x)), true), historyPtr: new Uint32Array(plan.users.length + 1), historyIds: new Uint32Array(0) };
  const history: number[] = [];
  plan.users.forEach((x, l) => {
    for (let p = historyPtr[x]; p < historyPtr[x + 1]; p++) history.push(map(historyIds[p]));
    users.historyPtr[l + 1] = history.length;
  });
  users.historyIds = Uint32Array.from(history);
  if (a.users.topIds && a.users.topPtr) {
    const topPtr = new Uint32Array(plan.users.length + 1);
    const top: number[] = [];
    plan.users.forEach((x, l) => {
      for (let p = a.users.topPtr![x]; p < a.users.topPtr![x + 1]; p++) top.push(map(a.users.topIds![p]));
      topPtr[l + 1] = top.length;
    });
    users.topPtr = topPtr;
    users.topIds = Uint32Array.from(top);
  }
  if (a.users.vectors) users.vectors = subsetVectors(a.users.vectors, plan.users);
  if (a.users.biases) users.biases = Float32Array.from(plan.users, (x) => a.users.biases![x]);

  const shard: Artifact = {
    header: { ...a.header, counts: { items: m, users: plan.users.length, categories: a.header.counts.categories } },
    items: {
      ids: pickStrings(a.items.ids, true),
      titles: pickStrings(a.items.titles),
      brands: pickStrings(a.items.brands),
      categoryPaths: pickStrings(a.items.categoryPaths),
      imageUrls: pickStrings(a.items.imageUrls),
      urls: pickStrings(a.items.urls),
      prices: Float32Array.from(order, (g) => a.items.prices[g]),
      topCategory: Uint32Array.from(order, (g) => a.items.topCategory[g]),
    },
    categories: a.categories,
    neighbours: subsetLists(a.neighbours, order, owned, map),
    contentNeighbours: subsetLists(a.contentNeighbours, order, owned, map),
    itemInteractions: Uint32Array.from(order, (g) => a.itemInteractions[g]),
    popular: { overall: Uint32Array.from(overallHead, map), byCategoryPtr, byCategoryIds: Uint32Array.from(byCategory) },
    users,
    // Not the whole artifact's extras (training charts…): the manifest's header describes the version.
    extra: { shard: { kind: plan.kind, ownedItems: owned, ownedUsers: plan.users.length } },
  };
  if (a.itemVectors) shard.itemVectors = subsetVectors(a.itemVectors, order);
  if (a.itemBiases) shard.itemBiases = Float32Array.from(order, (g) => a.itemBiases![g]);
  return shard;
}

/** Rows of the first `owned` items of `order` (the rest empty), ids remapped to local indexes; always sparse. */
function subsetLists(lists: NeighbourLists, order: number[], owned: number, map: (g: number) => number): NeighbourLists {
  const m = order.length;
  const lo = new Float32Array(m);
  const hi = new Float32Array(m);
  const ptr = new Uint32Array(m + 1);
  let total = 0;
  for (let l = 0; l < owned; l++) {
    const [p0, p1] = rowRange(lists, order[l]);
    total += p1 - p0;
  }
  const ids = new Uint32Array(total);
  const quantized = new Uint8Array(total);
  let w = 0;
  for (let l = 0; l < m; l++) {
    if (l < owned) {
      const g = order[l];
      const [p0, p1] = rowRange(lists, g);
      for (let p = p0; p < p1; p++) {
        ids[w] = map(lists.ids[p]);
        quantized[w++] = lists.quantized[p];
      }
      lo[l] = lists.lo[g];
      hi[l] = lists.hi[g];
    }
    ptr[l + 1] = w;
  }
  return { k: lists.k, ptr, ids, quantized, lo, hi };
}

function subsetVectors(v: QuantizedVectors, rows: number[]): QuantizedVectors {
  const dim = v.dim;
  if (v.encoding === "int8") {
    const int8 = new Int8Array(rows.length * dim);
    const scale = new Float32Array(rows.length);
    rows.forEach((g, l) => {
      int8.set(v.int8!.subarray(g * dim, g * dim + dim), l * dim);
      scale[l] = v.scale![g];
    });
    return { dim, encoding: "int8", int8, scale };
  }
  const float16 = new Uint16Array(rows.length * dim);
  rows.forEach((g, l) => float16.set(v.float16!.subarray(g * dim, g * dim + dim), l * dim));
  return { dim, encoding: "float16", float16 };
}
