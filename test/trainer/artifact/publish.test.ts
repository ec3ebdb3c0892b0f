import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactKey, CURRENT_KEY, manifestKey, shardKey } from "../../../src/artifact/index.ts";
import { buildArtifact } from "../../../trainer/artifact/build.ts";
import { BothStores, type ObjectStore } from "../../../trainer/artifact/object-store.ts";
import { KvBindingStore, R2BindingStore } from "../support/binding-stores.ts";
import { planPublish, publish, rollback } from "../../../trainer/artifact/publish.ts";
import { readCurrent, readVersions } from "../../../trainer/artifact/published-state.ts";
import { GroupModel, smallStore } from "../support/group-store.ts";

let mf: Miniflare;
let store: ObjectStore;
let dir: string;
const files: string[] = [];

beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: "export default { fetch() { return new Response('') } }", r2Buckets: ["ARTIFACTS"], kvNamespaces: ["KV"] });
  // Publishing to both backends exercises R2 and KV alike.
  store = new BothStores([new R2BindingStore((await mf.getR2Bucket("ARTIFACTS")) as never), new KvBindingStore((await mf.getKVNamespace("KV")) as never)]);
  dir = mkdtempSync(join(tmpdir(), "edgerec-publish-"));
  const data = smallStore({ items: 30, users: 12 });
  const model = new GroupModel(data.warmItems, 12, data.groups);
  for (let v = 0; v < 4; v++) {
    const bytes = await buildArtifact({ model, interactions: data.interactions, items: data.items, metrics: { "ndcg@10": 0.1 * v }, headlineMetric: "ndcg@10", createdAt: new Date(Date.UTC(2026, 0, 1, 0, v)) });
    const file = join(dir, `v${v}.bin`);
    writeFileSync(file, bytes);
    files.push(file);
  }
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("publish, versions, rollback", () => {
  it("uploads the artifact, then flips current; lists versions newest first", async () => {
    const first = await publish(store, await planPublish(files[0]));
    expect(first.previous).toBeNull();
    const second = await publish(store, await planPublish(files[1]));
    expect(second.previous).toBe(first.pointer.version);
    const current = await readCurrent(store);
    expect(current?.version).toBe(second.pointer.version);
    expect(current?.key).toBe(artifactKey(second.pointer.version));
    expect(current?.metrics["ndcg@10"]).toBeCloseTo(0.1);
    const versions = await readVersions(store);
    expect(versions.map((v) => v.version)).toEqual([second.pointer.version, first.pointer.version]);
    expect(await store.get(artifactKey(first.pointer.version))).not.toBeNull();
  });

  it("a publish that fails midway leaves current on the previous complete version", async () => {
    const before = await readCurrent(store);
    const plan = await planPublish(files[2]);
    const version = plan.pointer.version;
    // A sharded upload whose second shard file is missing.
    plan.pointer = { ...plan.pointer, layout: "sharded", key: manifestKey(version), shards: [shardKey(version, 0), shardKey(version, 1)] };
    plan.objects = [
      { key: shardKey(version, 0), path: files[2] },
      { key: shardKey(version, 1), path: join(dir, "missing-shard.bin") },
      { key: manifestKey(version), path: files[2] },
    ];
    await expect(publish(store, plan)).rejects.toThrow(/missing-shard\.bin.*nothing was made current/);
    expect((await readCurrent(store))?.version).toBe(before?.version);
    expect((await readVersions(store)).map((v) => v.version)).not.toContain(version);
    expect(await store.get(manifestKey(version))).toBeNull();
  });

  it("rolls back to the previous version, or to a named one, and refuses unknown ones", async () => {
    const versions = await readVersions(store);
    const back = await rollback(store);
    expect(back.to.version).toBe(versions[1].version);
    expect((await readCurrent(store))?.version).toBe(versions[1].version);
    await expect(rollback(store)).rejects.toThrow(/no version older/);
    const forward = await rollback(store, versions[0].version);
    expect(forward.to.version).toBe(versions[0].version);
    await expect(rollback(store, "20990101T000000Z-deadbeef")).rejects.toThrow(/is not published/);
  });

  it("keeps the newest N versions and deletes the objects of older ones after the flip", async () => {
    const older = (await readVersions(store)).map((v) => v.version);
    await publish(store, await planPublish(files[2]));
    const result = await publish(store, await planPublish(files[3]), { keep: 2 });
    expect(result.deleted).toEqual(older);
    const oldest = { version: older[1] };
    const versions = await readVersions(store);
    expect(versions).toHaveLength(2);
    expect(await store.get(artifactKey(oldest.version))).toBeNull();
    expect(await store.get(CURRENT_KEY)).not.toBeNull();
    expect((await readCurrent(store))?.version).toBe(versions[0].version);
  });

  it("publishes a sharded build: every shard, then the manifest, then current names them all", async () => {
    const { writeSharded } = await import("../../../trainer/artifact/shard.ts");
    const { buildArtifactObject } = await import("../../../trainer/artifact/build.ts");
    const data = smallStore({ items: 120, users: 30 });
    const { artifact } = await buildArtifactObject({ model: new GroupModel(data.warmItems, 30, data.groups), interactions: data.interactions, items: data.items, createdAt: new Date(Date.UTC(2026, 0, 2)) });
    const written = await writeSharded(artifact, join(dir, "sharded"), { maxShardBytes: 24 * 1024, popularHead: 10, popularHeadPerCategory: 5 });
    const plan = await planPublish(written.manifestPath);
    expect(plan.pointer.layout).toBe("sharded");
    expect(plan.objects.at(-1)!.key).toBe(manifestKey(artifact.header.version));
    const result = await publish(store, plan);
    const current = await readCurrent(store);
    expect(current?.version).toBe(result.pointer.version);
    // The pointer stays small (no shard list); the versions index lists every object for retention.
    expect(current?.shards).toBeUndefined();
    const listed = (await readVersions(store)).find((v) => v.version === current?.version)!;
    expect(listed.keys).toHaveLength(written.shards + 1);
    for (const key of listed.keys) expect(await store.get(key)).not.toBeNull();
  });

  it("a sharded publish uploads id shards before the manifest; one failing midway or corrupt leaves current alone", async () => {
    const { readFileSync, unlinkSync } = await import("node:fs");
    const { writeSharded } = await import("../../../trainer/artifact/shard.ts");
    const { buildArtifactObject } = await import("../../../trainer/artifact/build.ts");
    const { decodeManifest, shardKindOf } = await import("../../../src/artifact/index.ts");
    const data = smallStore({ items: 120, users: 40 });
    const { artifact } = await buildArtifactObject({ model: new GroupModel(data.warmItems, 40, data.groups), interactions: data.interactions, items: data.items, createdAt: new Date(Date.UTC(2026, 0, 3)) });
    const out = join(dir, "sharded-ids");
    const written = await writeSharded(artifact, out, { maxShardBytes: 32 * 1024, maxIdShardBytes: 1024, popularHead: 10, popularHeadPerCategory: 5 });
    const m = await decodeManifest(readFileSync(written.manifestPath));
    const idShards = [...m.itemIdShards, ...m.userIdShards];
    expect(idShards.length).toBeGreaterThan(2);
    const plan = await planPublish(written.manifestPath);
    const keys = plan.objects.map((o) => o.key);
    for (const s of idShards) expect(keys.indexOf(shardKey(artifact.header.version, s))).toBeLessThan(keys.indexOf(manifestKey(artifact.header.version)));
    expect(shardKindOf(m, idShards[0])).toBe("item-ids");

    const before = await readCurrent(store);
    // The last id shard vanishes after planning: the upload stops there, current is untouched.
    const lastId = join(out, `shard-${idShards[idShards.length - 1]}.bin`);
    const saved = readFileSync(lastId);
    unlinkSync(lastId);
    await expect(publish(store, plan)).rejects.toThrow(/nothing was made current/);
    expect((await readCurrent(store))?.version).toBe(before?.version);
    expect(await store.get(manifestKey(artifact.header.version))).toBeNull();
    // A corrupt id shard is refused while planning, before anything is uploaded.
    const bad = new Uint8Array(saved);
    bad[bad.length - 1] ^= 1;
    writeFileSync(lastId, bad);
    await expect(planPublish(written.manifestPath)).rejects.toThrow(/is not shard \d+ of this manifest.*nothing was uploaded/);
    writeFileSync(lastId, saved);
    expect((await publish(store, await planPublish(written.manifestPath))).pointer.version).toBe(artifact.header.version);
  });

  it("refuses to publish a corrupt artifact before uploading anything", async () => {
    const bad = join(dir, "bad.bin");
    const bytes = new Uint8Array(await import("node:fs").then((fs) => fs.readFileSync(files[0])));
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(bad, bytes);
    await expect(planPublish(bad)).rejects.toThrow(/checksum mismatch/);
  });
});
