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
      for (const strategy of ["history", "vectors"] as const) {
        const expected = userRecommendations(whole, u, { k: 5, strategy });
        const got = userRecommendations(shard, where.local, { k: 5, strategy });
        expect(ids(shard, got.items)).toEqual(ids(whole, expected.items));
      }
    }
    expect(shardOfItem(m, "no-such-item")).toBeNull();
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
