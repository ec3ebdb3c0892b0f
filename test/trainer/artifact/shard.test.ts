import { describe, expect, it } from "vitest";
import {
  type Artifact,
  ArtifactError,
  type ArtifactManifest,
  assembleView,
  decodeArtifact,
  decodeIdShard,
  decodeManifest,
  decodeShardPart,
  encodeArtifact,
  idBucket,
  idShardOfItem,
  idShardOfUser,
  indexOfString,
  type ItemPart,
  locateId,
  MANIFEST_FORMAT_VERSION,
  planView,
  shardCount,
  shardEntry,
  shardKindOf,
  type ShardPart,
  stringAt,
  stringCountOf,
  userItems,
  type UserPart,
} from "../../../src/artifact/index.ts";
import { basketRecommendations, similarItems, userRecommendations } from "../../../src/recommend/index.ts";
import { buildArtifactObject } from "../../../trainer/artifact/build.ts";
import { DEFAULT_ID_SHARD_BYTES, KV_VALUE_LIMIT, shardArtifact } from "../../../trainer/artifact/shard.ts";
import { GroupModel, smallStore } from "../support/group-store.ts";

/** Where an item or user lives, read the way the worker does: manifest → id shard → (shard, local). */
async function locate(m: ArtifactManifest, shards: Uint8Array[], kind: "item" | "user", id: string) {
  const s = kind === "item" ? idShardOfItem(m, id) : idShardOfUser(m, id);
  return s < 0 ? null : locateId(await decodeIdShard(shards[s], { shards: shards.length }), id);
}

const isData = (m: ArtifactManifest, s: number) => !shardKindOf(m, s).endsWith("-ids");
/** Data shards decoded (id shards left undefined). */
const decodeData = (m: ArtifactManifest, shards: Uint8Array[]) =>
  Promise.all(shards.map((b, s) => (isData(m, s) ? decodeShardPart(b, { items: m.header.counts.items }) : (undefined as unknown as ShardPart))));

/** The worker's read path over decoded parts: a view of items with rows (similar, basket) or of a user. */
function viewer(m: ArtifactManifest, parts: ShardPart[]) {
  const starts = m.parts.itemStarts;
  const at = (g: number) => {
    let q = 0;
    while (starts[q + 1] <= g) q++;
    return { part: parts[m.parts.itemShards[q]] as ItemPart, local: g - starts[q] };
  };
  const head = (parts[m.popularShard] as ItemPart).head!;
  const global = (where: { shard: number; local: number }) => starts[m.parts.itemShards.indexOf(where.shard)] + where.local;
  return {
    global,
    /** Which item parts a view of these rows touches (the worker reads exactly these). */
    partsRead(rows: number[]): Set<number> {
      const plan = planView({ rows, popularOverall: 20, popularByCategory: () => 0 }, head, at);
      return new Set(plan.order.map((g) => at(g).part.start));
    },
    items(rows: number[], categoryHead = -1): Artifact {
      const plan = planView({ rows, popularOverall: 20, popularByCategory: (c) => (c === categoryHead ? 20 : 0) }, head, at);
      return assembleView(m.header, head, plan, at);
    },
    user(where: { shard: number; local: number }): Artifact {
      const part = parts[where.shard] as UserPart;
      const { history, top } = userItems(part, where.local);
      const plan = planView({ rows: [], named: [...history, ...top], popularOverall: 20, popularByCategory: () => 0 }, head, at);
      return assembleView(m.header, head, plan, at, { part, local: where.local });
    },
    popular(): Artifact {
      const plan = planView({ rows: [], popularOverall: Infinity, popularByCategory: () => Infinity }, head, at);
      return assembleView(m.header, head, plan, at, undefined, true);
    },
  };
}

const ids = (a: Artifact, xs: { index: number }[]) => xs.map((x) => stringAt(a.items.ids, x.index));

describe("sharded artifacts", () => {
  it("split into shards under the size limit; views assembled from them answer like the whole", async () => {
    const store = smallStore({ items: 300, users: 120, cold: 10 });
    const model = new GroupModel(store.warmItems, 120, store.groups);
    const { artifact: whole } = await buildArtifactObject({ model, interactions: store.interactions, items: store.items, k: 8 });
    const max = 24 * 1024;
    const { manifest, shards } = await shardArtifact(whole, { maxShardBytes: max, popularHead: 100, popularHeadPerCategory: 10 });
    expect(shards.length).toBeGreaterThan(3);
    for (const s of shards) expect(s.length).toBeLessThanOrEqual(max);
    const m = await decodeManifest(manifest);
    expect(m.header.version).toBe(whole.header.version);
    expect(shardCount(m)).toBe(shards.length);
    const v = viewer(m, await decodeData(m, shards));
    for (const id of ["item-0", "item-150", "item-295", "item-299"]) {
      const where = (await locate(m, shards, "item", id))!;
      const g = indexOfString(whole.items.ids, id);
      const view = v.items([v.global(where)], whole.items.topCategory[g]);
      expect(stringAt(view.items.ids, 0)).toBe(id);
      const expected = similarItems(whole, g, { k: 5 });
      const got = similarItems(view, 0, { k: 5 });
      expect(got.source).toBe(expected.source);
      expect(ids(view, got.items)).toEqual(ids(whole, expected.items));
      expect(got.items.map((x) => x.score)).toEqual(expected.items.map((x) => x.score));
      expect(got.items.map((x) => stringAt(view.items.titles, x.index))).toEqual(expected.items.map((x) => stringAt(whole.items.titles, x.index)));
    }
    // A basket spanning parts is one view, scored exactly as by the whole artifact.
    const basket = ["item-3", "item-151", "item-290"];
    const basketView = v.items(await Promise.all(basket.map(async (id) => v.global((await locate(m, shards, "item", id))!))));
    const expectedBasket = basketRecommendations(whole, basket.map((id) => indexOfString(whole.items.ids, id)), { k: 6 });
    const gotBasket = basketRecommendations(basketView, [0, 1, 2], { k: 6 });
    // Equal scores may tie-break differently (by index), so compare the scores and the clear winners.
    expect(gotBasket.map((x) => x.score)).toEqual(expectedBasket.map((x) => x.score));
    const last = expectedBasket[expectedBasket.length - 1].score;
    expect(ids(basketView, gotBasket.filter((x) => x.score > last))).toEqual(ids(whole, expectedBasket.filter((x) => x.score > last)));
    for (const id of ["user-0", "user-77", "user-119"]) {
      const where = (await locate(m, shards, "user", id))!;
      const view = v.user(where);
      const u = indexOfString(whole.users.ids, id);
      expect(whole.users.topIds).toBeDefined();
      const expected = userRecommendations(whole, u, { k: 5, strategy: "precomputed" });
      const got = userRecommendations(view, 0, { k: 5, strategy: "precomputed" });
      expect(ids(view, got.items)).toEqual(ids(whole, expected.items));
    }
    expect(await locate(m, shards, "item", "no-such-item")).toBeNull();
    expect(await locate(m, shards, "user", "no-such-user")).toBeNull();
    // Popular items are answered from the popular shard like from the whole, with the artifact's extras.
    const popular = v.popular();
    expect(Array.from(popular.popular.overall.subarray(0, 10), (i) => stringAt(popular.items.ids, i))).toEqual(Array.from(whole.popular.overall.subarray(0, 10), (i) => stringAt(whole.items.ids, i)));
    expect(popular.extra).toEqual(whole.extra);
  });

  it("stores every item and user once: all shards together take at most 1.25x the single object", async () => {
    const store = smallStore({ items: 1500, users: 400, cold: 20, groups: 5 });
    const { artifact: whole } = await buildArtifactObject({ model: new GroupModel(store.warmItems, 400, store.groups), interactions: store.interactions, items: store.items, k: 10 });
    const single = await encodeArtifact(whole);
    const max = 48 * 1024;
    const { manifest, shards } = await shardArtifact(whole, { maxShardBytes: max, popularHead: 50, popularHeadPerCategory: 10 });
    const m = await decodeManifest(manifest);
    const entries = Array.from({ length: shardCount(m) }, (_, s) => shardEntry(m, s));
    const kinds = entries.map((s) => s.kind);
    expect(kinds[m.popularShard]).toBe("popular");
    expect(kinds.filter((k) => k === "items").length).toBeGreaterThan(3);
    expect(kinds.filter((k) => k === "users").length).toBeGreaterThan(0);
    for (const s of shards) expect(s.length).toBeLessThanOrEqual(max);
    const total = manifest.length + shards.reduce((sum, b) => sum + b.length, 0);
    // The old layout (every shard repeating its neighbours' rows) took 8.7x here.
    expect(total / single.length).toBeLessThanOrEqual(1.25);
    const parts = await decodeData(m, shards);
    const itemSeen = new Map<string, number>();
    const userSeen = new Map<string, number>();
    parts.forEach((part, s) => {
      if (!part) return;
      const table = part.kind === "items" ? part.items.ids : part.users.ids;
      const seen = part.kind === "items" ? itemSeen : userSeen;
      expect(stringCountOf(table)).toBe(part.kind === "items" ? entries[s].items : entries[s].users);
      for (let i = 0; i < stringCountOf(table); i++) seen.set(stringAt(table, i), (seen.get(stringAt(table, i)) ?? 0) + 1);
    });
    expect(itemSeen.size).toBe(whole.header.counts.items);
    expect(userSeen.size).toBe(whole.header.counts.users);
    expect([...itemSeen.values(), ...userSeen.values()].every((c) => c === 1)).toBe(true);
    // Neighbours are laid out next to each other: a similar-items view reads few item parts.
    const v = viewer(m, parts);
    const itemParts = m.parts.itemShards.length;
    const reads: number[] = [];
    for (let g = 0; g < whole.header.counts.items; g += 13) reads.push(v.partsRead([g]).size);
    reads.sort((a, b) => a - b);
    expect(reads[reads.length >> 1]).toBeLessThanOrEqual(3);
    expect(reads[reads.length >> 1]).toBeLessThan(itemParts / 2);
  });

  it("manifests and artifacts are told apart with a clear message", async () => {
    const store = smallStore({ items: 60, users: 20 });
    const { artifact } = await buildArtifactObject({ model: new GroupModel(store.warmItems, 20, 3), interactions: store.interactions, items: store.items });
    const { manifest, shards } = await shardArtifact(artifact, { maxShardBytes: 16 * 1024, popularHead: 10, popularHeadPerCategory: 5 });
    await expect(decodeArtifact(manifest)).rejects.toThrow(/manifest, not a single artifact/);
    await expect(decodeManifest(shards[0])).rejects.toThrow(ArtifactError);
    const bad = manifest.slice();
    bad[bad.length - 1] ^= 1;
    await expect(decodeManifest(bad)).rejects.toThrow(/checksum mismatch/);
    await expect(decodeIdShard(shards[0])).rejects.toThrow(/sharded artifact's data shard, not a sharded artifact's id shard/);
    // A data shard is checked against the catalogue it belongs to: references past its items are refused.
    const m = await decodeManifest(manifest);
    await expect(decodeShardPart(shards[m.popularShard], { items: 3 })).rejects.toThrow(/data shard is inconsistent: .*(outside the catalogue|refers to item)/);
    const part = await decodeShardPart(shards[m.popularShard], { items: m.header.counts.items });
    expect(part.kind).toBe("items");
    await expect(decodeArtifact(shards[0])).rejects.toThrow(/data shard, not a single artifact/);
  });

  it("splits ids into several id shards by hash, each under its cap, and every id routes to its own row", async () => {
    const store = smallStore({ items: 600, users: 300, cold: 10 });
    const { artifact: whole } = await buildArtifactObject({ model: new GroupModel(store.warmItems, 300, store.groups), interactions: store.interactions, items: store.items, k: 8 });
    const idCap = 4 * 1024;
    const { manifest, shards } = await shardArtifact(whole, { maxShardBytes: 64 * 1024, maxIdShardBytes: idCap, popularHead: 20, popularHeadPerCategory: 5 });
    const m = await decodeManifest(manifest);
    expect(m.itemIdShards.length).toBeGreaterThanOrEqual(4);
    expect(m.userIdShards.length).toBeGreaterThanOrEqual(2);
    // Power-of-two bucket counts, each bucket its own id shard of the right kind, under the cap.
    for (const [buckets, kind] of [[m.itemIdShards, "item-ids"], [m.userIdShards, "user-ids"]] as const) {
      expect(buckets.length & (buckets.length - 1)).toBe(0);
      expect(new Set(buckets).size).toBe(buckets.length);
      for (const s of buckets) {
        expect(shardKindOf(m, s)).toBe(kind);
        expect(shards[s].length).toBeLessThanOrEqual(idCap);
      }
    }
    const decoded = await decodeData(m, shards);
    const seen = new Map<string, number>();
    for (const [table, buckets, rows] of [
      [whole.items.ids, m.itemIdShards, (p: ShardPart) => (p as ItemPart).items.ids],
      [whole.users.ids, m.userIdShards, (p: ShardPart) => (p as UserPart).users.ids],
    ] as const) {
      // Each bucket holds exactly the ids that hash to it, and each id's entry names its data row.
      let total = 0;
      for (let b = 0; b < buckets.length; b++) {
        const idShard = await decodeIdShard(shards[buckets[b]], { shards: shards.length });
        expect(idShard.bucket).toBe(b);
        expect(idShard.version).toBe(whole.header.version);
        for (let i = 0; i < stringCountOf(idShard.ids); i++) {
          const id = stringAt(idShard.ids, i);
          expect(idBucket(id, buckets.length)).toBe(b);
          expect(stringAt(rows(decoded[idShard.shard[i]]), idShard.local[i])).toBe(id);
          seen.set(id, (seen.get(id) ?? 0) + 1);
        }
        total += stringCountOf(idShard.ids);
      }
      expect(total).toBe(stringCountOf(table));
    }
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
  });

  it("keeps the manifest small (no id lists) and every object under KV's limit with the default caps", async () => {
    const sizes: number[] = [];
    for (const items of [300, 1200]) {
      const store = smallStore({ items, users: items / 2, cold: 10 });
      const { artifact: whole } = await buildArtifactObject({ model: new GroupModel(store.warmItems, items / 2, store.groups), interactions: store.interactions, items: store.items, k: 8 });
      const { manifest, shards } = await shardArtifact(whole, { maxShardBytes: 32 * 1024, popularHead: 20, popularHeadPerCategory: 5 });
      const m = await decodeManifest(manifest);
      for (const s of shards) expect(s.length).toBeLessThan(KV_VALUE_LIMIT);
      for (const s of [...m.itemIdShards, ...m.userIdShards]) expect(shards[s].length).toBeLessThanOrEqual(DEFAULT_ID_SHARD_BYTES);
      // The header plus ~45 bytes per shard; no per-id bytes.
      expect(manifest.length).toBeLessThan(4096 + 64 * shards.length);
      sizes.push(manifest.length - 45 * shards.length);
    }
    // 4x the items: the manifest grows with the shard count only.
    expect(Math.abs(sizes[1] - sizes[0])).toBeLessThan(512);
  });

  it("refuses a manifest of another format version, naming the fix", async () => {
    const store = smallStore({ items: 60, users: 20 });
    const { artifact } = await buildArtifactObject({ model: new GroupModel(store.warmItems, 20, 3), interactions: store.interactions, items: store.items });
    const { manifest } = await shardArtifact(artifact, { maxShardBytes: 16 * 1024, popularHead: 10, popularHeadPerCategory: 5 });
    const old = manifest.slice();
    new DataView(old.buffer).setUint32(8, MANIFEST_FORMAT_VERSION - 1, true);
    await expect(decodeManifest(old)).rejects.toThrow(/manifest format version 2 is not supported.*repeated their neighbours' metadata.*rebuild the sharded artifact with this trainer/);
    const newer = manifest.slice();
    new DataView(newer.buffer).setUint32(8, MANIFEST_FORMAT_VERSION + 1, true);
    await expect(decodeManifest(newer)).rejects.toThrow(/deploy a newer worker/);
  });
});
