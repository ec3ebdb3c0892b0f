/**
 * The sharded catalogue's shard cache inside workerd: resident shards stay under the
 * SHARD_CACHE_MB budget (least recently used dropped), concurrent requests for one cold shard
 * share one fetch and decode, a basket spanning shards merges them, and similar items from
 * shards equal the unsharded artifact's.
 */
import { env as workerEnv } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeManifest, encodeArtifact, stringAt } from "../../src/artifact/format.ts";
import { CURRENT_KEY, manifestKey, shardKey, type CurrentPointer } from "../../src/artifact/keys.ts";
import { createApp } from "../../src/app.ts";
import type { Env } from "../../src/config.ts";
import type { ShardedCatalog } from "../../src/store/sharded.ts";
import { shardArtifact } from "../../trainer/artifact/shard.ts";
import { syntheticArtifact } from "./fixtures/synthetic-artifact.ts";
import { publish, versionId } from "./fuzz/publish.ts";

const base = workerEnv as unknown as Env;
const ITEMS = 1200;
/** 160 KiB: a few shards resident at a time out of many. */
const CACHE_MB = 160 / 1024;
const env = { ...base, ARTIFACT_RECHECK_SECONDS: "3600", SHARD_CACHE_MB: String(CACHE_MB) } as Env;
const VERSION = versionId(2101);
const SINGLE = versionId(2102);
let shardCount = 0;
let itemIds: string[] = [];
let maxShard = 0;
let popularBytes = 0;

async function publishSharded(version: string): Promise<void> {
  const { manifest, shards } = await shardArtifact(syntheticArtifact({ items: ITEMS, users: 40, version }), { maxShardBytes: 48 * 1024, popularHead: 20, popularHeadPerCategory: 5 });
  const m = await decodeManifest(manifest);
  shardCount = shards.length;
  maxShard = Math.max(...shards.map((s) => s.length));
  popularBytes = shards[m.popularShard].length;
  const keys = shards.map((_, i) => shardKey(version, i));
  for (let i = 0; i < shards.length; i++) await env.ARTIFACTS.put(keys[i], shards[i]);
  await env.ARTIFACTS.put(manifestKey(version), manifest);
  const pointer: CurrentPointer = {
    version,
    layout: "sharded",
    key: manifestKey(version),
    shards: keys,
    createdAt: "2026-11-29T00:00:00.000Z",
    publishedAt: new Date().toISOString(),
    metrics: {},
    headlineMetric: "ndcg@10",
    bytes: manifest.length,
  };
  await env.ARTIFACTS.put(CURRENT_KEY, JSON.stringify(pointer));
}

type App = ReturnType<typeof createApp>;
const call = (app: App, path: string, init?: RequestInit) => app.request(`http://edgerec.test${path}`, init, env);
const similar = async (app: App, id: string) => ((await (await call(app, `/v1/items/${encodeURIComponent(id)}/similar?k=6`)).json()) as { items: { id: string }[] }).items.map((x) => x.id);

describe("the shard cache", () => {
  beforeAll(async () => {
    const whole = syntheticArtifact({ items: ITEMS, users: 40, version: VERSION });
    itemIds = Array.from({ length: ITEMS }, (_, i) => stringAt(whole.items.ids, i));
    await publishSharded(VERSION);
  });

  it("keeps resident shards under SHARD_CACHE_MB while serving items from every shard", async () => {
    expect(shardCount).toBeGreaterThan(6);
    const app = createApp();
    const budget = CACHE_MB * 1024 * 1024;
    expect(budget).toBeLessThan(shardCount * maxShard / 2);
    let catalog: ShardedCatalog | undefined;
    for (let i = 0; i < ITEMS; i += 13) {
      const res = await call(app, `/v1/items/${encodeURIComponent(itemIds[i])}/similar?k=5`);
      expect(res.status).toBe(200);
      catalog = (await app.deps.store.current(env)) as ShardedCatalog;
      // Over the budget only by the pinned popular shard and the shard just loaded.
      expect(catalog.residentBytes).toBeLessThanOrEqual(Math.max(budget, popularBytes + maxShard));
      expect(catalog.residentBytes).toBeLessThanOrEqual(budget + popularBytes + maxShard);
    }
    expect(catalog!.evictions).toBeGreaterThan(0);
    expect(catalog!.loadedShards().length).toBeLessThan(shardCount);
    // An evicted shard loads again and answers the same.
    const first = await similar(app, itemIds[0]);
    expect(first.length).toBeGreaterThan(0);
  });

  it("concurrent requests for one cold shard share a single fetch and decode", async () => {
    const app = createApp();
    await call(app, "/v1/popular?k=2");
    const before = app.deps.store.decodes;
    const results = await Promise.all(Array.from({ length: 6 }, () => call(app, `/v1/items/${encodeURIComponent(itemIds[ITEMS - 1])}/similar?k=5`)));
    for (const r of results) expect(r.status).toBe(200);
    expect(app.deps.store.decodes - before).toBe(1);
  });

  it("similar items from the shards equal the unsharded artifact's, and a basket spans shards", async () => {
    const app = createApp();
    const fromShards = new Map<string, string[]>();
    for (let i = 0; i < ITEMS; i += 37) fromShards.set(itemIds[i], await similar(app, itemIds[i]));
    const basket = [itemIds[1], itemIds[ITEMS / 2], itemIds[ITEMS - 2]];
    const basketRes = await call(app, "/v1/recommendations", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ items: basket, k: 8 }) });
    expect(basketRes.status).toBe(200);
    const basketBody = (await basketRes.json()) as { items: { id: string }[] };
    expect(basketBody.items.length).toBe(8);
    for (const item of basketBody.items) expect(basket).not.toContain(item.id);

    await publish(env.ARTIFACTS, SINGLE, await encodeArtifact(syntheticArtifact({ items: ITEMS, users: 40, version: SINGLE })));
    const single = createApp();
    for (const [id, list] of fromShards) expect(list).toEqual(await similar(single, id));
  });
});
