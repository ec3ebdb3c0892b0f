/**
 * Listing a remote R2 bucket through Cloudflare's REST API, against a local stand-in for the
 * account API (Cloudflare cannot be reached from the tests): it records each call and answers in
 * the API's envelope, with cursor pages, so the test checks what edgerec sends and what it reads.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gc } from "../../../trainer/artifact/gc.ts";
import { WranglerR2Store } from "../../../trainer/artifact/object-store.ts";
import { listR2Objects, type R2RestAccess, r2RestAccessFromEnv } from "../../../trainer/artifact/r2-rest-list.ts";

interface Call {
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

const OBJECTS = Array.from({ length: 5 }, (_, i) => ({ key: `artifacts/v${i}/artifact.bin`, size: 10 + i, last_modified: `2026-12-0${i + 1}T00:00:00.000Z` }));
let server: Server;
let apiBase: string;
const calls: Call[] = [];
let answer: ((req: IncomingMessage, query: URLSearchParams) => { status: number; body: string }) | undefined;

function page(query: URLSearchParams): { status: number; body: string } {
  const matching = OBJECTS.filter((o) => o.key.startsWith(query.get("prefix") ?? ""));
  const from = Number(query.get("cursor") ?? "0");
  const size = 2; // small pages, so the cursor is followed
  const result = matching.slice(from, from + size);
  const more = from + size < matching.length;
  return { status: 200, body: JSON.stringify({ success: true, errors: [], result, result_info: { is_truncated: more, ...(more ? { cursor: String(from + size) } : {}) } }) };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    calls.push({ path: url.pathname, query: url.searchParams, authorization: req.headers.authorization });
    const { status, body } = answer ? answer(req, url.searchParams) : page(url.searchParams);
    res.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const access = (): R2RestAccess => ({ accountId: "acc123", token: "tok-secret", bucket: "edgerec-prod-artifacts", apiBase });

describe("listR2Objects", () => {
  it("follows the cursor over every page, sends the token and the prefix, and reads upload times", async () => {
    calls.length = 0;
    answer = undefined;
    const listed = await listR2Objects(access(), "artifacts/");
    expect(listed.map((o) => o.key)).toEqual(OBJECTS.map((o) => o.key));
    expect(listed[0].uploadedAt).toBe(Date.parse("2026-12-01T00:00:00.000Z"));
    expect(calls).toHaveLength(3);
    for (const c of calls) {
      expect(c.path).toBe("/client/v4/accounts/acc123/r2/buckets/edgerec-prod-artifacts/objects");
      expect(c.authorization).toBe("Bearer tok-secret");
      expect(c.query.get("prefix")).toBe("artifacts/");
    }
    expect(calls.map((c) => c.query.get("cursor"))).toEqual([null, "2", "4"]);
  });

  it("says what failed and what to check when the API refuses", async () => {
    answer = () => ({ status: 403, body: JSON.stringify({ success: false, errors: [{ code: 10000, message: "Authentication error" }], result: null }) });
    await expect(listR2Objects(access(), "artifacts/")).rejects.toThrow(/edgerec-prod-artifacts.*10000 Authentication error.*CLOUDFLARE_API_TOKEN may read R2/);
    answer = () => ({ status: 502, body: "<html>bad gateway</html>" });
    await expect(listR2Objects(access(), "artifacts/")).rejects.toThrow(/HTTP 502 with a body that is not JSON/);
    answer = () => ({ status: 200, body: JSON.stringify({ success: true, result: [{ size: 3 }], result_info: {} }) });
    await expect(listR2Objects(access(), "artifacts/")).rejects.toThrow(/object without a key/);
    answer = undefined;
  });
});

describe("a remote R2 store lists only with an API token and account id", () => {
  it("takes both from the environment, and the API base wrangler also honours", () => {
    expect(r2RestAccessFromEnv("b", {})).toBeUndefined();
    expect(r2RestAccessFromEnv("b", { CLOUDFLARE_API_TOKEN: "t" })).toBeUndefined();
    expect(r2RestAccessFromEnv("b", { CLOUDFLARE_API_TOKEN: "t", CLOUDFLARE_ACCOUNT_ID: "a", CLOUDFLARE_API_BASE_URL: "http://x/v4" })).toEqual({ token: "t", accountId: "a", bucket: "b", apiBase: "http://x/v4" });
  });

  it("lists through the API when the environment has them, and gc without them says what to set", async () => {
    const saved = { ...process.env };
    try {
      delete process.env.CLOUDFLARE_API_TOKEN;
      delete process.env.CLOUDFLARE_ACCOUNT_ID;
      const bare = new WranglerR2Store({ mode: "remote", bucket: "edgerec-prod-artifacts" });
      expect(bare.list).toBeUndefined();
      await expect(gc(bare)).rejects.toThrow(/CLOUDFLARE_API_TOKEN.*CLOUDFLARE_ACCOUNT_ID/);
      expect(new WranglerR2Store({ mode: "local" }).list).toBeUndefined();

      Object.assign(process.env, { CLOUDFLARE_API_TOKEN: "tok-secret", CLOUDFLARE_ACCOUNT_ID: "acc123", CLOUDFLARE_API_BASE_URL: apiBase });
      const remote = new WranglerR2Store({ mode: "remote", bucket: "edgerec-prod-artifacts" });
      calls.length = 0;
      expect((await remote.list!("artifacts/v3/")).map((o) => o.key)).toEqual(["artifacts/v3/artifact.bin"]);
      expect(calls).toHaveLength(1);
    } finally {
      process.env = saved;
    }
  });
});
