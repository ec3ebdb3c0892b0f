/**
 * Smoke test against the real `wrangler dev` (workerd with eval forbidden, unlike the vitest
 * pool): the artifact must decode through msgpackr's no-eval path and every main route answer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeArtifact } from "../../src/artifact/index.ts";
import { syntheticArtifact } from "../support/synthetic-artifact.ts";
import { type DevServer, seedLocalR2, startWranglerDev } from "../support/wrangler-dev.ts";

const VERSION = "20261129T001000Z-5e0c0de1";
const itemId = (i: number) => `P${(100000 + i).toString(36).toUpperCase()}`;

describe("wrangler dev smoke test", () => {
  let server: DevServer;
  let persist: string;

  beforeAll(async () => {
    persist = mkdtempSync(join(tmpdir(), "edgerec-wrangler-"));
    await seedLocalR2(persist, VERSION, await encodeArtifact(syntheticArtifact({ items: 300, version: VERSION })));
    server = await startWranglerDev({ persistDir: persist, vars: { ADMIN_TOKEN: "smoke-token" } });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(persist, { recursive: true, force: true });
  });

  it("decodes the artifact inside workerd (no eval) and serves every main route", async () => {
    const health = await (await fetch(`${server.url}/healthz`)).json();
    expect(health).toMatchObject({ status: "ok", version: VERSION, decodes: 1 });

    const similar = await fetch(`${server.url}/v1/items/${itemId(1)}/similar?k=5`);
    expect(similar.status).toBe(200);
    const body = (await similar.json()) as any;
    expect(body.version).toBe(VERSION);
    expect(body.items).toHaveLength(5);
    expect(body.items[0].reason).toMatch(/^similar to /);

    const basket = await fetch(`${server.url}/v1/recommendations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ items: [itemId(1), itemId(2)], k: 4 }),
    });
    expect(basket.status).toBe(200);
    expect(((await basket.json()) as any).items).toHaveLength(4);

    expect((await fetch(`${server.url}/v1/users/u1/recommendations?k=3`)).status).toBe(200);
    expect((await fetch(`${server.url}/v1/model`)).status).toBe(200);
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(200);

    const missing = await fetch(`${server.url}/v1/items/nope/similar`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");

    const etag = similar.headers.get("etag")!;
    const cached = await fetch(`${server.url}/v1/items/${itemId(1)}/similar?k=5`, { headers: { "if-none-match": etag } });
    expect(cached.status).toBe(304);

    const reload = await fetch(`${server.url}/v1/admin/reload`, { method: "POST", headers: { authorization: "Bearer smoke-token" } });
    expect(reload.status).toBe(200);
  });

  it("with the committed config (DEMO off) no route lists shoppers or shows a history without the admin token", async () => {
    for (const path of ["/v1/users?limit=200", "/v1/users/u1/history", "/", "/demo"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.text()).not.toMatch(/"users"|"items"|historyLength/);
    }
    const admin = await fetch(`${server.url}/v1/users?limit=5`, { headers: { authorization: "Bearer smoke-token" } });
    expect(admin.status).toBe(200);
    expect(((await admin.json()) as { users: unknown[] }).users.length).toBeGreaterThan(0);
  });
});
