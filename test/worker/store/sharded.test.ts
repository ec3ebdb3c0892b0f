/** A sharded version (manifest + shards built by the trainer): only the shards a query touches are fetched. */
import { beforeEach, describe, expect, inject, it } from "vitest";
import { CURRENT_KEY, manifestKey, shardKey, type CurrentPointer } from "../../../src/artifact/index.ts";
import { ShardedCatalog } from "../../../src/store/sharded.ts";
import { baseEnv, client, download, problemOf, publishR2, unpublishAll } from "../support/helpers.ts";

const { sharded, v1, trainedNote } = inject("artifacts");

async function publishSharded(skipShard = -1): Promise<void> {
  const s = sharded!;
  const keys = s.shardUrls.map((_, i) => shardKey(s.version, i));
  for (let i = 0; i < s.shardUrls.length; i++) if (i !== skipShard) await baseEnv.ARTIFACTS.put(keys[i], await download(s.shardUrls[i]));
  await baseEnv.ARTIFACTS.put(manifestKey(s.version), await download(s.manifestUrl));
  const pointer: CurrentPointer = {
    version: s.version,
    layout: "sharded",
    key: manifestKey(s.version),
    shards: keys,
    createdAt: "2026-11-29T00:30:00.000Z",
    publishedAt: new Date().toISOString(),
    metrics: {},
    headlineMetric: "ndcg@10",
    bytes: 0,
  };
  await baseEnv.ARTIFACTS.put(CURRENT_KEY, JSON.stringify(pointer));
}

describe("sharded artifacts", () => {
  it("were built during setup", () => {
    expect(trainedNote).toBe("");
    expect(sharded!.shardUrls.length).toBeGreaterThanOrEqual(2);
  });

  beforeEach(async () => {
    await unpublishAll();
  });

  it("similar items fetch only the item's id shard and item shard (plus the popularity shard)", async () => {
    await publishSharded();
    const api = client();
    const last = sharded!.items[sharded!.items.length - 1];
    const { status, body } = await api.json(`/v1/items/${encodeURIComponent(last)}/similar?k=5`);
    expect(status).toBe(200);
    expect(body.version).toBe(sharded!.version);
    expect(body.items.length).toBeGreaterThan(0);
    const catalog = (await api.app.deps.store.current(api.env)) as ShardedCatalog;
    expect(catalog.layout).toBe("sharded");
    expect(catalog.loadedShards().length).toBeLessThanOrEqual(3);
    expect(catalog.loadedShards().length).toBeLessThan(sharded!.shardUrls.length);
  });

  it("a cold similar-items reads the id shard and the item shards its view needs; a warm one reads none", async () => {
    await publishSharded();
    const api = client();
    const store = api.app.deps.store;
    expect((await api.json("/v1/popular?k=3")).status).toBe(200);
    const catalog = (await store.current(api.env)) as ShardedCatalog;
    const itemParts = catalog.manifest.parts.itemShards.length;
    const [a, b] = [sharded!.items[3], sharded!.items[sharded!.items.length - 4]];
    let decodes = store.decodes;
    const first = await api.json(`/v1/items/${encodeURIComponent(a)}/similar?k=5`);
    expect(first.status).toBe(200);
    // Cold: one id shard, plus item shards other than the pinned popular one (never more than there are).
    const cold = store.decodes - decodes;
    expect(cold).toBeGreaterThanOrEqual(1);
    expect(cold).toBeLessThanOrEqual(1 + itemParts - 1);
    // Warm: the same item reads nothing and reuses its assembled view.
    decodes = store.decodes;
    const assembled = catalog.viewAssemblies;
    const again = await api.json(`/v1/items/${encodeURIComponent(a)}/similar?k=5`);
    expect(again.body.items).toEqual(first.body.items);
    expect(store.decodes).toBe(decodes);
    expect(catalog.viewAssemblies).toBe(assembled);
    // After every shard is resident, a new item assembles a view without reading anything.
    for (const id of sharded!.items) await api.fetch(`/v1/items/${encodeURIComponent(id)}`);
    decodes = store.decodes;
    const views = catalog.viewAssemblies;
    expect((await api.json(`/v1/items/${encodeURIComponent(b)}/similar?k=5`)).status).toBe(200);
    expect(store.decodes).toBe(decodes);
    expect(catalog.viewAssemblies).toBeLessThanOrEqual(views + 1);
  });

  it("every route answers from shards; a basket spanning shards is one view", async () => {
    await publishSharded();
    const api = client();
    const ids = sharded!.items;
    const basket = [ids[0], ids[ids.length - 1]];
    const res = await api.post("/v1/recommendations", { items: basket, k: 6 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.items.length).toBeGreaterThan(0);
    for (const item of body.items) expect(basket).not.toContain(item.id);
    expect(new Set(body.items.map((i: any) => i.id)).size).toBe(body.items.length);
    expect((await api.json(`/v1/users/${encodeURIComponent(sharded!.user)}/recommendations?k=4`)).body.items).toHaveLength(4);
    expect((await api.json("/v1/users/nobody/recommendations?k=4")).body.fallback).toBe("popular");
    expect((await api.json("/v1/popular?k=3")).body.items).toHaveLength(3);
    expect((await api.json(`/v1/items/${encodeURIComponent(ids[1])}`)).body.item.id).toBe(ids[1]);
    const together = await api.json(`/v1/items/${encodeURIComponent(ids[2])}/together?k=3`);
    expect(together.status).toBe(200);
    expect(together.body.item.id).toBe(ids[2]);
    expect((await api.json("/v1/trending?k=3")).status).toBe(200);
    const category = (await api.json("/v1/popular?k=1")).body.items[0].topCategory;
    expect(category).toBeTruthy();
    const inCategory = (await api.json(`/v1/popular?k=2&category=${encodeURIComponent(category)}`)).body.items;
    expect(inCategory.length).toBeGreaterThan(0);
    for (const item of inCategory) expect(item.topCategory).toBe(category);
    const model = await api.json("/v1/model");
    expect(model.body.layout).toBe("sharded");
    const score = await api.post("/v1/score", { pairs: [{ user: sharded!.user, item: ids[0] }, { user: "x", item: ids[ids.length - 1] }] });
    expect(score.status).toBe(200);
    await problemOf(await api.fetch("/v1/items/no-such-thing/similar"), 404);
  });

  it("a version with a missing shard is refused and the previous version keeps serving", async () => {
    await publishR2(v1.version, await download(v1.url));
    const api = client();
    expect((await api.json("/v1/popular")).body.version).toBe(v1.version);
    await publishSharded(1);
    await api.fetch("/v1/popular");
    expect((await api.json("/v1/popular")).body.version).toBe(v1.version);
    const health = await api.json("/healthz");
    expect(health.body).toMatchObject({ status: "degraded", version: v1.version, lastError: { version: sharded!.version } });
    expect(health.body.lastError.message).toContain("shard");
  });
});
