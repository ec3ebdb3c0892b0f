/**
 * `edgerec catalog push|pull` and `edgerec rules set|get|test` as a user runs them: the CLI
 * writes wrangler's local storage (--local --persist-to), and `rules test` asks a worker app
 * served on loopback over the same storage (Miniflare's real KV/R2 bindings).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACT_BUCKET, artifactKey, CURRENT_KEY, encodeArtifact, KV_BINDING, R2_BINDING } from "../../../src/artifact/index.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";

/** The worker app is typed against workers-types, which the Node tsconfig does not load (as in bench/serve.ts). */
interface NodeApp {
  fetch(request: Request, env: unknown): Promise<Response>;
}
const APP_MODULE = "../../../src/app.ts";
const { createApp } = (await import(APP_MODULE)) as { createApp: () => NodeApp };

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, "../../../trainer/cli/main.ts");
const edgerec = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: join(import.meta.dirname, "../../.."), maxBuffer: 1 << 24, env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

const VERSION = "20261201T000000Z-0000cafe";
const itemId = (i: number) => `P${(100000 + i).toString(36).toUpperCase()}`;
let dir: string;
let persist: string;
const local = () => ["--local", "--persist-to", persist];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgerec-merch-cli-"));
  persist = join(dir, "state");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("edgerec catalog / rules", () => {
  it("catalog push merges the good rows, reports the bad ones by line, and pull reads the overlay back", async () => {
    const csv = join(dir, "changes.csv");
    writeFileSync(csv, ["id,in_stock,price,title", `${itemId(1)},false,,`, `${itemId(2)},,not-a-price,`, "NEW-9,,2.5,Fresh Oat Milk"].join("\n"));
    const pushed = await edgerec(["catalog", "push", csv, ...local(), "--json"]);
    expect(pushed.code).toBe(2);
    const result = JSON.parse(pushed.stdout);
    expect(result).toMatchObject({ rows: 3, accepted: 2, rejected: 1, overlayVersion: 1 });
    expect(result.problems[0]).toMatchObject({ line: 3, reason: expect.stringMatching(/price "not-a-price"/) });
    const out = join(dir, "overlay.json");
    const pulled = await edgerec(["catalog", "pull", ...local(), "--out", out]);
    expect(pulled.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(doc.version).toBe(1);
    expect(doc.items[itemId(1)]).toMatchObject({ inStock: false });
    expect(doc.items["NEW-9"]).toMatchObject({ title: "Fresh Oat Milk", price: 2.5 });
  });

  it("rules set refuses a malformed document with every problem, keeps the rules in force, and stores a valid one", async () => {
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ rules: [{ kind: "cap", by: "brand", max: 2 }] }));
    expect((await edgerec(["rules", "set", good, ...local()])).code).toBe(0);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ rules: [{ kind: "pin", item: "X", position: -1 }, { kind: "boost" }] }));
    const refused = await edgerec(["rules", "set", bad, ...local()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/rules\[0\]\.position/);
    expect(refused.stderr).toMatch(/rules\[1\]\.match/);
    const got = await edgerec(["rules", "get", ...local()]);
    expect(JSON.parse(got.stdout)).toMatchObject({ version: 1, rules: [{ kind: "cap", by: "brand", max: 2, level: 1 }] });
  });

  describe("rules test against a running worker", () => {
    let mf: Miniflare;
    let server: Server;
    let url: string;
    beforeAll(async () => {
      mf = new Miniflare({
        modules: true,
        script: "export default { fetch() { return new Response('') } }",
        r2Buckets: { [R2_BINDING]: ARTIFACT_BUCKET },
        kvNamespaces: { [KV_BINDING]: "edgerec-local" },
        defaultPersistRoot: join(persist, "v3"),
      });
      const env = { ARTIFACTS: await mf.getR2Bucket(R2_BINDING), KV: await mf.getKVNamespace(KV_BINDING), ADMIN_TOKEN: "cli-token" };
      const bytes = await encodeArtifact(syntheticArtifact({ version: VERSION }));
      await env.ARTIFACTS.put(artifactKey(VERSION), new Uint8Array(bytes));
      const pointer = { version: VERSION, layout: "single", key: artifactKey(VERSION), createdAt: "", publishedAt: "", metrics: {}, headlineMetric: "", bytes: bytes.byteLength };
      await env.ARTIFACTS.put(CURRENT_KEY, JSON.stringify(pointer));
      const app = createApp();
      server = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: chunks.length ? Buffer.concat(chunks) : undefined });
        const response = await app.fetch(request, env);
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
      await mf.dispose();
    });

    it("prints the list before and after the rules", async () => {
      const pin = join(dir, "pin.json");
      writeFileSync(pin, JSON.stringify({ rules: [{ kind: "pin", item: itemId(77), position: 1 }] }));
      const r = await edgerec(["rules", "test", "--url", url, "--rules", pin, "--item", itemId(3), "-k", "5"], { ADMIN_TOKEN: "cli-token" });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const [before, after] = r.stdout.split("\n\n");
      expect(before).toMatch(/^similar — before/);
      expect(before).not.toMatch(new RegExp(`1\\. ${itemId(77)}`));
      expect(after).toMatch(new RegExp(` 1\\. ${itemId(77)} .* promoted`));
      expect(after.trim().split("\n")).toHaveLength(6);
      // The out-of-stock item pushed earlier never shows, before or after.
      const popular = await edgerec(["rules", "test", "--url", url, "-k", "50"], { ADMIN_TOKEN: "cli-token" });
      expect(popular.stdout).not.toContain(`${itemId(1)} `);
      const wrongToken = await edgerec(["rules", "test", "--url", url, "--token", "nope"]);
      expect(wrongToken.code).toBe(1);
      expect(wrongToken.stderr).toMatch(/401/);
    });
  });
});
