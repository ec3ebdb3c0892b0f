import { describe, expect, it } from "vitest";
import { type Artifact, ArtifactError, decodeArtifact, decodeManifest, indexOfString, shardOfItem, shardOfUser, stringAt } from "../../../src/artifact/format.ts";
import { similarItems, userRecommendations } from "../../../src/recommend/index.ts";
import { buildArtifactObject } from "../../../trainer/artifact/build.ts";
import { shardArtifact } from "../../../trainer/artifact/shard.ts";
import { GroupModel, smallStore } from "./fixture.ts";

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
    expect(m.shards).toHaveLength(shards.length);
    const decoded: Artifact[] = await Promise.all(shards.map((b) => decodeArtifact(b)));
    const ids = (a: Artifact, xs: { index: number }[]) => xs.map((x) => stringAt(a.items.ids, x.index));
    for (const id of ["item-0", "item-150", "item-295", "item-299"]) {
      const where = shardOfItem(m, id)!;
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
      const where = shardOfUser(m, id)!;
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
    expect(shardOfItem(m, "no-such-item")).toBeNull();
  });

  it("keeps item, user and popular shards apart, each under the cap, and item shards hold each name once", async () => {
    const store = smallStore({ items: 400, users: 150, cold: 10 });
    const { artifact: whole } = await buildArtifactObject({ model: new GroupModel(store.warmItems, 150, store.groups), interactions: store.interactions, items: store.items, k: 8 });
    const max = 40 * 1024;
    const { manifest, shards } = await shardArtifact(whole, { maxShardBytes: max, popularHead: 50, popularHeadPerCategory: 10 });
    const m = await decodeManifest(manifest);
    const kinds = m.shards.map((s) => s.kind);
    expect(kinds[m.popularShard]).toBe("popular");
    expect(kinds.filter((k) => k === "items").length).toBeGreaterThan(1);
    expect(kinds.filter((k) => k === "users").length).toBeGreaterThan(0);
    for (const s of shards) expect(s.length).toBeLessThanOrEqual(max);
    const decoded = await Promise.all(shards.map((b) => decodeArtifact(b, { deep: true })));
    let owned = 0;
    decoded.forEach((shard, s) => {
      const ids = Array.from({ length: shard.header.counts.items }, (_, i) => stringAt(shard.items.ids, i));
      expect(new Set(ids).size).toBe(ids.length);
      if (kinds[s] === "items") {
        owned += m.shards[s].items;
        expect(shard.header.counts.users).toBe(0);
        // Bounded duplication: besides owned rows, at most K + contentK names per owned item (plus the popular top-up head).
        expect(shard.header.counts.items).toBeLessThanOrEqual(m.shards[s].items * (1 + whole.neighbours.k + whole.contentNeighbours.k) + 20 + 20 * whole.header.counts.categories);
      }
      if (kinds[s] === "users") expect(m.shards[s].items).toBe(0);
    });
    expect(owned).toBe(whole.header.counts.items);
    // Every item's manifest entry points at an item shard row holding that id.
    for (let g = 0; g < whole.header.counts.items; g += 7) {
      const id = stringAt(whole.items.ids, g);
      const where = shardOfItem(m, id)!;
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
  });
});
