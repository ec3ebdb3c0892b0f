/**
 * The sharded catalogue's shard cache inside workerd: resident shards stay under the
 * SHARD_CACHE_MB budget (least recently used dropped), concurrent requests for one cold item
 * share one fetch and decode of each shard, a basket spanning shards is answered, and similar
 * items from shards equal the unsharded artifact's.
 */
import { env as workerEnv } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeManifest, encodeArtifact, stringAt } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import type { Env } from "../../../src/config.ts";
import type { ShardedCatalog } from "../../../src/store/sharded.ts";
import { shardArtifact } from "../../../trainer/artifact/shard.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { publish, versionId } from "../support/publish.ts";
import { publishShardedBuild } from "./shard-publish.ts";

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

async function publishSharded(version: string): Promise<void> {
  const { manifest, shards } = await shardArtifact(syntheticArtifact({ items: ITEMS, users: 40, version }), { maxShardBytes: 48 * 1024, popularHead: 20, popularHeadPerCategory: 5 });
  const m = await decodeManifest(manifest);
  shardCount = shards.length;
  // Id shards share the LRU with data shards.
  expect(m.itemIdShards.length).toBeGreaterThan(0);
  maxShard = Math.max(...shards.map((s) => s.length));
  await publishShardedBuild(env.ARTIFACTS, version, manifest, shards);
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
      // Over the budget only by the pinned popular shard and the shard just loaded (costs count
      // a shard's bytes plus its lookup tables, so bound them by the largest cost seen).
      expect(catalog.largestCost).toBeGreaterThanOrEqual(maxShard);
      expect(catalog.residentBytes).toBeLessThanOrEqual(Math.max(budget, 2 * catalog.largestCost));
      expect(catalog.residentBytes).toBeLessThanOrEqual(budget + 2 * catalog.largestCost);
    }
    expect(catalog!.evictions).toBeGreaterThan(0);
    expect(catalog!.loadedShards().length).toBeLessThan(shardCount);
    // An evicted shard loads again and answers the same.
    const first = await similar(app, itemIds[0]);
    expect(first.length).toBeGreaterThan(0);
  });

  it("concurrent requests for one cold item share a single fetch and decode of each shard it needs", async () => {
    // A budget that holds every shard, so the count below is not blurred by evictions.
    const roomy = { ...env, SHARD_CACHE_MB: "8" } as Env;
    const app = createApp();
    await app.request("http://edgerec.test/v1/popular?k=2", undefined, roomy);
    const before = app.deps.store.decodes;
    const catalog = (await app.deps.store.current(roomy)) as ShardedCatalog;
    const resident = catalog.loadedShards().length;
    const results = await Promise.all(Array.from({ length: 6 }, () => app.request(`http://edgerec.test/v1/items/${encodeURIComponent(itemIds[ITEMS - 1])}/similar?k=5`, undefined, roomy)));
    for (const r of results) expect(r.status).toBe(200);
    // The item's id shard, its part and the parts holding its neighbours, each decoded once for all six.
    const loaded = catalog.loadedShards().length - resident;
    expect(loaded).toBeGreaterThanOrEqual(2);
    expect(app.deps.store.decodes - before).toBe(loaded);
    expect(catalog.evictions).toBe(0);
    // …and the view assembled from them once: the other five requests shared it.
    expect(catalog.viewAssemblies).toBe(2);
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
