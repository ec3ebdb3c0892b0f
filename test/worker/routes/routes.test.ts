/** Every route through a real app instance inside workerd, with the artifact in real R2. */
import { beforeEach, describe, expect, inject, it } from "vitest";
import { client, download, problemOf, publishR2, unpublishAll } from "../support/helpers.ts";

const { v1 } = inject("artifacts");
const bytes = await download(v1.url);

async function ready(vars = {}) {
  await unpublishAll();
  await publishR2(v1.version, bytes);
  return client(vars);
}

// Item ids of the synthetic catalogue: "P" + base-36 of 100000 + index.
const itemId = (i: number) => `P${(100000 + i).toString(36).toUpperCase()}`;

const DISPLAY_KEYS = ["id", "title", "brand", "price", "category", "image", "url", "score", "reason"];

describe("recommendation routes", () => {
  let api: Awaited<ReturnType<typeof ready>>;
  beforeEach(async () => {
    api = await ready();
  });

  it("GET /v1/items/:id/similar returns k items with display metadata, a reason and the version", async () => {
    const { status, body, headers } = await api.json(`/v1/items/${itemId(3)}/similar?k=5`);
    expect(status).toBe(200);
    expect(body.version).toBe(v1.version);
    expect(headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(body.variant).toBe("control");
    expect(body.item.id).toBe(itemId(3));
    expect(body.items).toHaveLength(5);
    for (const item of body.items) {
      for (const key of DISPLAY_KEYS) expect(item).toHaveProperty(key);
      expect(item.id).not.toBe(itemId(3));
      expect(item.reason).toMatch(/^(similar to|popular)/);
    }
    expect(body.items[0].reason).toBe(`similar to ${body.item.title}`);
  });

  it("response bodies are independent although they are written into one shared buffer", async () => {
    const first = await api.fetch(`/v1/items/${itemId(10)}/similar?k=10`);
    const second = await api.fetch(`/v1/items/${itemId(11)}/similar?k=3`);
    const a = (await first.json()) as any;
    const b = (await second.json()) as any;
    expect(a.item.id).toBe(itemId(10));
    expect(a.items).toHaveLength(10);
    expect(b.item.id).toBe(itemId(11));
  });

  it("similar items honour category, price and exclude filters", async () => {
    const first = await api.json(`/v1/items/${itemId(5)}/similar?k=3`);
    const excluded = first.body.items[0].id;
    const { status, body } = await api.json(`/v1/items/${itemId(5)}/similar?k=20&category=snacks&minPrice=2&maxPrice=15&exclude=${excluded},nonexistent`);
    expect(status).toBe(200);
    expect(body.items.length).toBeGreaterThan(0);
    for (const item of body.items) {
      expect(item.topCategory).toBe("Snacks");
      expect(item.price).toBeGreaterThanOrEqual(2);
      expect(item.price).toBeLessThanOrEqual(15);
      expect(item.id).not.toBe(excluded);
    }
  });

  it("GET /v1/users/:id/recommendations personalises known users and falls back to popular for unknown ones", async () => {
    const known = await api.json("/v1/users/u3/recommendations?k=4");
    expect(known.status).toBe(200);
    expect(known.body.user).toBe("u3");
    expect(known.body.fallback).toBeUndefined();
    expect(known.body.items).toHaveLength(4);
    expect(known.headers.get("cache-control")).toMatch(/^private/);
    const unknown = await api.json("/v1/users/someone-new/recommendations?k=4");
    expect(unknown.status).toBe(200);
    expect(unknown.body.fallback).toBe("popular");
    expect(unknown.body.items).toHaveLength(4);
    expect(unknown.body.items[0].reason).toMatch(/^popular/);
  });

  it("POST /v1/recommendations recommends for a basket, never the basket or excluded items", async () => {
    const basket = [itemId(1), itemId(2), itemId(3)];
    const res = await api.post("/v1/recommendations", { items: [...basket, "not-in-catalogue"], exclude: [itemId(4)], k: 8 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.version).toBe(v1.version);
    expect(body.ignored).toEqual(["not-in-catalogue"]);
    expect(body.items).toHaveLength(8);
    const ids = body.items.map((i: any) => i.id);
    for (const id of [...basket, itemId(4)]) expect(ids).not.toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("POST /v1/recommendations takes an ordered recent list, alone or beside the basket, and never returns it", async () => {
    const recent = [itemId(5), itemId(6)];
    const res = await api.post("/v1/recommendations", { recent, items: [itemId(1)], k: 6 });
    expect(res.status).toBe(200);
    const ids = ((await res.json()) as any).items.map((i: any) => i.id);
    expect(ids).toHaveLength(6);
    for (const id of [...recent, itemId(1)]) expect(ids).not.toContain(id);
    const alone = await api.post("/v1/recommendations", { recent, k: 4 });
    expect(alone.status).toBe(200);
    const aloneIds = ((await alone.json()) as any).items.map((i: any) => i.id);
    expect(aloneIds).toHaveLength(4);
    for (const id of recent) expect(aloneIds).not.toContain(id);
    const empty = await problemOf(await api.post("/v1/recommendations", { k: 4 }), 400);
    expect(JSON.stringify(empty)).toMatch(/at least one item in items or recent/);
  });

  it("a basket of only unknown items gets popular items", async () => {
    const body = (await (await api.post("/v1/recommendations", { items: ["nope"], k: 3, filters: { category: "Pantry" } })).json()) as any;
    expect(body.fallback).toBe("popular");
    expect(body.items).toHaveLength(3);
    for (const i of body.items) expect(i.topCategory).toBe("Pantry");
  });

  it("GET /v1/popular overall and per category", async () => {
    const all = await api.json("/v1/popular?k=5");
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(5);
    const scores = all.body.items.map((i: any) => i.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const snacks = await api.json("/v1/popular?k=5&category=Snacks");
    for (const i of snacks.body.items) {
      expect(i.topCategory).toBe("Snacks");
      expect(i.reason).toBe("popular in Snacks");
    }
  });

  it("GET /v1/items/:id returns display metadata", async () => {
    const { status, body } = await api.json(`/v1/items/${itemId(7)}`);
    expect(status).toBe(200);
    expect(body.version).toBe(v1.version);
    expect(body.item).toMatchObject({ id: itemId(7) });
    expect(body.item.url).toBe(`https://shop.example.com/p/${itemId(7)}`);
  });

  it("POST /v1/score scores pairs in order, null for unknown items", async () => {
    const res = await api.post("/v1/score", {
      pairs: [
        { user: "u1", item: itemId(1) },
        { user: "stranger", item: itemId(1) },
        { user: "u1", item: "missing" },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.scores).toHaveLength(3);
    expect(typeof body.scores[0].score).toBe("number");
    expect(body.scores[0].known).toEqual({ user: true, item: true });
    expect(body.scores[1].kind).toBe("popularity");
    expect(body.scores[2].score).toBeNull();
  });

  it("POST /v1/score refuses more than 1000 pairs", async () => {
    const pairs = Array.from({ length: 1001 }, (_, i) => ({ user: "u1", item: itemId(i % 50) }));
    const problem = await problemOf(await api.post("/v1/score", { pairs }), 400);
    expect(problem.errors[0].location).toBe("body.pairs");
  });

  it("GET /v1/model describes the artifact", async () => {
    const { status, body } = await api.json("/v1/model");
    expect(status).toBe(200);
    expect(body).toMatchObject({ version: v1.version, model: { type: "synthetic" }, headlineMetric: "ndcg@10" });
    expect(body.counts.items).toBe(400);
    expect(body.metrics["ndcg@10"]).toBeCloseTo(0.12);
  });

  it("GET /healthz reports ok with the version", async () => {
    const { status, body } = await api.json("/healthz");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", version: v1.version, lastError: null, decodes: 1 });
  });

  it("GET /openapi.json documents every route and /docs renders it without external resources", async () => {
    const { status, body } = await api.json("/openapi.json");
    expect(status).toBe(200);
    for (const path of ["/v1/items/{id}/similar", "/v1/users/{id}/recommendations", "/v1/recommendations", "/v1/popular", "/v1/items/{id}", "/v1/score", "/v1/model", "/healthz", "/v1/admin/reload"]) {
      expect(body.paths).toHaveProperty([path]);
    }
    expect(body.components.schemas).toHaveProperty("RecommendedItem");
    const docs = await api.fetch("/docs");
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-type")).toMatch(/text\/html/);
    const html = await docs.text();
    expect(html).toContain("/v1/items/{id}/similar");
    expect(html).not.toMatch(/<script[^>]+src=|https?:\/\/cdn/);
  });
});

describe("errors are problem JSON, never a 500", () => {
  let api: Awaited<ReturnType<typeof ready>>;
  beforeEach(async () => {
    api = await ready({ MAX_BODY_BYTES: "4096" });
  });

  it.each(["0", "101", "1.5", "abc", "-3", ""])("k=%s → 400 naming query.k", async (k) => {
    const problem = await problemOf(await api.fetch(`/v1/items/${itemId(1)}/similar?k=${encodeURIComponent(k)}`), 400);
    expect(problem.errors.map((e: any) => e.location)).toContain("query.k");
  });

  it("invalid filters → 400", async () => {
    const p1 = await problemOf(await api.fetch(`/v1/popular?minPrice=10&maxPrice=2`), 400);
    expect(p1.errors[0].location).toBe("query.minPrice");
    await problemOf(await api.fetch(`/v1/popular?minPrice=cheap`), 400);
    await problemOf(await api.fetch(`/v1/popular?k=2&k=3`), 400);
    await problemOf(await api.post("/v1/recommendations", { items: ["a"], filters: { colour: "red" } }), 400);
  });

  it("unknown item → 404 naming the id", async () => {
    const problem = await problemOf(await api.fetch("/v1/items/no-such-item/similar"), 404);
    expect(problem.detail).toContain('"no-such-item"');
    expect(problem.instance).toBe("/v1/items/no-such-item/similar");
    await problemOf(await api.fetch("/v1/items/no-such-item"), 404);
  });

  it("over-long ids → 400", async () => {
    await problemOf(await api.fetch(`/v1/items/${"x".repeat(300)}/similar`), 400);
  });

  it("bodies over the limit → 413, by Content-Length and by actual size", async () => {
    const big = JSON.stringify({ items: Array.from({ length: 1000 }, (_, i) => `item-${i}`) });
    await problemOf(await api.post("/v1/recommendations", big), 413);
    // A streamed body carries no Content-Length: the limit is enforced on the bytes read.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const res = await api.fetch("/v1/recommendations", { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
    await problemOf(res, 413);
  });

  it("malformed JSON → 400, wrong media type → 415, wrong shape → 400", async () => {
    const p = await problemOf(await api.post("/v1/recommendations", "{not json"), 400);
    expect(p.title).toBe("Malformed JSON");
    await problemOf(await api.fetch("/v1/recommendations", { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" }), 415);
    await problemOf(await api.post("/v1/recommendations", [1, 2]), 400);
    await problemOf(await api.post("/v1/recommendations", { items: [] }), 400);
    await problemOf(await api.post("/v1/recommendations", { items: [1] }), 400);
    await problemOf(await api.post("/v1/recommendations", "[".repeat(2000) + "]".repeat(2000)), 400);
  });

  it("unknown routes → 404 problem", async () => {
    const p = await problemOf(await api.fetch("/v2/nothing"), 404);
    expect(p.detail).toContain("/docs");
  });
});

describe("HTTP caching", () => {
  it("GETs carry an ETag from version + query and answer 304 to If-None-Match", async () => {
    const api = await ready();
    const path = `/v1/items/${itemId(2)}/similar?k=3`;
    const first = await api.fetch(path);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    expect(first.headers.get("cache-control")).toMatch(/public, max-age=\d+/);
    const again = await api.fetch(path, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.text()).toBe("");
    const other = await api.fetch(`/v1/items/${itemId(2)}/similar?k=4`);
    expect(other.headers.get("etag")).not.toBe(etag);
    const weak = await api.fetch(path, { headers: { "if-none-match": `"x", W/${etag}` } });
    expect(weak.status).toBe(304);
  });
});

describe("CORS and security headers", () => {
  it("allows listed origins only", async () => {
    const api = await ready({ CORS_ORIGINS: "https://shop.example.com, https://other.example" });
    const allowed = await api.fetch("/v1/popular?k=1", { headers: { origin: "https://shop.example.com" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(allowed.headers.get("vary")).toContain("Origin");
    const denied = await api.fetch("/v1/popular?k=1", { headers: { origin: "https://evil.example" } });
    expect(denied.status).toBe(200);
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await api.fetch("/v1/recommendations", {
      method: "OPTIONS",
      headers: { origin: "https://other.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    const badPreflight = await api.fetch("/v1/recommendations", { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    await problemOf(badPreflight, 403);
  });

  it("'*' allows any origin", async () => {
    const api = await ready({ CORS_ORIGINS: "*" });
    const res = await api.fetch("/v1/popular?k=1", { headers: { origin: "https://anything.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("every response carries nosniff and friends, errors included", async () => {
    const api = await ready();
    for (const path of ["/v1/popular?k=1", "/healthz", "/v1/items/nope", "/nowhere", "/openapi.json", "/docs"]) {
      const res = await api.fetch(path);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
    }
    expect((await api.fetch("/docs")).headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});

describe("admin", () => {
  it("POST /v1/admin/reload needs the bearer token", async () => {
    const api = await ready({ ADMIN_TOKEN: "correct-horse-battery-staple" });
    await problemOf(await api.fetch("/v1/admin/reload", { method: "POST" }), 401);
    const wrong = await api.fetch("/v1/admin/reload", { method: "POST", headers: { authorization: "Bearer correct-horse-battery-stapl" } });
    expect((await problemOf(wrong, 401)).detail).toContain("not valid");
    const ok = await api.fetch("/v1/admin/reload", { method: "POST", headers: { authorization: "Bearer correct-horse-battery-staple" } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).version).toBe(v1.version);
  });

  it("is disabled (401) when no ADMIN_TOKEN secret is set", async () => {
    const api = await ready({ ADMIN_TOKEN: "" });
    const p = await problemOf(await api.fetch("/v1/admin/reload", { method: "POST", headers: { authorization: "Bearer " } }), 401);
    expect(p.detail).toContain("ADMIN_TOKEN");
  });
});
