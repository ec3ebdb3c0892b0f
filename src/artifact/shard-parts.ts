/**
 * The data shards of a sharded artifact (manifest format 3): parts that hold every item, user
 * and neighbour row exactly once. Items are numbered globally (the build renumbers them so each
 * item part owns a contiguous range, see ShardParts in manifest.ts); every reference to an item
 * (neighbour rows, histories, top-N, popularity lists) is a global index, so a part never needs
 * a copy of another part's items. The worker assembles what a query needs (shard-view.ts).
 */
import type { Artifact } from "./artifact.ts";
import { ArtifactError, type DecodeOptions } from "./container.ts";
import { decodeShardPartContainer, encodeShardPartContainer } from "./manifest.ts";
import { type NeighbourLists, NONE } from "./neighbour-rows.ts";
import type { StringTable } from "./string-table.ts";
import type { QuantizedVectors } from "./vectors.ts";

/** What only the popular shard (the first item part) carries beside its items. */
export interface PartHead {
  categories: Artifact["categories"];
  /** Global item indexes, most popular first (heads of the artifact's lists; see ShardOptions). */
  popular: Artifact["popular"];
  /** The artifact's extras (training charts…), stored once here. */
  extra?: Record<string, unknown>;
}

/** Items [start, start + count) with everything stored per item; lists are sparse over global indexes. */
export interface ItemPart {
  kind: "items";
  version: string;
  start: number;
  items: Artifact["items"];
  itemInteractions: Uint32Array;
  neighbours: NeighbourLists;
  contentNeighbours: NeighbourLists;
  together?: NeighbourLists;
  itemVectors?: QuantizedVectors;
  itemBiases?: Float32Array;
  head?: PartHead;
}

/** Users [start, start + count); histories and top-N name global item indexes. */
export interface UserPart {
  kind: "users";
  version: string;
  start: number;
  users: Artifact["users"];
}

export type ShardPart = ItemPart | UserPart;

const hint = "rebuild the artifact with `edgerec build-artifact` and publish it again";

export async function encodeShardPart(part: ShardPart): Promise<Uint8Array> {
  return encodeShardPartContainer(part);
}

/** Rows in a part. */
export function partRows(part: ShardPart): number {
  return part.kind === "items" ? part.items.ids.offsets.length - 1 : part.users.ids.offsets.length - 1;
}

/**
 * Decodes and verifies a data shard, and checks its shape against the manifest: `items` (the
 * catalogue's item count) bounds every item reference, so views index without bounds checks.
 */
export async function decodeShardPart(input: Uint8Array | ArrayBuffer, options: DecodeOptions & { items: number }): Promise<ShardPart> {
  const part = (await decodeShardPartContainer(input, options)) as ShardPart;
  try {
    checkPart(part, options.items);
  } catch (err) {
    if (err instanceof ArtifactError) throw err;
    throw new ArtifactError(`data shard is malformed: ${(err as Error).message}`, hint);
  }
  return part;
}

function checkPart(part: ShardPart, items: number): void {
  const fail = (what: string): never => {
    throw new ArtifactError(`data shard is inconsistent: ${what}`, hint);
  };
  if (!part || (part.kind !== "items" && part.kind !== "users") || !Number.isInteger(part.start) || part.start < 0) fail("missing sections");
  const refs = (xs: Uint32Array, what: string) => {
    for (let i = 0; i < xs.length; i++) if (xs[i] >= items) fail(`${what} refers to item ${xs[i]} of ${items}`);
  };
  if (part.kind === "users") {
    const u = part.users;
    const n = count(u.ids);
    if (n < 0 || u.historyPtr.length !== n + 1 || u.historyPtr[n] !== u.historyIds.length) fail("user history length");
    refs(u.historyIds, "a history");
    if (u.topPtr || u.topIds) {
      if (!u.topPtr || !u.topIds || u.topPtr.length !== n + 1 || u.topPtr[n] !== u.topIds.length) fail("user top-N length");
      refs(u.topIds!, "a top-N list");
    }
    if (u.vectors && vectorRows(u.vectors) !== n) fail("user vectors length");
    if (u.biases && u.biases.length !== n) fail("user biases length");
    return;
  }
  const n = count(part.items.ids);
  if (n < 0 || part.start + n > items) fail(`items ${part.start}..${part.start + n} are outside the catalogue's ${items}`);
  for (const name of ["titles", "brands", "categoryPaths", "imageUrls", "urls"] as const) if (count(part.items[name]) !== n) fail(`items.${name} length`);
  if (part.items.prices.length !== n || part.items.topCategory.length !== n || part.itemInteractions.length !== n) fail("item prices/categories/interactions length");
  for (const [name, lists] of [["neighbours", part.neighbours], ["contentNeighbours", part.contentNeighbours], ["together", part.together]] as const) {
    if (!lists) {
      if (name === "together") continue;
      fail(`missing ${name}`);
    }
    const l = lists!;
    if (!l.ptr || l.ptr.length !== n + 1 || l.ptr[n] !== l.ids.length || l.quantized.length !== l.ids.length || l.lo.length !== n || l.hi.length !== n) fail(`${name} length`);
    for (let i = 0; i < n; i++) if (l.ptr![i] > l.ptr![i + 1]) fail(`${name} offsets decrease`);
    refs(l.ids, name);
  }
  if (part.itemVectors && vectorRows(part.itemVectors) !== n) fail("item vectors length");
  if (part.itemBiases && part.itemBiases.length !== n) fail("item biases length");
  if (part.head) {
    const p = part.head.popular;
    const categories = count(part.head.categories?.names);
    if (categories < 0 || !p || p.byCategoryPtr.length !== categories + 1 || p.byCategoryPtr[categories] !== p.byCategoryIds.length) fail("popularity by category length");
    refs(p.overall, "the popular list");
    refs(p.byCategoryIds, "a category's popular list");
  }
}

function count(t: StringTable | undefined): number {
  return t && t.offsets && t.data ? t.offsets.length - 1 : -1;
}

function vectorRows(v: QuantizedVectors): number {
  const data = v.encoding === "int8" ? v.int8 : v.float16;
  if (!data || !(v.dim > 0)) return -1;
  if (v.encoding === "int8" && (!v.scale || v.scale.length * v.dim !== data.length)) return -1;
  return data.length / v.dim;
}
