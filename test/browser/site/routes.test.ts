/**
 * The worker's browser-facing routes (src/site/) over HTTP, in workerd, with a real
 * trainer-built artifact: /widget.js headers, the demo page's CSP, and the demo's JSON routes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { widgetJs } from "../../../src/site/generated/widget-bundle.ts";
import { buildSampleArtifact, type SampleArtifact } from "../support/sample-artifact.ts";
import { startWorker, type RunningWorker } from "../support/real-worker.ts";

interface Listed {
  version: string;
  items: { id: string; title: string; price: number | null; image: string }[];
}

describe("widget and demo routes", () => {
  let sample: SampleArtifact;
  let worker: RunningWorker;

  beforeAll(async () => {
    sample = await buildSampleArtifact();
    worker = await startWorker(sample.bytes, { CORS_ORIGINS: "https://shop.example" });
  });
  afterAll(() => worker?.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(worker.origin + path, { headers });

  it("serves /widget.js as a cacheable, CORS-readable module script, 304 on a matching ETag", async () => {
    const res = await get("/widget.js", { origin: "https://any-store.example" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cache-control")).toContain("max-age=300");
    expect(await res.text()).toBe(widgetJs);
    const again = await get("/widget.js", { "if-none-match": res.headers.get("etag")! });
    expect(again.status).toBe(304);
  });

  it("serves the demo page with a CSP that allows only its own scripts and API", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/widget.js"></script>');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // no external resources
    expect((await get("/demo.js")).status).toBe(200);
  });

  it("searches titles: title prefix first, then word starts, then substrings", async () => {
    const target = sample.store.items[10];
    const word = target.title!.split(/\s+/)[1];
    const res = await get(`/v1/search?q=${encodeURIComponent(word.toLowerCase())}&limit=50`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Listed;
    expect(body.version).toBe(sample.version);
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.every((i) => i.title.toLowerCase().includes(word.toLowerCase()))).toBe(true);
    const rank = (title: string) => {
      const t = title.toLowerCase();
      const at = t.indexOf(word.toLowerCase());
      return at === 0 ? 0 : /[\s\-(/,&]/.test(t[at - 1]) ? 1 : 2;
    };
    const ranks = body.items.map((i) => rank(i.title));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const byId = (await (await get(`/v1/search?q=${encodeURIComponent(target.id)}`)).json()) as Listed;
    expect(byId.items[0].id).toBe(target.id);
    expect(((await (await get("/v1/search?q=")).json()) as Listed).items).toEqual([]);
  });

  it("answers bad demo-route input with problem JSON, never a 500", async () => {
    for (const path of ["/v1/search?q=tea&limit=0", "/v1/search?q=tea&limit=x", `/v1/search?q=${"a".repeat(101)}`, "/v1/users?limit=1000"]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(((await res.json()) as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    }
    const unknown = await get("/v1/users/nobody-at-all/history");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toContain("nobody-at-all");
  });

  it("lists shoppers with history and returns a shopper's history, most recent first", async () => {
    const { users } = (await (await get("/v1/users?limit=5")).json()) as { users: { id: string; historyLength: number }[] };
    expect(users).toHaveLength(5);
    expect(users.every((u) => u.historyLength >= 3)).toBe(true);
    const res = await get(`/v1/users/${encodeURIComponent(users[0].id)}/history?limit=50`);
    const history = (await res.json()) as Listed & { user: string };
    expect(history.user).toBe(users[0].id);
    expect(history.items).toHaveLength(users[0].historyLength);
    expect(res.headers.get("cache-control")).toMatch(/private|no-store/);
  });

  it("gives the model card: version, model, metrics, counts and the training history if stored", async () => {
    const card = (await (await get("/v1/model/card")).json()) as Record<string, any>;
    expect(card.version).toBe(sample.version);
    expect(card.model.type).toBeTruthy();
    expect(Object.keys(card.metrics)).toEqual(Object.keys(sample.metrics));
    expect(card.counts.items).toBe(sample.store.items.length);
    expect(Array.isArray(card.training)).toBe(true);
  });

  it("lists the demo routes in /openapi.json", async () => {
    const doc = (await (await get("/openapi.json")).json()) as { paths: Record<string, unknown> };
    for (const path of ["/v1/search", "/v1/users", "/v1/users/{id}/history", "/v1/model/card"]) expect(doc.paths).toHaveProperty([path]);
  });
});
