import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Artifact,
  type ArtifactManifest,
  encodeArtifact,
  encodeManifest,
  NONE,
  type NeighbourLists,
  type QuantizedVectors,
  type StringTable,
  stringAt,
  stringTable,
} from "../../src/artifact/format.ts";

/** KV's value limit; every shard must stay below it. */
export const KV_VALUE_LIMIT = 25 * 1024 * 1024;
export interface ShardOptions {
  maxShardBytes?: number;
  /** Popular items copied into every shard, overall (default 200) and per category (default 100). */
  popularHead?: number;
  popularHeadPerCategory?: number;
}

export interface ShardedArtifact {
  manifest: Uint8Array;
  shards: Uint8Array[];
}

/**
 * Splits an artifact into self-contained shards (see ArtifactManifest in format.ts): shard s
 * owns a contiguous range of items and of users; it carries their neighbour lists, the lists
 * of its users' history items, and the metadata of every item those lists name.
 * Starts from an estimate of the shard count and doubles it until every shard fits.
 */
export async function shardArtifact(artifact: Artifact, options: ShardOptions = {}): Promise<ShardedArtifact> {
  const max = Math.min(options.maxShardBytes ?? 20 * 1024 * 1024, KV_VALUE_LIMIT);
  const whole = await encodeArtifact(artifact);
  let count = Math.max(2, Math.ceil((whole.length * 2) / max));
  for (let attempt = 0; attempt < 8; attempt++) {
    const shards: Uint8Array[] = [];
    let fits = true;
    for (let s = 0; s < count && fits; s++) {
      const bytes = await encodeArtifact(extractShard(artifact, s, count, options));
      if (bytes.length > max) fits = false;
      shards.push(bytes);
    }
    if (fits) return { manifest: await encodeManifest(buildManifest(artifact, shards, count)), shards };
    count *= 2;
  }
  throw new Error(`cannot split the artifact into shards under ${max} bytes; lower --neighbours or the history length`);
}

/** Writes manifest.bin and shard-<n>.bin into `dir`. */
export async function writeSharded(artifact: Artifact, dir: string, options: ShardOptions = {}): Promise<{ manifestPath: string; shards: number; totalBytes: number }> {
  const { manifest, shards } = await shardArtifact(artifact, options);
  await mkdir(dir, { recursive: true });
  for (let s = 0; s < shards.length; s++) await writeFile(join(dir, `shard-${s}.bin`), shards[s]);
  const manifestPath = join(dir, "manifest.bin");
  await writeFile(manifestPath, manifest);
  return { manifestPath, shards: shards.length, totalBytes: manifest.length + shards.reduce((sum, b) => sum + b.length, 0) };
}

function range(total: number, s: number, count: number): [number, number] {
  const size = Math.ceil(total / count);
  return [Math.min(total, s * size), Math.min(total, (s + 1) * size)];
}

function buildManifest(a: Artifact, shards: Uint8Array[], count: number): ArtifactManifest {
  const n = a.header.counts.items;
  const u = a.header.counts.users;
  const itemShard = new Uint16Array(n);
  const itemLocal = new Uint32Array(n);
  const userShard = new Uint16Array(u);
  const userLocal = new Uint32Array(u);
  const info: ArtifactManifest["shards"] = [];
  for (let s = 0; s < count; s++) {
    const [i0, i1] = range(n, s, count);
    for (let i = i0; i < i1; i++) {
      itemShard[i] = s;
      itemLocal[i] = i - i0;
    }
    const [u0, u1] = range(u, s, count);
    for (let x = u0; x < u1; x++) {
      userShard[x] = s;
      userLocal[x] = x - u0;
    }
    info.push({ bytes: shards[s].length, sha256: createHash("sha256").update(shards[s]).digest("hex"), items: i1 - i0, users: u1 - u0 });
  }
  return {
    header: a.header,
    items: { ids: a.items.ids, shard: itemShard, local: itemLocal },
    users: { ids: a.users.ids, shard: userShard, local: userLocal },
    shards: info,
    popularShard: 0,
  };
}

function rowIds(lists: NeighbourLists, i: number): Uint32Array {
  if (lists.ptr) return lists.ids.subarray(lists.ptr[i], lists.ptr[i + 1]);
  return lists.ids.subarray(i * lists.k, i * lists.k + lists.k);
}

/** Shard s of `count`: a complete Artifact over local item indexes. */
export function extractShard(a: Artifact, s: number, count: number, options: ShardOptions = {}): Artifact {
  const POPULAR_HEAD = options.popularHead ?? 200;
  const POPULAR_HEAD_PER_CATEGORY = options.popularHeadPerCategory ?? 100;
  const n = a.header.counts.items;
  const [i0, i1] = range(n, s, count);
  const [u0, u1] = range(a.header.counts.users, s, count);
  const { historyPtr, historyIds } = a.users;

  // Items whose neighbour lists this shard needs: owned ones and its users' history items.
  const withRows = new Set<number>();
  for (let i = i0; i < i1; i++) withRows.add(i);
  for (let p = historyPtr[u0]; p < historyPtr[u1]; p++) withRows.add(historyIds[p]);
  const local = new Map<number, number>();
  const order: number[] = [];
  const add = (g: number) => {
    if (g === NONE || local.has(g)) return;
    local.set(g, order.length);
    order.push(g);
  };
  for (let i = i0; i < i1; i++) add(i);
  const rest = new Set<number>();
  for (const g of withRows) {
    rest.add(g);
    for (const x of rowIds(a.neighbours, g)) if (x !== NONE) rest.add(x);
    for (const x of rowIds(a.contentNeighbours, g)) rest.add(x);
  }
  const popularHead = a.popular.overall.subarray(0, POPULAR_HEAD);
  for (const x of popularHead) rest.add(x);
  const nCat = a.popular.byCategoryPtr.length - 1;
  for (let c = 0; c < nCat; c++) {
    const start = a.popular.byCategoryPtr[c];
    const end = Math.min(a.popular.byCategoryPtr[c + 1], start + POPULAR_HEAD_PER_CATEGORY);
    for (let p = start; p < end; p++) rest.add(a.popular.byCategoryIds[p]);
  }
  if (a.users.topIds) for (let p = a.users.topPtr![u0]; p < a.users.topPtr![u1]; p++) rest.add(a.users.topIds[p]);
  for (const g of [...rest].sort((x, y) => x - y)) add(g);
  const m = order.length;
  const map = (g: number) => (g === NONE ? NONE : local.get(g)!);

  const pickStrings = (t: StringTable, sortable = false) => stringTable(order.map((g) => stringAt(t, g)), sortable);
  const neighbours = subsetLists(a.neighbours, order, withRows, map);
  const contentNeighbours = subsetLists(a.contentNeighbours, order, withRows, map);

  const byCategoryPtr = new Uint32Array(nCat + 1);
  const byCategory: number[] = [];
  for (let c = 0; c < nCat; c++) {
    const start = a.popular.byCategoryPtr[c];
    const end = Math.min(a.popular.byCategoryPtr[c + 1], start + POPULAR_HEAD_PER_CATEGORY);
    for (let p = start; p < end; p++) byCategory.push(map(a.popular.byCategoryIds[p]));
    byCategoryPtr[c + 1] = byCategory.length;
  }

  const userIds: string[] = [];
  for (let x = u0; x < u1; x++) userIds.push(stringAt(a.users.ids, x));
  const shardHistoryPtr = new Uint32Array(u1 - u0 + 1);
  for (let x = u0; x < u1; x++) shardHistoryPtr[x - u0 + 1] = historyPtr[x + 1] - historyPtr[u0];
  const users: Artifact["users"] = {
    ids: stringTable(userIds, true),
    historyPtr: shardHistoryPtr,
    historyIds: Uint32Array.from(historyIds.subarray(historyPtr[u0], historyPtr[u1]), map),
  };
  if (a.users.topIds && a.users.topPtr) {
    const base = a.users.topPtr[u0];
    users.topPtr = Uint32Array.from(a.users.topPtr.subarray(u0, u1 + 1), (p) => p - base);
    users.topIds = Uint32Array.from(a.users.topIds.subarray(base, a.users.topPtr[u1]), map);
  }
  if (a.users.vectors) users.vectors = subsetVectors(a.users.vectors, Array.from({ length: u1 - u0 }, (_, k) => u0 + k));
  if (a.users.biases) users.biases = a.users.biases.slice(u0, u1);

  const shard: Artifact = {
    header: { ...a.header, counts: { items: m, users: u1 - u0, categories: a.header.counts.categories } },
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
    neighbours,
    contentNeighbours,
    itemInteractions: Uint32Array.from(order, (g) => a.itemInteractions[g]),
    popular: { overall: Uint32Array.from(popularHead, map), byCategoryPtr, byCategoryIds: Uint32Array.from(byCategory) },
    users,
    extra: { ...(a.extra ?? {}), shard: { index: s, of: count, ownedItems: i1 - i0, firstItem: i0, firstUser: u0 } },
  };
  if (a.itemVectors) shard.itemVectors = subsetVectors(a.itemVectors, order);
  if (a.itemBiases) shard.itemBiases = Float32Array.from(order, (g) => a.itemBiases![g]);
  return shard;
}

/**
 * Rows of `order` (those in `withRows`; the rest empty), ids remapped to local indexes. Always
 * the sparse layout: most of a shard's items are there for their metadata only.
 */
function subsetLists(lists: NeighbourLists, order: number[], withRows: Set<number>, map: (g: number) => number): NeighbourLists {
  const m = order.length;
  const lo = new Float32Array(m);
  const hi = new Float32Array(m);
  const start = (g: number) => (lists.ptr ? lists.ptr[g] : g * lists.k);
  const end = (g: number) => {
    if (lists.ptr) return lists.ptr[g + 1];
    let e = g * lists.k;
    while (e < (g + 1) * lists.k && lists.ids[e] !== NONE) e++;
    return e;
  };
  const ptr = new Uint32Array(m + 1);
  const ids: number[] = [];
  const quantized: number[] = [];
  order.forEach((g, l) => {
    if (withRows.has(g)) {
      for (let p = start(g), e = end(g); p < e; p++) {
        ids.push(map(lists.ids[p]));
        quantized.push(lists.quantized[p]);
      }
      lo[l] = lists.lo[g];
      hi[l] = lists.hi[g];
    }
    ptr[l + 1] = ids.length;
  });
  return { k: lists.k, ptr, ids: Uint32Array.from(ids), quantized: Uint8Array.from(quantized), lo, hi };
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
