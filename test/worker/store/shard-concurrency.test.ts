/**
 * Concurrent requests through the worker's own entry point, each in its own request context,
 * over shards none of them has loaded: several requests need each cold shard at once. The
 * loads must not be shared as promises between requests (workerd binds a promise to the request
 * that made it; see src/store/in-flight.ts): every request is answered, from one version.
 */
import { describe, expect, it } from "vitest";
import { decodeManifest, shardKey, stringAt } from "../../../src/artifact/index.ts";
import { configOf } from "../../../src/config.ts";
import { ShardedCatalog } from "../../../src/store/sharded.ts";
import { sourceFor } from "../../../src/store/source.ts";
import { shardArtifact } from "../../../trainer/artifact/shard.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { versionId } from "../support/publish.ts";
import { baseEnv, unpublishAll, worker } from "../support/helpers.ts";
import { publishShardedBuild } from "./shard-publish.ts";

describe("cold shards wanted by many requests at once", () => {
  it("answers every one of 96 concurrent requests spread over the shards, each in its own context", async () => {
    await unpublishAll();
    const version = versionId(2401);
    const whole = syntheticArtifact({ items: 1200, users: 120, version });
    const { manifest, shards } = await shardArtifact(whole, { maxShardBytes: 48 * 1024, maxIdShardBytes: 4 * 1024, popularHead: 20, popularHeadPerCategory: 5 });
    const m = await decodeManifest(manifest);
    expect(m.itemIdShards.length).toBeGreaterThan(2);
    await publishShardedBuild(baseEnv.ARTIFACTS, version, manifest, shards);
    // The manifest only: every item and id shard below is cold when the burst arrives.
    expect(((await (await worker.fetch("http://edgerec.test/healthz")).json()) as { version: string }).version).toBe(version);
    const ids = Array.from({ length: 32 }, (_, i) => stringAt(whole.items.ids, (i * 37) % whole.header.counts.items));
    const paths = [0, 1, 2].flatMap(() => ids.map((id) => `/v1/items/${encodeURIComponent(id)}/similar?k=5`));
    const answers = await Promise.all(
      paths.map(async (path) => {
        const res = await worker.fetch(`http://edgerec.test${path}`);
        return { status: res.status, body: (await res.json()) as { version?: string; detail?: string } };
      }),
    );
    const failed = answers.filter((a) => a.status !== 200);
    expect(failed.map((a) => `${a.status} ${a.body.detail}`)).toEqual([]);
    expect(new Set(answers.map((a) => a.body.version))).toEqual(new Set([version]));
  });

  it("a load whose request went away never strands the others: they stop waiting and load the shard themselves", async () => {
    await unpublishAll();
    const version = versionId(2402);
    const whole = syntheticArtifact({ items: 300, users: 30, version });
    const { manifest, shards } = await shardArtifact(whole, { maxShardBytes: 48 * 1024, popularHead: 20, popularHeadPerCategory: 5 });
    await publishShardedBuild(baseEnv.ARTIFACTS, version, manifest, shards);
    const m = await decodeManifest(manifest);
    const source = sourceFor(baseEnv, configOf(baseEnv));
    // The first read of the popular shard never settles, like the I/O of a request workerd
    // cancelled mid-load; every later read is served normally.
    let reads = 0;
    const stranding = {
      ...source,
      verifiedBytes: (key: string) => (reads++ === 0 ? new Promise<never>(() => undefined) : source.verifiedBytes(key)),
    };
    const keys = shards.map((_, i) => shardKey(version, i));
    const catalog = new ShardedCatalog(m, stranding, keys, Date.now(), 0, manifest.length, () => undefined, 8 * 1024 * 1024, 150);
    void catalog.popular(); // the stranded load, from a "request" that is gone
    const started = Date.now();
    const served = await catalog.popular();
    expect(served.itemCount).toBeGreaterThan(0);
    expect(reads).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Later requests use the shard the second one decoded: no third read.
    await catalog.popular();
    expect(reads).toBe(2);
  });
});
