/**
 * Faults inside workerd with real R2: a corrupt new version never replaces a good one
 * (and /healthz says why), storage failures are 503 problems with Retry-After rather than
 * hangs, and a stampede of first requests decodes the artifact exactly once.
 */
import { env as workerEnv } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { artifactKey, encodeArtifact } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import type { Env } from "../../../src/config.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { expectProblem, flipCurrent, publish, putVersion, versionId } from "../support/publish.ts";

const base = workerEnv as unknown as Env;
const ADMIN = "fault-test-token";
const env: Env = { ...base, ARTIFACT_RECHECK_SECONDS: "0", ADMIN_TOKEN: ADMIN };
const GOOD = versionId(901);
let goodBytes: Uint8Array;

beforeAll(async () => {
  goodBytes = await encodeArtifact(syntheticArtifact({ items: 200, users: 20, version: GOOD }));
  await publish(env.ARTIFACTS, GOOD, goodBytes);
});

type App = ReturnType<typeof createApp>;

async function get(app: App, path: string, e: Env = env): Promise<Response> {
  return app.request(`http://edgerec.test${path}`, undefined, e);
}

async function health(app: App, e: Env = env): Promise<{ status: string; version: string | null; lastError: { version?: string; message: string } | null; decodes: number }> {
  return (await get(app, "/healthz", e)).json();
}

/** Forces the pointer re-check now (the admin route awaits it). */
async function reload(app: App, e: Env = env): Promise<void> {
  const res = await app.request("http://edgerec.test/v1/admin/reload", { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } }, e);
  expect(res.status).toBe(200);
}

async function servedVersion(app: App, e: Env = env): Promise<string> {
  const res = await get(app, "/v1/popular?k=3", e);
  expect(res.status).toBe(200);
  return ((await res.json()) as { version: string }).version;
}

const corruptions: [string, (good: Uint8Array) => Promise<Uint8Array | null>, RegExp][] = [
  [
    "a flipped byte (bad checksum)",
    async (good) => {
      const b = good.slice();
      b[b.length - 5] ^= 0x5a;
      return b;
    },
    /checksum/,
  ],
  ["a truncated object", async (good) => good.slice(0, Math.floor(good.length / 2)), /checksum|truncated/],
  [
    "a wrong format version",
    async (good) => {
      const b = good.slice();
      new DataView(b.buffer).setUint32(8, 99, true);
      return b;
    },
    /format version 99/,
  ],
  ["a missing object", async () => null, /missing/],
  ["bytes that are not an artifact at all", async () => new TextEncoder().encode("<html>503 Service Unavailable</html>"), /not an edgerec artifact/],
];

describe("a corrupt new version keeps the previous one serving", () => {
  corruptions.forEach(([name, corrupt, reason], n) => {
    it(`${name}`, async () => {
      await publish(env.ARTIFACTS, GOOD, goodBytes);
      const app = createApp();
      expect(await servedVersion(app)).toBe(GOOD);

      const bad = versionId(910 + n);
      const bytes = await corrupt(goodBytes);
      if (bytes) await putVersion(env.ARTIFACTS, bad, bytes);
      await flipCurrent(env.ARTIFACTS, bad);
      await reload(app);

      for (let r = 0; r < 5; r++) expect(await servedVersion(app)).toBe(GOOD);
      const h = await health(app);
      expect(h.status).toBe("degraded");
      expect(h.version).toBe(GOOD);
      expect(h.lastError?.version).toBe(bad);
      expect(h.lastError?.message).toMatch(reason);

      // The passive re-check (no admin call) keeps refusing it too.
      await new Promise((r) => setTimeout(r, 20));
      expect(await servedVersion(app)).toBe(GOOD);

      // A good version published afterwards is picked up and clears the warning.
      const next = versionId(950 + n);
      await publish(env.ARTIFACTS, next, await encodeArtifact(syntheticArtifact({ items: 200, users: 20, version: next })));
      await reload(app);
      expect(await servedVersion(app)).toBe(next);
      expect((await health(app)).status).toBe("ok");
    });
  });

  it("a first load of a corrupt version is a 503 problem that names the refusal", async () => {
    const bad = versionId(960);
    const b = goodBytes.slice();
    b[b.length - 1] ^= 1;
    await putVersion(env.ARTIFACTS, bad, b);
    await flipCurrent(env.ARTIFACTS, bad);
    const app = createApp();
    const res = await get(app, "/v1/popular");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    const problem = await expectProblem(res);
    expect(String(problem.detail)).toMatch(/checksum/);
    const h = await get(app, "/healthz");
    expect(h.status).toBe(503);
    expect(((await h.json()) as { lastError: { message: string } }).lastError.message).toMatch(/checksum/);
    await publish(env.ARTIFACTS, GOOD, goodBytes);
  });
});

/** An R2 binding whose reads fail the way a storage outage does: rejecting, or never answering. */
function brokenBucket(real: R2Bucket, mode: "reject" | "hang", failKey?: (key: string) => boolean): R2Bucket {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "get") {
        return (key: string, ...rest: unknown[]) => {
          if (failKey && !failKey(key)) return (target.get as (...a: unknown[]) => unknown)(key, ...rest);
          return mode === "reject" ? Promise.reject(new Error("R2 internal error (simulated outage)")) : new Promise(() => {});
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("R2 read failures", () => {
  for (const mode of ["reject", "hang"] as const) {
    it(`a ${mode === "reject" ? "failing" : "hanging"} R2 read before the first load is a 503 problem with Retry-After`, async () => {
      await publish(env.ARTIFACTS, GOOD, goodBytes);
      const e: Env = { ...env, ARTIFACTS: brokenBucket(base.ARTIFACTS, mode), ARTIFACT_TIMEOUT_MS: "50" };
      const app = createApp();
      const guard = new Promise<"hung">((r) => setTimeout(() => r("hung"), 10_000));
      for (const path of ["/v1/popular", "/v1/items/x/similar", "/v1/model"]) {
        const res = await Promise.race([get(app, path, e), guard]);
        expect(res).not.toBe("hung");
        const r = res as Response;
        expect(r.status).toBe(503);
        expect(r.headers.get("retry-after")).toMatch(/^\d+$/);
        const problem = await expectProblem(r);
        expect(JSON.stringify(problem)).not.toContain("simulated outage");
      }
    });
  }

  it("an R2 outage after the first load keeps serving the loaded version", async () => {
    await publish(env.ARTIFACTS, GOOD, goodBytes);
    const app = createApp();
    expect(await servedVersion(app)).toBe(GOOD);
    const e: Env = { ...env, ARTIFACTS: brokenBucket(base.ARTIFACTS, "reject"), ARTIFACT_TIMEOUT_MS: "50" };
    await reload(app, e);
    for (let r = 0; r < 5; r++) expect(await servedVersion(app, e)).toBe(GOOD);
    const h = await health(app, e);
    expect(h.status).toBe("degraded");
    expect(h.lastError?.message).toMatch(/R2/);
  });
});

describe("a stampede of first requests", () => {
  it("100 concurrent first requests share one read and one decode", async () => {
    await publish(env.ARTIFACTS, GOOD, goodBytes);
    let artifactReads = 0;
    const counting = new Proxy(base.ARTIFACTS, {
      get(target, prop) {
        if (prop === "get") {
          return (key: string, ...rest: unknown[]) => {
            if (key === artifactKey(GOOD)) artifactReads++;
            return (target.get as (...a: unknown[]) => unknown)(key, ...rest);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const e: Env = { ...env, ARTIFACTS: counting, ARTIFACT_RECHECK_SECONDS: "3600" };
    const app = createApp();
    const paths = ["/v1/popular?k=5", "/v1/model", "/v1/items/P2N9S"];
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, r) => get(app, paths[r % paths.length], e)),
    );
    for (const res of responses) expect([200, 404]).toContain(res.status);
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(66);
    expect((await health(app, e)).decodes).toBe(1);
    expect(artifactReads).toBe(1);
  });
});
