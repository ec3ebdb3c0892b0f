/**
 * Every kind of route answers with the hardening headers the docs promise: nosniff,
 * no-referrer and a content-security-policy that forbids framing (pages set their own CSP, still
 * with frame-ancestors 'none'). One request per route kind: hot API routes (200, 4xx), app
 * routes, the admin route, static assets (/widget.js, /demo.js, the demo page, a 304
 * revalidation), docs, 404s, a preflight, and /healthz (200, and 503 with nothing published).
 */
import { env as workerEnv } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeArtifact, stringAt } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import type { Env } from "../../../src/config.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { publish, versionId } from "../support/publish.ts";

const base = workerEnv as unknown as Env;
// The demo routes are on here (as under `npm start`), so their headers are checked too.
const env: Env = { ...base, ADMIN_TOKEN: "route-headers-token-0123456789", DEMO: "on" };
const VERSION = versionId(1902);
const app = createApp();
let item: string;
let user: string;

beforeAll(async () => {
  const a = syntheticArtifact({ items: 80, users: 10, version: VERSION });
  item = stringAt(a.items.ids, 0);
  user = stringAt(a.users.ids, 0);
  await publish(env.ARTIFACTS, VERSION, await encodeArtifact(a));
});

async function call(path: string, init: RequestInit = {}, e: Env = env): Promise<Response> {
  return app.request(`http://edgerec.test${path}`, init, e);
}

function expectHardened(res: Response, what: string): void {
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp, what).toMatch(/default-src 'none'/);
  expect(csp, what).toMatch(/frame-ancestors 'none'/);
}

describe("security headers on every route kind", () => {
  it("hot API routes, app routes, static assets, docs, errors, preflight and health all carry them", async () => {
    const post = (body: unknown): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const cases: [string, string, RequestInit, number][] = [
      ["hot route 200", "/v1/popular?k=3", {}, 200],
      ["hot route with a path id", `/v1/items/${encodeURIComponent(item)}/similar?k=3`, {}, 200],
      ["hot route 404 (unknown id)", "/v1/items/no-such-item/similar", {}, 404],
      ["hot route 400 (bad query)", "/v1/popular?k=-1", {}, 400],
      ["hot POST route", "/v1/recommendations", post({ items: [item], k: 3 }), 200],
      ["user route", `/v1/users/${encodeURIComponent(user)}/recommendations?k=3`, {}, 200],
      ["app route", "/v1/model", {}, 200],
      ["admin route 401", "/v1/admin/reload", { method: "POST" }, 401],
      ["widget script", "/widget.js", {}, 200],
      ["demo script", "/demo.js", {}, 200],
      ["demo page", "/", {}, 200],
      ["OpenAPI document", "/openapi.json", {}, 200],
      ["API docs page", "/docs", {}, 200],
      ["unknown path", "/no/such/path", {}, 404],
      ["preflight", "/v1/recommendations", { method: "OPTIONS", headers: { origin: "https://shop.example", "access-control-request-method": "POST" } }, 204],
      ["health", "/healthz", {}, 200],
    ];
    for (const [what, path, init, status] of cases) {
      const res = await call(path, init);
      await res.arrayBuffer();
      if (what !== "preflight") expect(res.status, what).toBe(status);
      expectHardened(res, what);
    }
    // A revalidated static asset (304) too.
    const first = await call("/widget.js");
    const etag = first.headers.get("etag")!;
    const again = await call("/widget.js", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expectHardened(again, "widget script 304");
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("/healthz answers 503 with the headers when nothing can be served", async () => {
    const empty = { ...env, ARTIFACTS: { get: async () => null, head: async () => null, list: async () => ({ objects: [], truncated: false }) } as unknown as R2Bucket };
    // A fresh app: its store has loaded nothing yet.
    const res = await createApp().request("http://edgerec.test/healthz", {}, empty);
    expect(res.status).toBe(503);
    expectHardened(res, "health 503");
  });
});
