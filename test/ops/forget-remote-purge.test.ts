/**
 * `edgerec forget --purge --remote` against a real `wrangler dev` worker (local R2/KV): the CLI
 * pages through POST /v1/admin/events/purge and the stored partitions lose only the forgotten
 * shopper's events. Also its errors: no token, a wrong token, an unreachable worker.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchObjectKey } from "../../src/artifact/index.ts";
import { openLocalKv } from "../../trainer/privacy/kv-access.ts";
import { REPO_ROOT } from "../../trainer/wrangler/edgerec-cli.ts";
import { freeLoopbackPort } from "../../trainer/wrangler/dev-server.ts";
import { type DevServer, startWranglerDev } from "../../tools/dev/wrangler-dev.ts";

const run = promisify(execFile);
const T0 = Date.UTC(2026, 11, 1, 0, 0, 0);
const HOUR = 3_600_000;
const line = (n: number, user: string) => JSON.stringify({ id: `e${n}`, type: "view", user, item: `i${n}`, ts: T0 + n, receivedAt: T0 + n });
// 30 partitions, more than one page of 25: every third holds the forgotten shopper beside a kept one.
const SEEDED = Array.from({ length: 30 }, (_, p) => ({
  key: batchObjectKey(T0 + p * HOUR, p.toString(16).padStart(32, "0")),
  lines: p % 3 === 0 ? [line(2 * p, "gone"), line(2 * p + 1, "kept")] : [line(2 * p, "kept")],
}));

describe("edgerec forget --purge --remote through wrangler dev", () => {
  let persist: string;
  let deployDir: string;
  let server: DevServer | undefined;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ["--import", "tsx", join(REPO_ROOT, "trainer/cli/main.ts"), "forget", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, EDGEREC_DEPLOY_DIR: deployDir, EDGEREC_API: "", EDGEREC_ADMIN_TOKEN: "", ...env },
    });

  beforeAll(async () => {
    persist = mkdtempSync(join(tmpdir(), "edgerec-purge-"));
    deployDir = mkdtempSync(join(tmpdir(), "edgerec-purge-deploy-"));
    await cli(["gone", "--local", "--persist-to", persist]);
    const storage = await openLocalKv(persist);
    try {
      for (const { key, lines } of SEEDED) await storage.bucket.put(key, new Uint8Array(gzipSync(lines.join("\n") + "\n")));
    } finally {
      await storage.dispose();
    }
    server = await startWranglerDev({ persistDir: persist, vars: { ADMIN_TOKEN: "purge-token" } });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(persist, { recursive: true, force: true });
    rmSync(deployDir, { recursive: true, force: true });
  });

  it("says what is missing: the token, the right token, a reachable worker", async () => {
    await expect(cli(["--remote", "--purge", "--api", server!.url])).rejects.toThrow(/EDGEREC_ADMIN_TOKEN/);
    await expect(cli(["--remote", "--purge", "--api", server!.url], { EDGEREC_ADMIN_TOKEN: "wrong" })).rejects.toThrow(/refused the admin token \(401\)/);
    const closed = await freeLoopbackPort();
    await expect(cli(["--remote", "--purge", "--api", `http://127.0.0.1:${closed}`], { EDGEREC_ADMIN_TOKEN: "purge-token" })).rejects.toThrow(/could not reach the worker/);
    await expect(cli(["--remote", "--purge"], { EDGEREC_ADMIN_TOKEN: "purge-token" })).rejects.toThrow(/pass --api <url>/);
  }, 120_000);

  it("rewrites every partition that held the forgotten shopper, across pages, and nothing else", async () => {
    const { stdout, stderr } = await cli(["--remote", "--purge", "--api", server!.url], { EDGEREC_ADMIN_TOKEN: "purge-token" });
    expect(stderr).toContain("page 2");
    expect(stdout).toContain("purged remote event partitions: 30 object(s) read, 10 rewritten, 0 deleted");
    expect(stdout).toContain("10 event(s) dropped");
    await server!.stop();
    server = undefined;
    const storage = await openLocalKv(persist);
    try {
      for (const { key, lines } of SEEDED) {
        const object = await storage.bucket.get(key);
        const text = gunzipSync(new Uint8Array(await object!.arrayBuffer())).toString("utf8");
        expect(text.split("\n").filter(Boolean)).toEqual(lines.filter((l) => !l.includes('"user":"gone"')));
      }
    } finally {
      await storage.dispose();
    }
  }, 120_000);
});
