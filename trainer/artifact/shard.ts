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
  type ShardKind,
  type StringTable,
  stringAt,
  stringTable,
} from "../../src/artifact/format.ts";

/** KV's value limit; every shard must stay below it. */
export const KV_VALUE_LIMIT = 25 * 1024 * 1024;
/** Default shard size: small shards keep a cold fetch short and the worker's shard cache fine-grained. */
export const DEFAULT_SHARD_BYTES = 3 * 1024 * 1024;

export interface ShardOptions {
  /** Size cap of every shard (default 3 MiB, at most 25 MiB). */
  maxShardBytes?: number;
  /** Popular items in the popular shard, overall (default 200) and per category (default 100). */
  popularHead?: number;
  popularHeadPerCategory?: number;
  /** Popular items per category copied into item shards for topping up short lists (default 20). */
  itemShardPopularPerCategory?: number;
}

export interface ShardedArtifact {
  manifest: Uint8Array;
  shards: Uint8Array[];
}

interface ShardPlan {
  kind: ShardKind;
  /** Global item indexes that own a neighbour row here (item shards) … */
  items: number[];
  /** … or the global user indexes owned here (user shards). */
  users: number[];
}

/**
 * Splits an artifact into three kinds of shards (see ArtifactManifest in format.ts), each a
 * complete Artifact: item shards (items grouped by category path so neighbours' metadata is
 * shared), user shards, and one popular shard. Each kind is packed greedily by an estimate of
 * bytes per owned row; a shard that still comes out over the cap is split in half.
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
  if (popularBytes.length > max) throw new Error(`the popular shard needs ${popularBytes.length} bytes, over the ${max}-byte cap; lower --popular-head or raise --shard-bytes`);
  encoded.push(popularBytes);
  await pack("items", itemOrder);
  await pack("users", userOrder);
  return { manifest: await encodeManifest(buildManifest(artifact, plans, encoded)), shards: encoded };
}

function planOf(kind: ShardKind, rows: number[]): ShardPlan {
  return kind === "users" ? { kind, items: [], users: rows } : { kind, items: rows, users: [] };
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

function buildManifest(a: Artifact, plans: ShardPlan[], shards: Uint8Array[]): ArtifactManifest {
  const itemShard = new Uint16Array(a.header.counts.items);
  const itemLocal = new Uint32Array(a.header.counts.items);
  const userShard = new Uint16Array(a.header.counts.users);
  const userLocal = new Uint32Array(a.header.counts.users);
  if (plans.length > 0xffff) throw new Error(`${plans.length} shards exceed the manifest's 65535; raise --shard-bytes`);
  plans.forEach((plan, s) => {
    // Owned rows come first in a shard, in plan order (see extractShard).
    plan.items.forEach((g, l) => {
      itemShard[g] = s;
      itemLocal[g] = l;
    });
    plan.users.forEach((x, l) => {
      userShard[x] = s;
      userLocal[x] = l;
    });
  });
  return {
    header: a.header,
    items: { ids: a.items.ids, shard: itemShard, local: itemLocal },
    users: { ids: a.users.ids, shard: userShard, local: userLocal },
    shards: plans.map((plan, s) => ({
      bytes: shards[s].length,
      sha256: createHash("sha256").update(shards[s]).digest("hex"),
      items: plan.items.length,
      users: plan.users.length,
      kind: plan.kind,
    })),
    popularShard: 0,
  };
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
