/**
 * Property-based fuzzing of every route's path parameters, query strings and bodies inside
 * workerd: whatever a bot sends, the answer is a 2xx or a 4xx RFC 9457 problem — never a
 * 500, never a stack trace.
 */
import { env as workerEnv } from "cloudflare:workers";
import type { Env } from "../../../src/config.ts";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeArtifact, stringAt } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { expectProblem, publish, versionId } from "../support/publish.ts";

const env = workerEnv as unknown as Env;
const VERSION = versionId(801);
const app = createApp();
let itemIds: string[] = [];
let userIds: string[] = [];

beforeAll(async () => {
  const artifact = syntheticArtifact({ items: 300, users: 50, version: VERSION });
  itemIds = Array.from({ length: 300 }, (_, i) => stringAt(artifact.items.ids, i));
  userIds = Array.from({ length: 50 }, (_, i) => stringAt(artifact.users.ids, i));
  await publish(env.ARTIFACTS, VERSION, await encodeArtifact(artifact));
});

async function call(path: string, init?: RequestInit): Promise<Response> {
  return app.request(`http://edgerec.test${path}`, init, env);
}

/** Status tally: the fuzzers must reach both the happy path and the refusals. */
const seen = new Map<number, number>();
afterAll(() => {
  expect(seen.get(200) ?? 0).toBeGreaterThan(50);
  expect(seen.get(400) ?? 0).toBeGreaterThan(50);
  expect(seen.get(404) ?? 0).toBeGreaterThan(10);
});

/** 2xx with the served version, or a 4xx problem. */
async function expectSafe(res: Response): Promise<void> {
  seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
  if (res.status >= 200 && res.status < 300) {
    const body = (await res.json()) as { version?: string };
    expect(body.version).toBe(VERSION);
    return;
  }
  expect(res.status, `unexpected status ${res.status}`).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  await expectProblem(res);
}

const RUNS = 150;

// Ids: real ones, unicode, control characters, path tricks and malformed percent-escapes.
const rawSegment = fc.oneof(
  fc.constantFrom("%", "%ZZ", "%E0%A4%A", "%00", "..", "%2E%2E", "%2F", "%FF", "%C0%AF", "a%20b", "%F0%9F%92%A5", "~", "-", "_"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 20 }).map(encodeURIComponent),
  fc.constant("x".repeat(300)),
);
const idSegment = fc.oneof({ arbitrary: rawSegment, weight: 3 }, { arbitrary: fc.constantFrom(0, 1, 299).map((i) => `@${i}`), weight: 1 });
const kValue = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.double().map(String),
  fc.constantFrom("", "1e309", "9007199254740993", "NaN", "Infinity", "-0", "0x10", "10abc", " 5 ", "%00", "1,2", "[]"),
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
);
const priceValue = fc.oneof(fc.double().map(String), fc.constantFrom("", "-1", "abc", "1e400", "0"), fc.integer().map(String));
const listValue = fc.oneof(
  fc.array(fc.string({ unit: "grapheme", maxLength: 12 }), { maxLength: 30 }).map((a) => a.map(encodeURIComponent).join(",")),
  fc.constantFrom(",,,,", "", Array.from({ length: 600 }, (_, i) => `x${i}`).join(",")),
);
const query = fc
  .record(
    { k: kValue, category: fc.string({ unit: "grapheme", maxLength: 30 }).map(encodeURIComponent), minPrice: priceValue, maxPrice: priceValue, exclude: listValue, session: rawSegment, junk: fc.string({ maxLength: 8 }).map(encodeURIComponent) },
    { requiredKeys: [] },
  )
  .map((q) => Object.entries(q).map(([key, v]) => `${key === "junk" ? "zz" : key}=${v}`).join("&"));

function resolveId(segment: string, ids: string[]): string {
  return segment.startsWith("@") ? encodeURIComponent(ids[Number(segment.slice(1)) % ids.length]) : segment;
}

describe("GET routes under fuzzed ids and query strings", () => {
  it("similar items", async () => {
    await fc.assert(
      fc.asyncProperty(idSegment, query, async (id, q) => expectSafe(await call(`/v1/items/${resolveId(id, itemIds)}/similar?${q}`))),
      { numRuns: RUNS },
    );
  });
  it("item metadata", async () => {
    await fc.assert(fc.asyncProperty(idSegment, query, async (id, q) => expectSafe(await call(`/v1/items/${resolveId(id, itemIds)}?${q}`))), { numRuns: RUNS });
  });
  it("user recommendations", async () => {
    await fc.assert(
      fc.asyncProperty(idSegment, query, async (id, q) => expectSafe(await call(`/v1/users/${resolveId(id, userIds)}/recommendations?${q}`))),
      { numRuns: RUNS },
    );
  });
  it("popular and model", async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        await expectSafe(await call(`/v1/popular?${q}`));
        await expectSafe(await call(`/v1/model?${q}`));
      }),
      { numRuns: RUNS },
    );
  });
  it("unknown paths and methods", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rawSegment, { minLength: 1, maxLength: 5 }),
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
        async (segments, method) => {
          const res = await call(`/${segments.join("/")}`, { method });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400 && method !== "HEAD") await expectProblem(res);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

/** JSON bodies: plausible shapes with hostile values, arbitrary JSON, and raw bytes. */
const hostileId = fc.oneof(fc.constantFrom(...["P2N9S", "", "x".repeat(5000), "\u0000", "\ud800", "💥"]), fc.string({ unit: "grapheme", maxLength: 20 }), fc.integer(), fc.constant(null));
const kJson = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(1e308, -1, 0, 0.5, 101, "10", null, true));
const basketBody = fc.oneof(
  fc.record(
    {
      items: fc.oneof(fc.array(hostileId, { maxLength: 120 }), fc.constant(["@0", "@1", "@2"]), hostileId),
      exclude: fc.array(hostileId, { maxLength: 10 }),
      k: kJson,
      filters: fc.oneof(fc.record({ category: hostileId, minPrice: kJson, maxPrice: kJson }, { requiredKeys: [] }), fc.anything({ maxDepth: 2 })),
      session: hostileId,
      extra: fc.anything({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  ),
  fc.anything({ maxDepth: 4 }),
);
const scoreBody = fc.oneof(
  fc.record({ pairs: fc.oneof(fc.array(fc.record({ user: hostileId, item: hostileId }, { requiredKeys: [] }), { maxLength: 50 }), fc.anything({ maxDepth: 2 })) }, { requiredKeys: [] }),
  fc.anything({ maxDepth: 4 }),
);

function realise(value: unknown): unknown {
  // "@n" placeholders become real ids so the happy path is fuzzed too.
  if (typeof value === "string" && /^@\d$/.test(value)) return itemIds[Number(value.slice(1))];
  if (Array.isArray(value)) return value.map(realise);
  return value;
}

async function post(path: string, body: BodyInit, type = "application/json"): Promise<Response> {
  return call(path, { method: "POST", headers: { "content-type": type }, body });
}

describe("POST bodies under fuzzing", () => {
  it("basket recommendations", async () => {
    await fc.assert(
      fc.asyncProperty(basketBody, async (b) => {
        const body = b && typeof b === "object" && !Array.isArray(b) && "items" in b ? { ...b, items: realise((b as { items: unknown }).items) } : b;
        const text = JSON.stringify(body) ?? "null";
        await expectSafe(await post("/v1/recommendations", text));
      }),
      { numRuns: RUNS },
    );
  });
  it("pair scores", async () => {
    await fc.assert(fc.asyncProperty(scoreBody, async (b) => expectSafe(await post("/v1/score", JSON.stringify(b) ?? "null"))), { numRuns: RUNS });
  });
  it("raw bytes, wrong content types and malformed JSON", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 100 }).map((s) => new TextEncoder().encode(s))),
        fc.constantFrom("application/json", "text/plain", "", "application/x-www-form-urlencoded", "application/json; charset=latin1", "multipart/form-data; boundary=x"),
        fc.constantFrom("/v1/recommendations", "/v1/score"),
        async (bytes, type, path) => expectSafe(await post(path, bytes, type)),
      ),
      { numRuns: RUNS },
    );
  });

  it("deeply nested JSON is a 4xx, not a stack overflow", async () => {
    const depth = 100_000;
    for (const path of ["/v1/recommendations", "/v1/score"]) {
      await expectSafe(await post(path, "[".repeat(depth) + "]".repeat(depth)));
      await expectSafe(await post(path, `{"items":${"[".repeat(5000)}${"]".repeat(5000)}}`));
    }
  });

  it("10 MB bodies are refused with 413, with or without a Content-Length", async () => {
    const big = `{"items":["${"x".repeat(10 * 1024 * 1024)}"]}`;
    for (const path of ["/v1/recommendations", "/v1/score"]) {
      const declared = await post(path, big);
      expect(declared.status).toBe(413);
      await expectProblem(declared);
      // A stream has no Content-Length: the limit must be enforced while reading.
      const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ >= 10) controller.close();
          else controller.enqueue(sent === 1 ? new TextEncoder().encode('{"items":["') : chunk);
        },
      });
      const streamed = await call(path, { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
      expect(streamed.status).toBe(413);
      await expectProblem(streamed);
    }
  });

  it("huge but valid-sized arrays and k are bounded", async () => {
    const items = Array.from({ length: 5000 }, (_, i) => itemIds[i % itemIds.length]);
    const res = await post("/v1/recommendations", JSON.stringify({ items, k: 10 }));
    expect([400, 413]).toContain(res.status);
    await expectProblem(res);
    const pairs = Array.from({ length: 1001 }, (_, i) => ({ user: userIds[i % 50], item: itemIds[i % 300] }));
    const tooMany = await post("/v1/score", JSON.stringify({ pairs }));
    expect([400, 413]).toContain(tooMany.status);
  });
});
