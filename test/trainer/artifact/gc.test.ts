/**
 * `edgerec gc` and `publish --keep` delete what interrupted publishes left (objects of versions
 * neither indexed nor current) once older than the grace period, and nothing else; a publish
 * killed outright leaves no workerd running.
 */
import { spawn } from "node:child_process";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactKey, CURRENT_KEY, manifestKey, shardKey, VERSIONS_KEY } from "../../../src/artifact/index.ts";
import { buildArtifact, buildArtifactObject } from "../../../trainer/artifact/build.ts";
import { gc } from "../../../trainer/artifact/gc.ts";
import { miniflareStores } from "../../../trainer/artifact/local-http-store.ts";
import { BothStores, type ObjectStore } from "../../../trainer/artifact/object-store.ts";
import { KvBindingStore, R2BindingStore } from "../support/binding-stores.ts";
import { workerdChildren } from "../../../trainer/artifact/orphan-guard.ts";
import { planPublish, publish } from "../../../trainer/artifact/publish.ts";
import { readVersions } from "../../../trainer/artifact/published-state.ts";
import { writeSharded } from "../../../trainer/artifact/shard.ts";
import { GroupModel, smallStore } from "../support/group-store.ts";

const run = promisify(execFile);
const REPO = join(import.meta.dirname, "../../..");
const MAIN = join(REPO, "trainer/cli/main.ts");

let mf: Miniflare;
let store: ObjectStore;
/** The parts of Miniflare's KV binding these tests write with directly. */
interface Kv {
  put(key: string, value: Uint8Array, options?: { metadata?: unknown }): Promise<void>;
  get(key: string): Promise<unknown>;
}
let kv: Kv;
let dir: string;
const files: string[] = [];
const HOUR = 60 * 60 * 1000;

beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: "export default { fetch() { return new Response('') } }", r2Buckets: ["ARTIFACTS"], kvNamespaces: ["KV"] });
  kv = (await mf.getKVNamespace("KV")) as unknown as Kv;
  store = new BothStores([new R2BindingStore((await mf.getR2Bucket("ARTIFACTS")) as never), new KvBindingStore(kv as never)]);
  dir = mkdtempSync(join(tmpdir(), "edgerec-gc-"));
  const data = smallStore({ items: 30, users: 12 });
  const model = new GroupModel(data.warmItems, 12, data.groups);
  for (let v = 0; v < 3; v++) {
    const file = join(dir, `v${v}.bin`);
    writeFileSync(file, await buildArtifact({ model, interactions: data.interactions, items: data.items, createdAt: new Date(Date.UTC(2026, 0, 1, 0, v)) }));
    files.push(file);
  }
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("gc", () => {
  it("deletes an unindexed version's objects only once they are older than the grace period, never an indexed or current one", async () => {
    const a = await publish(store, await planPublish(files[0]));
    const b = await publish(store, await planPublish(files[1]));
    // An interrupted publish: its objects went up, the index and the pointer never did.
    const plan = await planPublish(files[2]);
    const orphan = plan.pointer.version;
    await store.put(shardKey(orphan, 0), new Uint8Array(1000));
    await store.put(artifactKey(orphan), new Uint8Array(2000));
    expect((await readVersions(store)).map((v) => v.version)).not.toContain(orphan);

    const young = await gc(store);
    expect(young).toMatchObject({ removed: [], young: [orphan] });
    expect(await store.get(artifactKey(orphan))).not.toBeNull();

    const dry = await gc(store, { now: Date.now() + 2 * HOUR, dryRun: true });
    expect(dry.removed).toEqual([{ version: orphan, keys: [artifactKey(orphan), shardKey(orphan, 0)] }]);
    expect(await store.get(artifactKey(orphan))).not.toBeNull();

    const old = await gc(store, { now: Date.now() + 2 * HOUR });
    expect(old.removed.map((r) => r.version)).toEqual([orphan]);
    expect(await store.get(artifactKey(orphan))).toBeNull();
    expect(await store.get(shardKey(orphan, 0))).toBeNull();
    for (const v of [a.pointer.version, b.pointer.version]) expect(await store.get(artifactKey(v))).not.toBeNull();
    expect(await store.get(CURRENT_KEY)).not.toBeNull();
    expect(await store.get(VERSIONS_KEY)).not.toBeNull();
  });

  it("refuses to collect anything while the pointer is unreadable", async () => {
    const saved = (await store.get(CURRENT_KEY))!;
    await store.put(CURRENT_KEY, new TextEncoder().encode("[]"));
    await expect(gc(store, { now: Date.now() + 2 * HOUR })).rejects.toThrow(/gc deletes nothing until it is repaired.*edgerec rollback <version>/);
    await store.put(CURRENT_KEY, saved);
  });

  it("publish --keep also collects interrupted publishes older than the grace period", async () => {
    const orphan = "20250101T000000Z-0000dead";
    // Uploaded two hours ago (KV records the upload time as metadata), never indexed.
    const twoHoursAgo = { metadata: { uploadedAt: Date.now() - 2 * HOUR } };
    await kv.put(artifactKey(orphan), new Uint8Array(10), twoHoursAgo);
    await kv.put(manifestKey(orphan), new Uint8Array(10), twoHoursAgo);
    const r2only = new R2BindingStore((await mf.getR2Bucket("ARTIFACTS")) as never);
    expect(await r2only.get(artifactKey(orphan))).toBeNull();
    const kvStore = new KvBindingStore(kv as never);
    const result = await publish(kvStore, await planPublish(files[2]), { keep: 5 });
    expect(result.collected).toEqual([orphan]);
    expect(await kv.get(artifactKey(orphan))).toBeNull();
  });
});

describe("a publish killed outright", () => {
  it("leaves no workerd behind, and `edgerec gc --grace 0` removes what it uploaded", async () => {
    const persist = join(dir, "state");
    const data = smallStore({ items: 400, users: 60 });
    const { artifact } = await buildArtifactObject({ model: new GroupModel(data.warmItems, 60, data.groups), interactions: data.interactions, items: data.items, createdAt: new Date(Date.UTC(2026, 0, 4)) });
    // Many small shards: the upload takes long enough to be killed in the middle.
    const written = await writeSharded(artifact, join(dir, "many"), { maxShardBytes: 24 * 1024, maxIdShardBytes: 1024, popularHead: 10, popularHeadPerCategory: 2 });
    expect(written.shards).toBeGreaterThan(20);
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, "publish", written.manifestPath, "--local", "--persist-to", persist], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    const uploading = new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (d) => {
        err += d;
        if (/uploaded .*shard-3\.bin/.test(err)) resolve();
      });
      child.once("exit", (code) => reject(new Error(`publish exited (${code}) before it could be killed: ${err}`)));
    });
    await uploading;
    const workerd = workerdChildren(child.pid!);
    expect(workerd.length).toBeGreaterThan(0);
    child.kill("SIGKILL");
    const deadline = Date.now() + 5000;
    const alive = () => workerd.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    while (alive().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toEqual([]);

    const version = artifact.header.version;
    const { store: local, dispose } = await miniflareStores({ persistTo: persist, backend: "r2" });
    try {
      expect(await local.get(shardKey(version, 0))).not.toBeNull();
      expect(await local.get(CURRENT_KEY)).toBeNull();
    } finally {
      await dispose();
    }
    const collected = await run(process.execPath, ["--import", "tsx", MAIN, "gc", "--local", "--persist-to", persist, "--grace", "0", "--json"], { cwd: REPO });
    expect(JSON.parse(collected.stdout).removed.map((r: { version: string }) => r.version)).toEqual([version]);
    const after = await miniflareStores({ persistTo: persist, backend: "r2" });
    try {
      expect(await after.store.list!("artifacts/")).toEqual([]);
    } finally {
      await after.dispose();
    }
  }, 120_000);
});
