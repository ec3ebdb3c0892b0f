import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCiConfig } from "../../trainer/ops/ci-config.ts";
import { runCiStep } from "../../trainer/ops/ci.ts";

describe("ci:deploy", () => {
  const work = mkdtempSync(join(tmpdir(), "edgerec-deploy-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("bundles the worker with the real KV id as `wrangler deploy` would (dry run, no account)", async () => {
    const lines: string[] = [];
    const config = readCiConfig({ EDGEREC_WORK_DIR: work, EDGEREC_TARGET: "remote", EDGEREC_DEPLOY_DRY_RUN: "1", EDGEREC_KV_NAMESPACE_ID: "0123456789abcdef0123456789abcdef" });
    await runCiStep("deploy", config, (l) => lines.push(l));
    const bundle = join(work, "worker-bundle", "index.js");
    expect(existsSync(bundle)).toBe(true);
    expect(statSync(bundle).size).toBeGreaterThan(10_000);
    expect(lines.join("\n")).toMatch(/bundled \(dry run\).*\.wrangler\/deploy\.toml/);
  });

  it("refuses a real deploy without Cloudflare credentials, naming them", async () => {
    const config = readCiConfig({ EDGEREC_WORK_DIR: work, EDGEREC_TARGET: "remote" });
    const saved = { token: process.env.CLOUDFLARE_API_TOKEN, account: process.env.CLOUDFLARE_ACCOUNT_ID };
    delete process.env.CLOUDFLARE_API_TOKEN;
    delete process.env.CLOUDFLARE_ACCOUNT_ID;
    try {
      await expect(runCiStep("deploy", config, () => {})).rejects.toThrow(/CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID must be set/);
    } finally {
      if (saved.token !== undefined) process.env.CLOUDFLARE_API_TOKEN = saved.token;
      if (saved.account !== undefined) process.env.CLOUDFLARE_ACCOUNT_ID = saved.account;
    }
  });
});
