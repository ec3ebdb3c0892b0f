/**
 * A sharded first load through the worker's own entry point (one store per isolate, each
 * request its own context): the request that loads the manifest may finish before the
 * version's background checks do (e.g. /healthz), and the next request must still be served.
 */
import { describe, expect, it } from "vitest";
import { decodeManifest, stringAt } from "../../../src/artifact/index.ts";
import { shardArtifact } from "../../../trainer/artifact/shard.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { versionId } from "../support/publish.ts";
import { baseEnv, unpublishAll, worker } from "../support/helpers.ts";
import { publishShardedBuild } from "./shard-publish.ts";

describe("a sharded first load started by /healthz", () => {
  it("keeps its checks alive after that request ends, so the next lookup is answered", async () => {
    await unpublishAll();
    const version = versionId(2301);
    const whole = syntheticArtifact({ items: 400, users: 40, version });
    const { manifest, shards } = await shardArtifact(whole, { maxShardBytes: 64 * 1024, popularHead: 20, popularHeadPerCategory: 5 });
    expect((await decodeManifest(manifest)).itemIdShards.length).toBeGreaterThan(0);
    await publishShardedBuild(baseEnv.ARTIFACTS, version, manifest, shards);
    const health = await worker.fetch("http://edgerec.test/healthz");
    expect(((await health.json()) as { version: string }).version).toBe(version);
    const id = stringAt(whole.items.ids, 123);
    const res = await worker.fetch(`http://edgerec.test/v1/items/${encodeURIComponent(id)}/similar?k=3`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { version: string }).version).toBe(version);
  });
});
