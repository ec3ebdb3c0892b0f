/**
 * Progressive loading: a sharded version whose manifest names a single object is answered from
 * shards at once, then swaps (in the background of the request that started the load) to that
 * object — same version, same answers — and drops its shards. A missing or corrupt single object
 * keeps it on shards, reported on /healthz; a KV-backed worker never asks for one over 25 MiB.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, inject, it } from "vitest";
import {
  type Artifact,
  artifactKey,
  decodeManifest,
  decodeShardPart,
  encodeArtifact,
  encodeManifest,
  type ItemPart,
  shardKindOf,
  stringAt,
} from "../../../src/artifact/index.ts";
import { shardArtifact } from "../../../trainer/artifact/shard.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { versionId } from "../support/publish.ts";
import { baseEnv, client, type Client, download, publishR2, unpublishAll } from "../support/helpers.ts";
import { publishShardedBuild } from "./shard-publish.ts";

type Store = Pick<R2Bucket, "put"> | Pick<KVNamespace, "put">;
const SHARDING = { maxShardBytes: 64 * 1024, popularHead: 20, popularHeadPerCategory: 5 };

/** The single object first, then (publishShardedBuild) the shards, the manifest and `current`: nothing names it before it exists. */
async function publishVersion(store: Store, version: string, manifest: Uint8Array, shards: Uint8Array[], single: Uint8Array | null): Promise<void> {
  if (single) await store.put(artifactKey(version), single);
  await publishShardedBuild(store, version, manifest, shards);
}

function routesOf(whole: Artifact): string[] {
  const n = whole.header.counts.items;
  const item = (i: number) => encodeURIComponent(stringAt(whole.items.ids, i));
  return [
    `/v1/items/${item(0)}/similar?k=5`,
    `/v1/items/${item(n - 1)}/similar?k=8`,
    `/v1/items/${item(Math.floor(n / 2))}/similar?k=3`,
    `/v1/users/${encodeURIComponent(stringAt(whole.users.ids, 3))}/recommendations?k=4`,
    "/v1/users/nobody/recommendations?k=4",
    "/v1/popular?k=5",
    `/v1/items/${item(7)}`,
  ];
}

/** A response body without its recId (every list response gets a fresh one). */
const withoutRecId = (text: string) => text.replace(/,"recId":"[0-9a-z]+"/, "");

/**
 * Every route's answer, as text (recId aside). The basket's items share a data shard: a basket spanning shards is
 * merged per shard when served from shards (an approximation the single object does not make), and a
 * user without a precomputed top-N is scored over the user shard's items only, so those two answers
 * may change (for the exact ones) at the swap; the trainer precomputes top-N by default.
 */
async function answers(api: Client, whole: Artifact, basketItems: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of routesOf(whole)) {
    const res = await api.fetch(path);
    expect(res.status, path).toBe(200);
    out.push(withoutRecId(await res.text()));
  }
  const basket = await api.post("/v1/recommendations", { items: basketItems, k: 6 });
  expect(basket.status).toBe(200);
  out.push(withoutRecId(await basket.text()));
  return out;
}

async function build(n: number) {
  const version = versionId(n);
  const whole = withTopN(syntheticArtifact({ items: 400, users: 40, version }));
  const single = await encodeArtifact(whole);
  const plain = await shardArtifact(whole, SHARDING);
  const withSingle = await shardArtifact(whole, { ...SHARDING, single });
  // Two items owned by the same item shard (its first rows).
  const m = await decodeManifest(plain.manifest);
  const itemShard = Array.from({ length: m.shards.kind.length }, (_, s) => s).find((s) => shardKindOf(m, s) === "items" && m.shards.items[s] >= 2)!;
  const owned = ((await decodeShardPart(plain.shards[itemShard], { items: m.header.counts.items })) as ItemPart).items.ids;
  return { version, whole, single, plain, withSingle, basket: [stringAt(owned, 0), stringAt(owned, 1)] };
}

/** Adds a precomputed top-N per user (as `edgerec build-artifact` stores by default): popular items not in the history. */
function withTopN(a: Artifact): Artifact {
  const users = a.header.counts.users;
  const topPtr = new Uint32Array(users + 1);
  const top: number[] = [];
  for (let u = 0; u < users; u++) {
    const seen = new Set(a.users.historyIds.subarray(a.users.historyPtr[u], a.users.historyPtr[u + 1]));
    for (let p = u % 7, taken = 0; p < a.popular.overall.length && taken < 10; p++) {
      if (!seen.has(a.popular.overall[p])) (top.push(a.popular.overall[p]), taken++);
    }
    topPtr[u + 1] = top.length;
  }
  return { ...a, users: { ...a.users, topPtr, topIds: Uint32Array.from(top) } };
}

describe("progressive loading: shards first, then the version's single object", () => {
  beforeEach(async () => {
    await unpublishAll();
  });

  it("answers the first request from shards, swaps to the single object in the background, answers the same", async () => {
    const { version, whole, single, plain, withSingle, basket } = await build(2501);
    expect((await decodeManifest(withSingle.manifest)).single).toMatchObject({ key: artifactKey(version), bytes: single.length });
    expect(withSingle.shards).toEqual(plain.shards);

    // Reference answers from the same version served from shards only.
    await publishVersion(baseEnv.ARTIFACTS, version, plain.manifest, plain.shards, null);
    const shardedApi = client();
    const fromShards = await answers(shardedApi, whole, basket);
    expect((await shardedApi.json("/healthz")).body.load.layout).toBe("sharded");

    await unpublishAll();
    await publishVersion(baseEnv.ARTIFACTS, version, withSingle.manifest, withSingle.shards, single);
    const api = client();
    // The request that starts the load is answered from shards; the swap runs in its background.
    const ctx = createExecutionContext();
    const first = await api.app.fetch(new Request("https://api.edgerec.test/healthz"), api.env, ctx);
    const early = (await first.json()) as any;
    expect(early).toMatchObject({ status: "ok", version, load: { layout: "sharded", upgrade: { status: "loading", key: artifactKey(version), bytes: single.length } } });
    await waitOnExecutionContext(ctx);

    const health = (await api.json("/healthz")).body;
    expect(health).toMatchObject({ status: "ok", version, lastError: null, load: { layout: "single", bytes: single.length } });
    expect(health.load.upgradedFromShards).toMatchObject({ bytes: single.length });
    expect(health.load.upgradedFromShards.shardDecodes).toBeGreaterThanOrEqual(1);
    expect(health.load.upgradedFromShards.shardsDropped).toBeGreaterThanOrEqual(1);
    expect((await api.json("/v1/model")).body.layout).toBe("single");
    expect(await answers(api, whole, basket)).toEqual(fromShards);
  });

  it("a newer version found by the re-check swaps in from shards and then to its single object", async () => {
    const { v1 } = inject("artifacts");
    await publishR2(v1.version, await download(v1.url));
    const api = client();
    expect((await api.json("/v1/popular?k=3")).body.version).toBe(v1.version);
    const { version, single, withSingle } = await build(2505);
    await publishVersion(baseEnv.ARTIFACTS, version, withSingle.manifest, withSingle.shards, single);
    await api.fetch("/v1/popular?k=3"); // its re-check (waitUntil) loads the new version, then swaps it
    const health = (await api.json("/healthz")).body;
    expect(health).toMatchObject({ status: "ok", version, load: { layout: "single", upgradedFromShards: { bytes: single.length } } });
  });

  it("a corrupt single object keeps the version on shards and /healthz says why", async () => {
    const { version, whole, single, withSingle } = await build(2502);
    const bad = single.slice();
    bad[bad.length - 1] ^= 0xff;
    await publishVersion(baseEnv.ARTIFACTS, version, withSingle.manifest, withSingle.shards, bad);
    const api = client();
    expect((await api.fetch("/v1/popular?k=3")).status).toBe(200);
    const health = (await api.json("/healthz")).body;
    expect(health).toMatchObject({ status: "degraded", version, load: { layout: "sharded", upgrade: { status: "failed" } } });
    expect(health.load.upgrade.error).toContain("does not match the manifest");
    const res = await api.fetch(`/v1/items/${encodeURIComponent(stringAt(whole.items.ids, 5))}/similar?k=3`);
    expect(res.status).toBe(200);
  });

  it("a missing single object keeps the version on shards and /healthz says so", async () => {
    const { version, whole, withSingle } = await build(2503);
    await publishVersion(baseEnv.ARTIFACTS, version, withSingle.manifest, withSingle.shards, null);
    const api = client();
    for (const path of routesOf(whole)) expect((await api.fetch(path)).status, path).toBe(200);
    const health = (await api.json("/healthz")).body;
    expect(health).toMatchObject({ status: "degraded", version, load: { layout: "sharded", upgrade: { status: "failed" } } });
    expect(health.load.upgrade.error).toContain("missing");
  });

  it("a KV-backed worker never asks for a single object over KV's 25 MiB value limit", async () => {
    const { version, whole, withSingle } = await build(2504);
    // A manifest that names a 30 MiB single object (a real one would not fit KV; nothing is stored under its key).
    const manifest = await decodeManifest(withSingle.manifest);
    manifest.single = { ...manifest.single!, bytes: 30 * 1024 * 1024 };
    await publishVersion(baseEnv.KV, version, await encodeManifest(manifest), withSingle.shards, null);
    const api = client({ ARTIFACT_SOURCE: "kv" });
    expect((await api.fetch(`/v1/items/${encodeURIComponent(stringAt(whole.items.ids, 9))}/similar?k=3`)).status).toBe(200);
    const health = (await api.json("/healthz")).body;
    expect(health).toMatchObject({ status: "ok", source: "kv", version, load: { layout: "sharded", upgrade: { status: "skipped" } } });
  });
});
