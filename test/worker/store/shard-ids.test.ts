/**
 * Id shards inside workerd (real R2, shards built by the trainer from generated data): a
 * lookup goes manifest → id shard (by id hash) → data shard; unknown ids are 404 problems
 * naming the id; a corrupt id shard is a clear 503 for its ids only; a missing one, or an
 * old-format manifest, is refused and the previous version keeps serving; a first load answers
 * from verified shards before its checks finish, and stops serving a version that fails them.
 */
import { env as workerEnv } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type Artifact, decodeManifest, encodeArtifact, idShardOfItem, MANIFEST_FORMAT_VERSION, stringAt } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import type { Env } from "../../../src/config.ts";
import type { ShardedCatalog } from "../../../src/store/sharded.ts";
import { shardArtifact } from "../../../trainer/artifact/shard.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { expectProblem, publish, versionId } from "../support/publish.ts";
import { publishShardedBuild, type Tamper } from "./shard-publish.ts";

const base = workerEnv as unknown as Env;
const ADMIN = "shard-ids-token";
const env = { ...base, ARTIFACT_RECHECK_SECONDS: "3600", ADMIN_TOKEN: ADMIN, DEMO: "on" } as Env;
const ITEMS = 600;
const USERS = 120;
/** Small id shards so this catalogue has several of each kind. */
const ID_SHARD_BYTES = 2 * 1024;

type App = ReturnType<typeof createApp>;
const call = (app: App, path: string, init?: RequestInit) => app.request(`http://edgerec.test${path}`, init, env);
const reload = async (app: App) => expect((await call(app, "/v1/admin/reload", { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
const versionOf = async (res: Response) => ((await res.json()) as { version: string }).version;

interface Built {
  whole: Artifact;
  manifest: Uint8Array;
  shards: Uint8Array[];
  itemIdShards: number[];
  userIdShards: number[];
}

async function build(version: string): Promise<Built> {
  const whole = syntheticArtifact({ items: ITEMS, users: USERS, version });
  const { manifest, shards } = await shardArtifact(whole, { maxShardBytes: 64 * 1024, maxIdShardBytes: ID_SHARD_BYTES, popularHead: 20, popularHeadPerCategory: 5 });
  const m = await decodeManifest(manifest);
  return { whole, manifest, shards, itemIdShards: [...m.itemIdShards], userIdShards: [...m.userIdShards] };
}

/** Shards, then manifest, then the pointer (publish's order); `tamper` may drop or damage a shard. */
const publishSharded = (version: string, built: Built, tamper?: Tamper, manifest = built.manifest) => publishShardedBuild(env.ARTIFACTS, version, manifest, built.shards, tamper);

const GOOD = versionId(2201);
let good: Built;
let goodSingle: Uint8Array;

beforeAll(async () => {
  good = await build(GOOD);
  goodSingle = await encodeArtifact(good.whole);
});

describe("id shards", () => {
  it("route lookups across several id shards to the right item and user", async () => {
    expect(good.itemIdShards.length).toBeGreaterThanOrEqual(4);
    expect(good.userIdShards.length).toBeGreaterThanOrEqual(2);
    await publishSharded(GOOD, good);
    const app = createApp();
    const routedTo = new Set<number>();
    const m = await decodeManifest(good.manifest);
    for (let i = 0; i < ITEMS; i += 11) {
      const id = stringAt(good.whole.items.ids, i);
      routedTo.add(idShardOfItem(m, id));
      const res = await call(app, `/v1/items/${encodeURIComponent(id)}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { item: { id: string; title: string } }).item).toMatchObject({ id, title: stringAt(good.whole.items.titles, i) });
    }
    expect(routedTo.size).toBe(good.itemIdShards.length);
    for (let u = 0; u < USERS; u += 9) {
      const id = stringAt(good.whole.users.ids, u);
      const res = await call(app, `/v1/users/${encodeURIComponent(id)}/history?limit=5`);
      expect(res.status).toBe(200);
      const recs = (await (await call(app, `/v1/users/${encodeURIComponent(id)}/recommendations?k=5`)).json()) as { strategy: string; items: unknown[] };
      expect(recs.strategy).not.toBe("popular");
      expect(recs.items.length).toBeGreaterThan(0);
    }
    const catalog = (await app.deps.store.current(env)) as ShardedCatalog;
    // Every id shard was read (the ids above hash into all of them), each fetched once.
    for (const s of [...good.itemIdShards, ...good.userIdShards]) expect(catalog.loadedShards()).toContain(s);
    // The model card still counts the whole catalogue (from the manifest's header).
    const card = (await (await call(app, "/v1/model")).json()) as { counts: { items: number; users: number } };
    expect(card.counts).toMatchObject({ items: ITEMS, users: USERS });
  });

  it("serves a sharded version from KV too (every object under KV's value limit)", async () => {
    const version = versionId(2205);
    const built = await build(version);
    await publishShardedBuild(env.KV, version, built.manifest, built.shards);
    const app = createApp();
    const kvEnv = { ...env, ARTIFACT_SOURCE: "kv" } as Env;
    for (const i of [0, ITEMS / 2, ITEMS - 1]) {
      const id = stringAt(built.whole.items.ids, i);
      const res = await app.request(`http://edgerec.test/v1/items/${encodeURIComponent(id)}/similar?k=3`, undefined, kvEnv);
      expect(res.status).toBe(200);
      expect(await versionOf(res)).toBe(version);
    }
  });

  it("answers an unknown item or user with a 404 problem naming the id", async () => {
    await publishSharded(GOOD, good);
    const app = createApp();
    const item = await expectProblem(await call(app, "/v1/items/no-such-item-42/similar?k=3"));
    expect(item.status).toBe(404);
    expect(item.detail).toContain('"no-such-item-42"');
    const user = await expectProblem(await call(app, "/v1/users/no-such-shopper-7/history"));
    expect(user.status).toBe(404);
    expect(user.detail).toContain('"no-such-shopper-7"');
  });

  it("a corrupt id shard is a clear 503 for the ids it routes and leaves the other ids served", async () => {
    const version = versionId(2210);
    const built = await build(version);
    const broken = built.itemIdShards[1];
    await publishSharded(version, built, (s, b) => {
      if (s !== broken) return b;
      const copy = b.slice();
      copy[copy.length - 3] ^= 0x5a;
      return copy;
    });
    const app = createApp();
    const m = await decodeManifest(built.manifest);
    let ok = 0;
    let refused = 0;
    for (let i = 0; i < ITEMS; i += 13) {
      const id = stringAt(built.whole.items.ids, i);
      const res = await call(app, `/v1/items/${encodeURIComponent(id)}/similar?k=3`);
      if (idShardOfItem(m, id) === broken) {
        const problem = await expectProblem(res);
        expect(problem.status).toBe(503);
        expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(problem.detail).toMatch(new RegExp(`shard ${broken}\\b.*does not match the manifest's checksum`));
        refused++;
      } else {
        expect(res.status).toBe(200);
        ok++;
      }
    }
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it("a new version missing an id shard object is refused; the previous version keeps serving", async () => {
    await publish(env.ARTIFACTS, GOOD, goodSingle);
    const app = createApp();
    expect(await versionOf(await call(app, "/v1/popular?k=3"))).toBe(GOOD);
    const bad = versionId(2220);
    const built = await build(bad);
    await publishSharded(bad, built, (s, b) => (s === built.userIdShards[0] ? null : b));
    await reload(app);
    expect(await versionOf(await call(app, `/v1/items/${encodeURIComponent(stringAt(good.whole.items.ids, 5))}/similar?k=3`))).toBe(GOOD);
    const h = (await (await call(app, "/healthz")).json()) as { status: string; version: string; lastError: { version: string; message: string } };
    expect(h).toMatchObject({ status: "degraded", version: GOOD });
    expect(h.lastError.version).toBe(bad);
    expect(h.lastError.message).toMatch(/missing shard/);
  });

  it("refuses a manifest of an older format version with how to fix it, and keeps the previous version", async () => {
    const old = versionId(2230);
    const built = await build(old);
    const oldManifest = built.manifest.slice();
    // The format version sits outside the checksummed bytes: only the version check can refuse it.
    new DataView(oldManifest.buffer).setUint32(8, MANIFEST_FORMAT_VERSION - 1, true);

    // Nothing served before: a clear 503.
    await publishSharded(old, built, undefined, oldManifest);
    const fresh = createApp();
    const problem = await expectProblem(await call(fresh, "/v1/popular?k=3"));
    expect(problem.status).toBe(503);
    expect(problem.detail).toMatch(/manifest format version 2 is not supported/);
    expect(problem.detail).toMatch(/older data shards repeated their neighbours' metadata/);
    expect(problem.detail).toMatch(/rebuild the sharded artifact with this trainer/);

    // A good version served: it stays.
    await publish(env.ARTIFACTS, GOOD, goodSingle);
    const app = createApp();
    expect(await versionOf(await call(app, "/v1/popular?k=3"))).toBe(GOOD);
    await publishSharded(old, built, undefined, oldManifest);
    await reload(app);
    expect(await versionOf(await call(app, "/v1/popular?k=3"))).toBe(GOOD);
    const h = (await (await call(app, "/healthz")).json()) as { status: string; lastError: { message: string } };
    expect(h.status).toBe("degraded");
    expect(h.lastError.message).toMatch(/format version 2/);
  });

  it("a first load answers from verified shards at once, and un-serves a version whose background checks fail", async () => {
    const version = versionId(2240);
    const built = await build(version);
    const m = await decodeManifest(built.manifest);
    // Drop a data shard the request below does not need (similar items read no user part): only the background check can notice.
    const id = stringAt(built.whole.items.ids, 0);
    const dropped = m.parts.userShards[0];
    expect(dropped).toBeGreaterThan(m.popularShard);
    await publishSharded(version, built, (s, b) => (s === dropped ? null : b));
    const app = createApp();
    const first = await call(app, `/v1/items/${encodeURIComponent(id)}/similar?k=3`);
    expect(first.status).toBe(200);
    expect(await versionOf(first)).toBe(version);
    // Once the check has run, the version is no longer served: a clear 503 naming the missing shard.
    let problem: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 50 && !problem; attempt++) {
      const res = await call(app, `/v1/items/${encodeURIComponent(id)}/similar?k=3`);
      if (res.status === 503) problem = await expectProblem(res);
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(problem?.detail).toMatch(/missing shard/);
    const h = (await (await call(app, "/healthz")).json()) as { status: string; version: string | null; lastError: { message: string } };
    expect(h.status).toBe("unavailable");
    expect(h.version).toBeNull();
    expect(h.lastError.message).toMatch(/missing shard/);
  });
});
