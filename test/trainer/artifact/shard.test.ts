import { describe, expect, it } from "vitest";
import {
  type Artifact,
  type ArtifactManifest,
  ArtifactError,
  decodeArtifact,
  decodeIdShard,
  decodeManifest,
  idShardOfItem,
  idShardOfUser,
  indexOfString,
  locateId,
  MANIFEST_FORMAT_VERSION,
  shardCount,
  shardEntry,
  shardKindOf,
  stringAt,
  stringCountOf,
} from "../../../src/artifact/format.ts";
import { idBucket } from "../../../src/artifact/id-hash.ts";
import { similarItems, userRecommendations } from "../../../src/recommend/index.ts";
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
const decodeData = (m: ArtifactManifest, shards: Uint8Array[], deep = false) =>
  Promise.all(shards.map((b, s) => (isData(m, s) ? decodeArtifact(b, { deep }) : (undefined as unknown as Artifact))));

describe("sharded artifacts", () => {
  it("split into shards under the size limit, each answering similar-items and user recommendations like the whole", async () => {
    const store = smallStore({ items: 300, users: 120, cold: 10 });
    const model = new GroupModel(store.warmItems, 120, store.groups);
    const { artifact: whole } = await buildArtifactObject({ model, interactions: store.interactions, items: store.items, k: 8 });
    const max = 48 * 1024;
    const { manifest, shards } = await shardArtifact(whole, { maxShardBytes: max, popularHead: 100, popularHeadPerCategory: 10 });
    expect(shards.length).toBeGreaterThan(1);
    for (const s of shards) expect(s.length).toBeLessThanOrEqual(max);
    const m = await decodeManifest(manifest);
    expect(m.header.version).toBe(whole.header.version);
    expect(shardCount(m)).toBe(shards.length);
    const decoded = await decodeData(m, shards);
    const ids = (a: Artifact, xs: { index: number }[]) => xs.map((x) => stringAt(a.items.ids, x.index));
    for (const id of ["item-0", "item-150", "item-295", "item-299"]) {
      const where = (await locate(m, shards, "item", id))!;
      const shard = decoded[where.shard];
      expect(stringAt(shard.items.ids, where.local)).toBe(id);
      const g = indexOfString(whole.items.ids, id);
      const expected = similarItems(whole, g, { k: 5 });
      const got = similarItems(shard, where.local, { k: 5 });
      expect(got.source).toBe(expected.source);
      expect(ids(shard, got.items)).toEqual(ids(whole, expected.items));
      expect(got.items.map((x) => stringAt(shard.items.titles, x.index))).toEqual(expected.items.map((x) => stringAt(whole.items.titles, x.index)));
    }
    for (const id of ["user-0", "user-77", "user-119"]) {
      const where = (await locate(m, shards, "user", id))!;
      const shard = decoded[where.shard];
      const u = indexOfString(whole.users.ids, id);
      // User shards carry histories and the precomputed top-N, not neighbour rows: the default strategy.
      expect(whole.users.topIds).toBeDefined();
      for (const strategy of ["precomputed"] as const) {
        const expected = userRecommendations(whole, u, { k: 5, strategy });
        const got = userRecommendations(shard, where.local, { k: 5, strategy });
        expect(ids(shard, got.items)).toEqual(ids(whole, expected.items));
      }
    }
    expect(await locate(m, shards, "item", "no-such-item")).toBeNull();
    expect(await locate(m, shards, "user", "no-such-user")).toBeNull();
  });

  it("keeps item, user and popular shards apart, each under the cap, and item shards hold each name once", async () => {
    const store = smallStore({ items: 400, users: 150, cold: 10 });
    const { artifact: whole } = await buildArtifactObject({ model: new GroupModel(store.warmItems, 150, store.groups), interactions: store.interactions, items: store.items, k: 8 });
    const max = 40 * 1024;
    const { manifest, shards } = await shardArtifact(whole, { maxShardBytes: max, popularHead: 50, popularHeadPerCategory: 10 });
    const m = await decodeManifest(manifest);
    const entries = Array.from({ length: shardCount(m) }, (_, s) => shardEntry(m, s));
    const kinds = entries.map((s) => s.kind);
    expect(kinds[m.popularShard]).toBe("popular");
    expect(kinds.filter((k) => k === "items").length).toBeGreaterThan(1);
    expect(kinds.filter((k) => k === "users").length).toBeGreaterThan(0);
    for (const s of shards) expect(s.length).toBeLessThanOrEqual(max);
    const decoded = await decodeData(m, shards, true);
    let owned = 0;
    decoded.forEach((shard, s) => {
      if (!shard) return;
      const ids = Array.from({ length: shard.header.counts.items }, (_, i) => stringAt(shard.items.ids, i));
      expect(new Set(ids).size).toBe(ids.length);
      if (kinds[s] === "items") {
        owned += entries[s].items;
        expect(shard.header.counts.users).toBe(0);
        // Bounded duplication: besides owned rows, at most K + contentK names per owned item (plus the popular top-up head).
        expect(shard.header.counts.items).toBeLessThanOrEqual(entries[s].items * (1 + whole.neighbours.k + whole.contentNeighbours.k) + 20 + 20 * whole.header.counts.categories);
      }
      if (kinds[s] === "users") expect(entries[s].items).toBe(0);
    });
    expect(owned).toBe(whole.header.counts.items);
    // Every item's id shard entry points at an item shard row holding that id.
    for (let g = 0; g < whole.header.counts.items; g += 7) {
      const id = stringAt(whole.items.ids, g);
      const where = (await locate(m, shards, "item", id))!;
      expect(kinds[where.shard]).toBe("items");
      expect(stringAt(decoded[where.shard].items.ids, where.local)).toBe(id);
    }
    // Popular items are answered from the popular shard like from the whole.
    const popular = decoded[m.popularShard];
    expect(Array.from(popular.popular.overall.subarray(0, 10), (i) => stringAt(popular.items.ids, i))).toEqual(Array.from(whole.popular.overall.subarray(0, 10), (i) => stringAt(whole.items.ids, i)));
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
    await expect(decodeIdShard(shards[0])).rejects.toThrow(/single artifact, not a sharded artifact's id shard/);
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
      [whole.items.ids, m.itemIdShards, (a: Artifact) => a.items.ids],
      [whole.users.ids, m.userIdShards, (a: Artifact) => a.users.ids],
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
    await expect(decodeManifest(old)).rejects.toThrow(/manifest format version 1 is not supported.*rebuild the sharded artifact with this trainer/);
    const newer = manifest.slice();
    new DataView(newer.buffer).setUint32(8, MANIFEST_FORMAT_VERSION + 1, true);
    await expect(decodeManifest(newer)).rejects.toThrow(/deploy a newer worker/);
  });
});
