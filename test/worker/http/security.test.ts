/**
 * Security properties of the worker inside workerd: admin routes need the bearer token,
 * CORS answers only allowlisted origins, every response carries the hardening headers, and
 * error bodies never reveal stack traces or internal paths.
 */
import { env as workerEnv } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeArtifact } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import type { Env } from "../../../src/config.ts";
import { constantTimeEqual } from "../../../src/http/auth.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { expectProblem, LEAK, publish, versionId } from "../support/publish.ts";

const base = workerEnv as unknown as Env;
const TOKEN = "s3cret-admin-token-0123456789";
const SHOP = "https://shop.example";
const env: Env = { ...base, ADMIN_TOKEN: TOKEN, CORS_ORIGINS: `${SHOP}, https://other-shop.example` };
const VERSION = versionId(701);
const app = createApp();

beforeAll(async () => {
  await publish(env.ARTIFACTS, VERSION, await encodeArtifact(syntheticArtifact({ items: 100, users: 10, version: VERSION })));
});

function call(path: string, init: RequestInit = {}, e: Env = env): Promise<Response> {
  return Promise.resolve(app.request(`http://edgerec.test${path}`, init, e));
}

describe("admin routes", () => {
  const reload = (headers: Record<string, string>, e: Env = env) => call("/v1/admin/reload", { method: "POST", headers }, e);

  it.each([
    ["no Authorization header", {}],
    ["a wrong token", { authorization: `Bearer ${TOKEN.slice(0, -1)}x` }],
    ["a prefix of the token", { authorization: `Bearer ${TOKEN.slice(0, 10)}` }],
    ["the token plus a suffix", { authorization: `Bearer ${TOKEN}0` }],
    ["an empty bearer", { authorization: "Bearer " }],
    ["Basic auth with the token", { authorization: `Basic ${btoa(`admin:${TOKEN}`)}` }],
    ["the token without a scheme", { authorization: TOKEN }],
    ["a unicode token", { authorization: `Bearer ${encodeURIComponent("ünïcødé")}` }],
  ])("answer 401 problem JSON for %s", async (_name, headers) => {
    const res = await reload(headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const body = await expectProblem(res);
    expect(JSON.stringify(body)).not.toContain(TOKEN);
  });

  it("answer 401 when no ADMIN_TOKEN is configured, whatever is sent", async () => {
    const { ADMIN_TOKEN: _omit, ...noToken } = env;
    for (const authorization of ["", "Bearer ", "Bearer undefined", `Bearer ${TOKEN}`]) {
      const res = await reload({ authorization }, noToken as Env);
      expect(res.status).toBe(401);
      await expectProblem(res);
    }
  });

  it("accept the right token (scheme case-insensitive)", async () => {
    expect((await reload({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await reload({ authorization: `bearer ${TOKEN}` })).status).toBe(200);
  });

  it("compare tokens by value only (the constant-time comparison is exact)", () => {
    expect(constantTimeEqual(TOKEN, TOKEN)).toBe(true);
    for (const other of ["", TOKEN.slice(0, -1), TOKEN + "x", TOKEN.toUpperCase(), "x".repeat(TOKEN.length), TOKEN.slice(1) + TOKEN[0]]) {
      expect(constantTimeEqual(other, TOKEN)).toBe(false);
    }
  });

  it("are not reachable by GET", async () => {
    const res = await call("/v1/admin/reload", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe("CORS allowlist", () => {
  it("echoes an allowed origin on simple and preflight requests", async () => {
    const res = await call("/v1/popular", { headers: { origin: SHOP } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(res.headers.get("vary")).toMatch(/Origin/);
    const pre = await call("/v1/recommendations", { method: "OPTIONS", headers: { origin: SHOP, "access-control-request-method": "POST" } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(pre.headers.get("access-control-allow-methods")).toMatch(/POST/);
  });

  it.each(["https://evil.example", "https://shop.example.evil.example", "http://shop.example", "https://shop.example:8443", "null", "https://SHOP.example"])(
    "gives %s no Access-Control-Allow-Origin and refuses its preflight",
    async (origin) => {
      const res = await call("/v1/popular", { headers: { origin } });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      const pre = await call("/v1/recommendations", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
      expect(pre.status).toBe(403);
      expect(pre.headers.get("access-control-allow-origin")).toBeNull();
      await expectProblem(pre);
    },
  );

  it("never sends credentials headers or a wildcard with an allowlist", async () => {
    const res = await call("/v1/popular", { headers: { origin: SHOP } });
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("access-control-allow-origin")).not.toBe("*");
  });
});

describe("security headers and error bodies", () => {
  const requests: [string, string, RequestInit?][] = [
    ["200", "/v1/popular"],
    ["200 health", "/healthz"],
    ["400", "/v1/popular?k=-1"],
    ["404 item", "/v1/items/does-not-exist/similar"],
    ["404 route", "/etc/passwd"],
    ["401", "/v1/admin/reload", { method: "POST" }],
    ["413", "/v1/recommendations", { method: "POST", headers: { "content-type": "application/json" }, body: `{"items":["${"x".repeat(11 * 1024 * 1024)}"]}` }],
    ["415", "/v1/recommendations", { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" }],
    ["400 malformed", "/v1/score", { method: "POST", headers: { "content-type": "application/json" }, body: '{"pairs": [' }],
    ["400 traversal", "/v1/items/..%2F..%2Fsrc%2Findex.ts"],
  ];

  it.each(requests)("%s carries nosniff, referrer-policy and a CSP that forbids framing", async (_name, path, init) => {
    const res = await call(path, init);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    // frame-ancestors 'none' forbids framing (it supersedes X-Frame-Options).
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    if (res.status >= 400) {
      await expectProblem(res);
      expect(res.headers.get("cache-control")).toBe("no-store");
    } else {
      expect(LEAK.test(await res.text())).toBe(false);
    }
  });

  it("503 before anything is published says how to publish, without internals", async () => {
    const empty: Env = { ...env, ARTIFACTS: emptyBucket() };
    const res = await createApp().request("http://edgerec.test/v1/popular", undefined, empty);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const body = await expectProblem(res);
    expect(String(body.detail)).toMatch(/edgerec publish/);
  });
});

function emptyBucket(): R2Bucket {
  return { get: async () => null, head: async () => null } as unknown as R2Bucket;
}
