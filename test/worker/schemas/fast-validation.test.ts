/**
 * The hot routes' validation shortcuts (schemas/common.ts) must give exactly what the zod
 * schemas give whenever they accept, and leave everything else to the schemas; and the hot
 * routes, which answer in front of the middleware chain, still answer like every other route.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeArtifact, stringAt } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import { BasketBody, fastBasketBody } from "../../../src/schemas/bodies.ts";
import { fastIdParam, fastRecommendationQuery, ItemParam, RecommendationQuery } from "../../../src/schemas/common.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { expectProblem, publish, versionId } from "../support/publish.ts";
import { baseEnv } from "../support/helpers.ts";

/** The query record the routes hand to zod (routes/define.ts: one value, or an array when a key repeats). */
function queryRecord(search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

const digits = fc.string({ unit: fc.constantFrom("0", "1", "2", "5", "9"), maxLength: 6 });
const search = fc.oneof(
  fc.constant(""),
  digits.map((d) => `k=${d}`),
  fc.tuple(digits, fc.constantFrom("&", "&k=3", "&category=Snacks", "&session=s1", "#x", " ", "%20")).map(([d, tail]) => `k=${d}${tail}`),
  fc.constantFrom("K=10", "k=+5", "k=1e1", "k=%31%30", "k=0x10", "k=-1", "k=10.0", "kk=10", "k==10", "k", "=10", "&k=10", "k=100", "k=101"),
  fc.string({ maxLength: 12 }),
);

/** Whenever `fast` answers for a generated input, the schema accepts it with the same output; and it answers often. */
function expectAgreement<T>(inputs: fc.Arbitrary<T>, fast: (input: T) => unknown, schema: (input: T) => { success: boolean; data?: unknown }): void {
  let answered = 0;
  fc.assert(
    fc.property(inputs, (input) => {
      const shortcut = fast(input);
      if (shortcut === undefined) return;
      answered++;
      const parsed = schema(input);
      expect(parsed.success, fc.stringify(input)).toBe(true);
      expect(shortcut, fc.stringify(input)).toEqual(parsed.data);
    }),
    { numRuns: 3000 },
  );
  expect(answered).toBeGreaterThan(100);
}

describe("validation shortcuts agree with the schemas", () => {
  it("fastRecommendationQuery: whenever it answers, RecommendationQuery answers the same", () => {
    expectAgreement(search, fastRecommendationQuery, (s) => RecommendationQuery.safeParse(queryRecord(s)));
  });

  it("fastRecommendationQuery: every k from 1 to 100 and no query at all", () => {
    for (let k = 0; k <= 1000; k++) {
      const parsed = RecommendationQuery.safeParse({ k: String(k) });
      expect(fastRecommendationQuery(`k=${k}`)).toEqual(parsed.success ? parsed.data : undefined);
    }
    expect(fastRecommendationQuery("")).toEqual(RecommendationQuery.parse({}));
  });

  it("fastBasketBody: whenever it answers, BasketBody answers the same", () => {
    const id = fc.oneof(fc.string({ maxLength: 8 }), fc.constant(""), fc.string({ minLength: 255, maxLength: 258 }), fc.integer());
    const body = fc.oneof(
      fc.record({ items: fc.array(id, { maxLength: 103 }), k: fc.oneof(fc.integer({ min: -2, max: 102 }), fc.double(), fc.constant("10")) }, { requiredKeys: [] }),
      fc.record({ items: fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 20 }), k: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: ["items"] }),
      fc.record({ items: fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 }), exclude: fc.array(fc.string()), session: fc.string() }, { requiredKeys: ["items"] }),
      fc.constantFrom(null, [], "items", 3, { items: ["a"], extra: 1 }, JSON.parse('{"items":["a"],"__proto__":{"k":3}}')),
    );
    expectAgreement(body, fastBasketBody, (b) => BasketBody.safeParse(b));
  });

  it("fastIdParam accepts exactly what ItemParam accepts", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ minLength: 250, maxLength: 260 })), (id) => {
        const parsed = ItemParam.safeParse({ id });
        expect(fastIdParam(id)).toEqual(parsed.success ? parsed.data : undefined);
      }),
    );
  });
});

describe("hot routes answer like the rest of the app", () => {
  const env = { ...baseEnv, CORS_ORIGINS: "https://shop.example.com" };
  const VERSION = versionId(931);
  const app = createApp();
  let item = "";

  beforeAll(async () => {
    const artifact = syntheticArtifact({ items: 60, users: 5, version: VERSION });
    item = stringAt(artifact.items.ids, 3);
    await publish(env.ARTIFACTS, VERSION, await encodeArtifact(artifact));
  });

  const call = (path: string, init?: RequestInit) => app.request(`http://edgerec.test${path}`, init, env);

  it("a similar-items answer carries security headers, CORS for an allowed origin, and an ETag", async () => {
    const res = await call(`/v1/items/${item}/similar?k=3`, { headers: { origin: "https://shop.example.com" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(res.headers.get("vary")).toBe("Origin");
    const body = (await res.json()) as { item: { id: string }; items: unknown[] };
    expect(body.item.id).toBe(item);
    expect(body.items).toHaveLength(3);
    const again = await call(`/v1/items/${item}/similar?k=3`, { headers: { "if-none-match": res.headers.get("etag")! } });
    expect(again.status).toBe(304);
    expect(again.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("errors of a hot route are problems with the same headers", async () => {
    const res = await call(`/v1/items/${item}/similar?k=0`, { headers: { origin: "https://shop.example.com" } });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(res.status).toBe(400);
    const problem = (await expectProblem(res)) as { errors: { location: string }[] };
    expect(problem.errors[0].location).toBe("query.k");
    const unknown = await call("/v1/items/no-such-item/similar");
    expect(unknown.status).toBe(404);
    await expectProblem(unknown);
  });

  it("HEAD, a preflight and a wrong method on a hot path reach the right answer", async () => {
    const head = await call(`/v1/items/${item}/similar`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const preflight = await call(`/v1/items/${item}/similar`, {
      method: "OPTIONS",
      headers: { origin: "https://shop.example.com", "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("x-content-type-options")).toBe("nosniff");
    const wrongMethod = await call(`/v1/items/${item}/similar`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(404);
    await expectProblem(wrongMethod);
    expect((await call("/v1/model")).status).toBe(200);
  });
});
