/** The artifact store inside workerd: publishing, swapping, failures, KV source, A/B. */
import { beforeEach, describe, expect, inject, it } from "vitest";
import { CURRENT_KEY } from "../../../src/artifact/index.ts";
import { baseEnv, client, download, pointerFor, problemOf, publishKV, publishR2, unpublishAll, worker } from "../support/helpers.ts";

const { v1, v2 } = inject("artifacts");
const bytes1 = await download(v1.url);
const bytes2 = await download(v2.url);
const itemId = (i: number) => `P${(100000 + i).toString(36).toUpperCase()}`;

beforeEach(async () => {
  await unpublishAll();
});

describe("nothing published", () => {
  it("answers 503 problem JSON saying how to publish", async () => {
    const api = client();
    const res = await api.fetch(`/v1/items/${itemId(1)}/similar`);
    expect(res.headers.get("retry-after")).toBeTruthy();
    const p = await problemOf(res, 503);
    expect(p.detail).toContain("npx edgerec publish <artifact.bin> --local");
    const health = await api.json("/healthz");
    expect(health.status).toBe(503);
    expect(health.body.status).toBe("unavailable");
  });

  it("starts serving once something is published", async () => {
    const api = client();
    expect((await api.fetch("/v1/popular")).status).toBe(503);
    await publishR2(v1.version, bytes1);
    const { status, body } = await api.json("/v1/popular?k=2");
    expect(status).toBe(200);
    expect(body.version).toBe(v1.version);
  });

  it("the worker's default export (one store per isolate) serves the same way", async () => {
    await publishR2(v1.version, bytes1);
    const res = await worker.fetch(`https://api.edgerec.test/v1/items/${itemId(1)}/similar?k=2`);
    expect(res.status).toBe(200);
  });
});

describe("loading", () => {
  it("a stampede of 100 concurrent first requests decodes once", async () => {
    await publishR2(v1.version, bytes1);
    const api = client();
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => api.fetch(`/v1/items/${itemId(i)}/similar?k=3`)));
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(api.app.deps.store.decodes).toBe(1);
  });

  it("a new version is picked up after the recheck interval and swapped atomically", async () => {
    await publishR2(v1.version, bytes1);
    const api = client({ ARTIFACT_RECHECK_SECONDS: "0" });
    expect((await api.json("/v1/popular?k=3")).body.version).toBe(v1.version);
    await publishR2(v2.version, bytes2);
    // The check runs in the background (waitUntil) of the next request, which still gets v1 or v2 whole.
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await api.json(`/v1/items/${itemId(i)}/similar?k=5`);
      seen.push(body.version);
      // Items and metadata come from the version the response names.
      expect(body.items).toHaveLength(5);
    }
    expect(seen.at(-1)).toBe(v2.version);
    expect(seen.indexOf(v2.version)).toBeLessThanOrEqual(1);
    expect(new Set(seen.slice(seen.indexOf(v2.version)))).toEqual(new Set([v2.version]));
  });

  it("does not re-read the pointer before the recheck interval", async () => {
    await publishR2(v1.version, bytes1);
    const api = client({ ARTIFACT_RECHECK_SECONDS: "3600" });
    await api.fetch("/v1/popular");
    await publishR2(v2.version, bytes2);
    for (let i = 0; i < 3; i++) expect((await api.json("/v1/popular")).body.version).toBe(v1.version);
  });

  it("admin reload swaps immediately", async () => {
    await publishR2(v1.version, bytes1);
    const api = client({ ARTIFACT_RECHECK_SECONDS: "3600", ADMIN_TOKEN: "t0ken" });
    await api.fetch("/v1/popular");
    await publishR2(v2.version, bytes2);
    const res = await api.json("/v1/admin/reload", { method: "POST", headers: { authorization: "Bearer t0ken" } });
    expect(res.body).toMatchObject({ previous: v1.version, version: v2.version, status: "ok" });
    expect((await api.json("/v1/popular")).body.version).toBe(v2.version);
  });
});

describe("bad versions keep the previous one serving", () => {
  const corruptions: [string, (b: Uint8Array) => Uint8Array][] = [
    ["bad checksum", (b) => {
      const c = b.slice();
      c[c.length - 10] ^= 0xff;
      return c;
    }],
    ["truncated", (b) => b.slice(0, Math.floor(b.length / 2))],
    ["wrong format version", (b) => {
      const c = b.slice();
      c[8] = 99;
      return c;
    }],
    ["not an artifact", () => new TextEncoder().encode("hello, I am not msgpack")],
  ];

  it.each(corruptions)("%s → previous version keeps serving, /healthz degraded", async (_, corrupt) => {
    await publishR2(v1.version, bytes1);
    const api = client({ ARTIFACT_RECHECK_SECONDS: "0" });
    expect((await api.json("/v1/popular")).body.version).toBe(v1.version);
    await publishR2(v2.version, corrupt(bytes2));
    for (let i = 0; i < 3; i++) {
      const { status, body } = await api.json(`/v1/items/${itemId(i)}/similar?k=3`);
      expect(status).toBe(200);
      expect(body.version).toBe(v1.version);
    }
    const health = await api.json("/healthz");
    expect(health.status).toBe(200);
    expect(health.body.status).toBe("degraded");
    expect(health.body.version).toBe(v1.version);
    expect(health.body.lastError.version).toBe(v2.version);
    expect(health.body.lastError.message).toMatch(/artifact/i);
    // The bad version is not re-downloaded on every check.
    const decodes = api.app.deps.store.decodes;
    await api.fetch("/v1/popular");
    await api.fetch("/v1/popular");
    expect(api.app.deps.store.decodes).toBe(decodes);
    // Publishing a good version recovers.
    await publishR2("20261129T000300Z-0000ccc3", await reversioned(bytes1, "20261129T000300Z-0000ccc3"));
    await api.fetch("/v1/popular");
    const after = await api.json("/healthz");
    expect(after.body).toMatchObject({ status: "ok", version: "20261129T000300Z-0000ccc3", lastError: null });
  });

  it("a refused version published again under the same id with good bytes is picked up (the refusal is keyed by digest)", async () => {
    await publishR2(v1.version, bytes1);
    const api = client({ ARTIFACT_RECHECK_SECONDS: "0" });
    expect((await api.json("/v1/popular")).body.version).toBe(v1.version);
    const publishWithDigest = async (bytes: Uint8Array) => {
      await baseEnv.ARTIFACTS.put(`artifacts/${v2.version}/artifact.bin`, new Uint8Array(bytes));
      const sha256 = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)))].map((b) => b.toString(16).padStart(2, "0")).join("");
      // The same publishedAt both times: only the digest tells the two publishes apart.
      const pointer = { ...pointerFor(v2.version, bytes.byteLength), publishedAt: "2026-11-29T01:00:00.000Z", sha256 };
      await baseEnv.ARTIFACTS.put(CURRENT_KEY, JSON.stringify(pointer));
    };
    const corrupt = bytes2.slice();
    corrupt[corrupt.length - 10] ^= 0xff;
    await publishWithDigest(corrupt);
    await api.fetch("/v1/popular");
    expect((await api.json("/healthz")).body).toMatchObject({ status: "degraded", version: v1.version, lastError: { version: v2.version } });
    // A status-code monitor sees it with strict=1; a bad strict value is a 400 problem.
    expect((await api.json("/healthz")).status).toBe(200);
    expect((await api.json("/healthz?strict=1")).status).toBe(503);
    await problemOf(await api.fetch("/healthz?strict=yes"), 400);
    // The same refused bytes are not downloaded again…
    const decodes = api.app.deps.store.decodes;
    await api.fetch("/v1/popular");
    expect(api.app.deps.store.decodes).toBe(decodes);
    // …but the same id published again with good bytes is.
    await publishWithDigest(bytes2);
    await api.fetch("/v1/popular");
    expect((await api.json("/v1/popular")).body.version).toBe(v2.version);
    expect((await api.json("/healthz")).body).toMatchObject({ status: "ok", version: v2.version, lastError: null });
    expect((await api.json("/healthz?strict=1")).status).toBe(200);
  });

  it("a missing object for the pointer's version keeps the previous one", async () => {
    await publishR2(v1.version, bytes1);
    const api = client();
    await api.fetch("/v1/popular");
    await baseEnv.ARTIFACTS.put(CURRENT_KEY, JSON.stringify(pointerFor(v2.version, 10)));
    await api.fetch("/v1/popular");
    expect((await api.json("/v1/popular")).body.version).toBe(v1.version);
    expect((await api.json("/healthz")).body).toMatchObject({ status: "degraded", lastError: { version: v2.version } });
  });

  it("a corrupt first version → 503 explaining the refusal", async () => {
    const broken = bytes1.slice();
    broken[broken.length - 1] ^= 1;
    await publishR2(v1.version, broken);
    const api = client({ ARTIFACT_RECHECK_SECONDS: "30" });
    const p = await problemOf(await api.fetch("/v1/popular"), 503);
    expect(p.detail).toMatch(/checksum/);
    // Further requests are answered from that failure, not by downloading the bad artifact again.
    for (let i = 0; i < 5; i++) await problemOf(await api.fetch("/v1/popular"), 503);
    expect(api.app.deps.store.decodes).toBe(1);
    expect((await api.json("/healthz")).body.lastError).toMatchObject({ version: v1.version });
  });
});

describe("storage failures", () => {
  it("an R2 read that hangs → 503 with Retry-After within the timeout, never a hang", async () => {
    const hanging = { get: () => new Promise(() => undefined) } as unknown as R2Bucket;
    const api = client({ ARTIFACTS: hanging, ARTIFACT_TIMEOUT_MS: "200" });
    const started = Date.now();
    const res = await api.fetch("/v1/popular");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.headers.get("retry-after")).toBe("5");
    const p = await problemOf(res, 503);
    expect(p.title).toBe("Artifact storage unavailable");
  });

  it("an R2 read that throws → 503; a later recheck failure keeps serving and reports degraded", async () => {
    const failing = { get: () => Promise.reject(new Error("R2 internal error at /secret/path.ts:12")) } as unknown as R2Bucket;
    const p = await problemOf(await client({ ARTIFACTS: failing }).fetch("/v1/popular"), 503);
    expect(JSON.stringify(p)).not.toContain("secret");

    await publishR2(v1.version, bytes1);
    let fail = false;
    const flaky = {
      get: (key: string) => (fail ? Promise.reject(new Error("boom")) : baseEnv.ARTIFACTS.get(key)),
    } as unknown as R2Bucket;
    const api = client({ ARTIFACTS: flaky });
    expect((await api.fetch("/v1/popular")).status).toBe(200);
    fail = true;
    expect((await api.fetch("/v1/popular")).status).toBe(200);
    expect((await api.json("/healthz")).body).toMatchObject({ status: "degraded", version: v1.version });
    fail = false;
    await api.fetch("/v1/popular");
    expect((await api.json("/healthz")).body.status).toBe("ok");
  });
});

describe("parallel range reads", () => {
  it("reads a large artifact as parallel R2 ranges, and falls back to one read when the pointer's size is stale", async () => {
    await publishR2(v1.version, bytes1);
    const api = client({ ARTIFACT_RANGE_BYTES: "16384" });
    const { status, body } = await api.json(`/v1/items/${itemId(3)}/similar?k=3`);
    expect(status).toBe(200);
    expect(body.version).toBe(v1.version);
    expect(bytes1.byteLength).toBeGreaterThan(3 * 16384);

    await baseEnv.ARTIFACTS.put(CURRENT_KEY, JSON.stringify(pointerFor(v1.version, bytes1.byteLength - 1000)));
    const stale = client({ ARTIFACT_RANGE_BYTES: "16384" });
    expect((await stale.json("/v1/popular")).status).toBe(200);
    expect((await stale.json("/healthz")).body.status).toBe("ok");
  });
});

describe("KV source", () => {
  it("ARTIFACT_SOURCE=kv reads pointer and artifact from KV", async () => {
    await publishKV(v2.version, bytes2);
    const api = client({ ARTIFACT_SOURCE: "kv" });
    const { status, body } = await api.json(`/v1/items/${itemId(1)}/similar?k=2`);
    expect(status).toBe(200);
    expect(body.version).toBe(v2.version);
    expect((await api.json("/healthz")).body.source).toBe("kv");
    // R2 holds nothing: the default source would have nothing to serve.
    expect((await client().fetch("/v1/popular")).status).toBe(503);
  });
});

describe("A/B", () => {
  async function abClient(share: string) {
    await publishR2(v1.version, bytes1);
    await publishR2(v2.version, bytes2, false);
    return client({ AB_VERSION: v2.version, AB_SHARE: share });
  }

  it("splits sessions by a stable hash and says which variant served", async () => {
    const api = await abClient("0.5");
    const variants = new Map<string, string>();
    for (let s = 0; s < 60; s++) {
      const { body } = await api.json(`/v1/popular?k=2&session=s${s}`);
      expect(body.version).toBe(body.variant === "treatment" ? v2.version : v1.version);
      variants.set(`s${s}`, body.variant);
    }
    const treated = [...variants.values()].filter((v) => v === "treatment").length;
    expect(treated).toBeGreaterThan(15);
    expect(treated).toBeLessThan(45);
    // Stable: the same session gets the same arm, across routes and via the header too.
    for (const [session, variant] of [...variants].slice(0, 10)) {
      expect((await api.json(`/v1/items/${itemId(1)}/similar?session=${session}`)).body.variant).toBe(variant);
      expect((await api.json("/v1/popular", { headers: { "x-session-id": session } })).body.variant).toBe(variant);
      const basket = await api.post("/v1/recommendations", { items: [itemId(1)], session });
      expect(((await basket.json()) as any).variant).toBe(variant);
    }
    expect((await api.json("/healthz")).body.treatment).toMatchObject({ version: v2.version, status: "ok" });
  });

  it("the user id assigns users; share 0 and 1 are all-control and all-treatment", async () => {
    const all = await abClient("1");
    expect((await all.json("/v1/users/u1/recommendations")).body.variant).toBe("treatment");
    const none = client({ AB_VERSION: v2.version, AB_SHARE: "0" });
    expect((await none.json("/v1/users/u1/recommendations")).body.variant).toBe("control");
  });

  it("a treatment version that cannot load falls back to control", async () => {
    await publishR2(v1.version, bytes1);
    const api = client({ AB_VERSION: "20261129T009999Z-deadbeef", AB_SHARE: "1" });
    const { status, body } = await api.json("/v1/popular?session=abc");
    expect(status).toBe(200);
    expect(body).toMatchObject({ variant: "control", version: v1.version });
    expect((await api.json("/healthz")).body.treatment.status).toBe("failed");
  });
});

async function reversioned(bytes: Uint8Array, version: string): Promise<Uint8Array> {
  const { decodeArtifact, encodeArtifact } = await import("../../../src/artifact/index.ts");
  const a = await decodeArtifact(bytes.slice());
  a.header.version = version;
  return encodeArtifact(a);
}
