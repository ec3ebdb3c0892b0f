/**
 * Progressive loading, trainer side: a sharded build also writes the version as one object when
 * it fits an isolate (never over KV's limit for KV), the manifest names it, `inspect` shows it,
 * and `publish` uploads it with the shards before the manifest and the flip.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactKey, CURRENT_KEY, decodeManifest, encodeArtifact, encodeManifest, manifestKey } from "../../../src/artifact/index.ts";
import { buildArtifactObject } from "../../../trainer/artifact/build.ts";
import type { ObjectStore } from "../../../trainer/artifact/object-store.ts";
import { R2BindingStore } from "../support/binding-stores.ts";
import { planPublish, publish } from "../../../trainer/artifact/publish.ts";
import { readCurrent, readVersions } from "../../../trainer/artifact/published-state.ts";
import { DEFAULT_SINGLE_BESIDE_MAX_BYTES, KV_VALUE_LIMIT, singleBesideShards, SINGLE_FILE, writeSharded } from "../../../trainer/artifact/shard.ts";
import { runEdgerec } from "../../../trainer/wrangler/edgerec-cli.ts";
import { GroupModel, smallStore } from "../support/group-store.ts";

const edgerec = (args: string[]) => runEdgerec(args, { capture: true, quietErrors: true });
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!);
const MiB = 1024 * 1024;

let dir: string;
let mf: Miniflare;
let store: ObjectStore;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "edgerec-single-beside-"));
  const rows = ["user,item,rating,time"];
  for (let u = 0; u < 60; u++) for (let t = 0; t < 8; t++) rows.push(`u${u},i${(u * 7 + t * 3) % 120},5,${1000 + u * 10 + t}`);
  writeFileSync(join(dir, "ratings.csv"), rows.join("\n") + "\n");
  mf = new Miniflare({ modules: true, script: "export default { fetch() { return new Response('') } }", r2Buckets: ["ARTIFACTS"] });
  store = new R2BindingStore((await mf.getR2Bucket("ARTIFACTS")) as never);
});
afterAll(async () => {
  await mf?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A sharded build written by the trainer, with (or without) its single object. */
async function shardedBuild(name: string, day: number, single = true) {
  const data = smallStore({ items: 120, users: 30, seed: day });
  const { artifact } = await buildArtifactObject({ model: new GroupModel(data.warmItems, 30, data.groups), interactions: data.interactions, items: data.items, createdAt: new Date(Date.UTC(2026, 1, day)) });
  const bytes = await encodeArtifact(artifact);
  const out = join(dir, name);
  const written = await writeSharded(artifact, out, { maxShardBytes: 24 * 1024, popularHead: 10, popularHeadPerCategory: 5, single: single ? bytes : undefined });
  return { version: artifact.header.version, out, bytes, written };
}

describe("the single object beside the shards", () => {
  it("is written when it fits an isolate, never over the limit, never over KV's 25 MiB for KV", () => {
    expect(DEFAULT_SINGLE_BESIDE_MAX_BYTES).toBe(48 * MiB);
    expect(singleBesideShards(32.5 * MiB).write).toBe(true);
    expect(singleBesideShards(49 * MiB).write).toBe(false);
    expect(singleBesideShards(10 * MiB, { maxBytes: 8 * MiB }).write).toBe(false);
    expect(singleBesideShards(1 * MiB, { maxBytes: 0 }).write).toBe(false);
    expect(singleBesideShards(KV_VALUE_LIMIT + 1, { kv: true })).toMatchObject({ write: false, why: expect.stringMatching(/KV's 25 MiB/) });
    expect(singleBesideShards(20 * MiB, { kv: true }).write).toBe(true);
  });

  it("build-artifact writes it and the manifest names it; inspect shows it; --single-beside-max 0 turns it off", async () => {
    const summary = lastJson(await edgerec(["build-artifact", "--interactions", join(dir, "ratings.csv"), "--model", "itemknn", "--out", join(dir, "big.bin"), "--neighbours", "5", "--shard-bytes", "16000", "--json"]));
    expect(summary.layout).toBe("sharded");
    const file = join(dir, "big-shards", SINGLE_FILE);
    expect(summary.singleBesideShards).toBe(statSync(file).size);
    const m = await decodeManifest(readFileSync(summary.out));
    expect(m.single).toMatchObject({ key: artifactKey(summary.version), bytes: statSync(file).size });
    expect(Buffer.from(m.single!.sha256).equals(readFileSync(file).subarray(16, 48))).toBe(true);
    expect(await edgerec(["inspect", summary.out])).toContain(`single object: ${artifactKey(summary.version)}`);
    expect(lastJson(await edgerec(["inspect", summary.out, "--json"])).single).toMatchObject({ key: artifactKey(summary.version), bytes: statSync(file).size });
    // The single object is an ordinary artifact of the same version.
    expect(await edgerec(["inspect", file])).toContain(summary.version);

    const off = lastJson(await edgerec(["build-artifact", "--interactions", join(dir, "ratings.csv"), "--model", "itemknn", "--out", join(dir, "off.bin"), "--neighbours", "5", "--shard-bytes", "16000", "--single-beside-max", "0", "--json"]));
    expect(off.singleBesideShards).toBe(0);
    expect((await decodeManifest(readFileSync(off.out))).single).toBeUndefined();
    expect(await edgerec(["inspect", off.out])).toContain("single object: none");
  });

  it("publish uploads it after the shards and before the manifest and the flip; retention deletes it", async () => {
    const { version, written } = await shardedBuild("pub", 1);
    const plan = await planPublish(written.manifestPath);
    const keys = plan.objects.map((o) => o.key);
    expect(keys).toHaveLength(written.shards + 2);
    expect(keys.indexOf(artifactKey(version))).toBe(written.shards);
    expect(keys.at(-1)).toBe(manifestKey(version));
    const uploaded: string[] = [];
    const result = await publish(store, plan, { onObject: (key) => uploaded.push(key) });
    expect(uploaded).toEqual(keys);
    expect((await readCurrent(store))?.version).toBe(version);
    expect((await readVersions(store)).find((v) => v.version === version)?.keys).toContain(artifactKey(version));
    expect(await store.get(artifactKey(version))).not.toBeNull();

    const next = await shardedBuild("pub2", 2);
    await publish(store, await planPublish(next.written.manifestPath), { keep: 1 });
    expect(result.pointer.version).toBe(version);
    expect(await store.get(artifactKey(version))).toBeNull();
    expect(await store.get(artifactKey(next.version))).not.toBeNull();
  });

  it("a publish failing at the single object leaves current on the previous version; a corrupt one is refused up front", async () => {
    const before = await readCurrent(store);
    const { version, out, written } = await shardedBuild("fail", 3);
    const plan = await planPublish(written.manifestPath);
    const file = join(out, SINGLE_FILE);
    const saved = readFileSync(file);
    unlinkSync(file);
    await expect(publish(store, plan)).rejects.toThrow(/nothing was made current/);
    expect((await readCurrent(store))?.version).toBe(before?.version);
    expect(await store.get(manifestKey(version))).toBeNull();
    expect(new TextDecoder().decode((await store.get(CURRENT_KEY))!)).not.toContain(version);

    const bad = new Uint8Array(saved);
    bad[bad.length - 1] ^= 1;
    writeFileSync(file, bad);
    await expect(planPublish(written.manifestPath)).rejects.toThrow(/not the single object this manifest names/);
  });

  it("publishing to KV leaves out a single object over KV's value limit", async () => {
    const { version, out, written } = await shardedBuild("kv", 4);
    // A manifest naming a 30 MiB single object (too big for KV): publish to KV must not upload it.
    const m = await decodeManifest(readFileSync(written.manifestPath));
    m.single = { ...m.single!, bytes: 30 * MiB };
    writeFileSync(written.manifestPath, await encodeManifest(m));
    expect((await planPublish(written.manifestPath, { kv: true })).objects.map((o) => o.key)).not.toContain(artifactKey(version));
    // R2 takes it, so the size is checked against the file (which is not 30 MiB here).
    await expect(planPublish(written.manifestPath)).rejects.toThrow(/not the single object/);
    expect(existsSync(join(out, SINGLE_FILE))).toBe(true);
  });
});
