/**
 * Faults of sharded versions inside workerd: a new sharded version with a missing shard, or a
 * corrupt shard, never replaces the served version; /healthz names the problem.
 */
import { env as workerEnv } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeShardPart, encodeArtifact, type ItemPart, stringAt, stringCountOf } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import type { Env } from "../../../src/config.ts";
import { shardArtifact } from "../../../trainer/artifact/shard.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { publish, versionId } from "../support/publish.ts";
import { publishShardedBuild } from "./shard-publish.ts";

const base = workerEnv as unknown as Env;
const ADMIN = "sharded-fault-token";
const env: Env = { ...base, ARTIFACT_RECHECK_SECONDS: "0", ADMIN_TOKEN: ADMIN };
const GOOD = versionId(1901);
let goodBytes: Uint8Array;

beforeAll(async () => {
  goodBytes = await encodeArtifact(syntheticArtifact({ items: 300, users: 30, version: GOOD }));
});

/** Uploads a sharded version (shards, then manifest, then the pointer), letting `tamper` drop or damage shards. */
async function publishSharded(version: string, tamper: (shard: number, bytes: Uint8Array) => Uint8Array | null | Promise<Uint8Array | null>): Promise<number> {
  const { manifest, shards } = await shardArtifact(syntheticArtifact({ items: 300, users: 30, version }), { maxShardBytes: 64 * 1024, popularHead: 20, popularHeadPerCategory: 5 });
  const tampered = await Promise.all(shards.map((b, s) => tamper(s, b)));
  await publishShardedBuild(env.ARTIFACTS, version, manifest, shards, (s) => tampered[s]);
  return shards.length;
}

type App = ReturnType<typeof createApp>;
const call = (app: App, path: string, init?: RequestInit) => app.request(`http://edgerec.test${path}`, init, env);

async function reload(app: App): Promise<void> {
  expect((await call(app, "/v1/admin/reload", { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
}

describe("a bad sharded version keeps the previous one serving", () => {
  const cases: [string, (s: number, b: Uint8Array) => Uint8Array | null, RegExp][] = [
    ["a missing shard", (s, b) => (s === 1 ? null : b), /missing shard/],
  ];
  cases.forEach(([name, tamper, reason], n) => {
    it(name, async () => {
      await publish(env.ARTIFACTS, GOOD, goodBytes);
      const app = createApp();
      expect(((await (await call(app, "/v1/popular?k=3")).json()) as { version: string }).version).toBe(GOOD);
      const bad = versionId(1910 + n);
      expect(await publishSharded(bad, tamper)).toBeGreaterThan(1);
      await reload(app);
      for (let r = 0; r < 3; r++) expect(((await (await call(app, "/v1/popular?k=3")).json()) as { version: string }).version).toBe(GOOD);
      const h = (await (await call(app, "/healthz")).json()) as { status: string; version: string; lastError: { version?: string; message: string } };
      expect(h.status).toBe("degraded");
      expect(h.version).toBe(GOOD);
      expect(h.lastError.version).toBe(bad);
      expect(h.lastError.message).toMatch(reason);
    });
  });

  it("a corrupt shard discovered on first use is a 503 problem for that shard's items only", async () => {
    const version = versionId(1920);
    let corrupted = -1;
    const lost = new Set<string>();
    const count = await publishSharded(version, async (s, b) => {
      if (s !== 1) return b;
      corrupted = s;
      const part = (await decodeShardPart(b, { items: 300 })) as ItemPart;
      for (let i = 0; i < stringCountOf(part.items.ids); i++) lost.add(stringAt(part.items.ids, i));
      const copy = b.slice();
      copy[copy.length - 2] ^= 0xff;
      return copy;
    });
    expect(corrupted).toBe(1);
    const app = createApp();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i += 7) {
      const id = `P${(100000 + i).toString(36).toUpperCase()}`;
      const res = await call(app, `/v1/items/${id}/similar?k=3`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // Exactly the items the corrupt shard holds are 503s; the others answer without naming them.
      expect(res.status).toBe(lost.has(id) ? 503 : 200);
      if (res.status === 503) expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      else for (const item of ((await res.json()) as { items: { id: string }[] }).items) expect(lost.has(item.id)).toBe(false);
    }
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(count).toBeGreaterThan(1);
  });
});
