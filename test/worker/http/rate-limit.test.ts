/**
 * The public routes' rate limit, on the real Workers rate-limiting binding inside workerd
 * (RATE_LIMITER from wrangler.toml: 600 requests per 60 s per client IP).
 */
import { env as workerEnv } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeArtifact } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import type { Env } from "../../../src/config.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { expectProblem, publish, versionId } from "../support/publish.ts";

const env = workerEnv as unknown as Env & { RATE_LIMITER?: unknown; RATE_LIMIT?: string };
const LIMIT = 600;
const VERSION = versionId(601);
const app = createApp();

beforeAll(async () => {
  await publish(env.ARTIFACTS, VERSION, await encodeArtifact(syntheticArtifact({ items: 50, users: 5, version: VERSION })));
});

// Each test uses its own documentation-range IP, so windows never collide between tests.
const get = (ip: string, path = "/v1/popular?k=1", e: object = env) =>
  app.request(`http://edgerec.test${path}`, { headers: { "cf-connecting-ip": ip } }, e as Env);

describe.skipIf(!env.RATE_LIMITER)("rate limit of public routes", () => {
  it(`lets ${LIMIT} requests per minute through, then answers 429 problem JSON with Retry-After`, async () => {
    const ip = "203.0.113.10";
    const statuses: number[] = [];
    for (let r = 0; r < LIMIT + 5; r++) statuses.push((await get(ip)).status);
    // The binding counts in fixed 60 s windows: a window boundary may fall inside the run.
    const firstRefusal = statuses.indexOf(429);
    expect(firstRefusal).toBeGreaterThanOrEqual(LIMIT);
    const res = await get(ip);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await expectProblem(res)).type).toMatch(/rate-limited$/);
  });

  it("limits each client separately", async () => {
    for (let r = 0; r < LIMIT + 1; r++) await get("203.0.113.20");
    expect((await get("203.0.113.20")).status).toBe(429);
    expect((await get("203.0.113.21")).status).toBe(200);
  });

  it("does not limit loopback clients, unidentified callers or RATE_LIMIT=off", async () => {
    for (let r = 0; r < LIMIT + 1; r++) await get("203.0.113.30");
    expect((await get("203.0.113.30")).status).toBe(429);
    expect((await get("203.0.113.30", "/v1/popular?k=1", { ...env, RATE_LIMIT: "off" })).status).toBe(200);
    expect((await app.request("http://edgerec.test/v1/popular?k=1", undefined, env)).status).toBe(200);
    for (let r = 0; r < LIMIT + 1; r++) expect((await get("127.0.0.1")).status).toBe(200);
  });

  it("leaves /healthz out of the limit", async () => {
    for (let r = 0; r < LIMIT + 1; r++) await get("203.0.113.40");
    expect((await get("203.0.113.40", "/healthz")).status).toBe(200);
  });
});
