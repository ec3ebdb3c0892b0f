import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCiConfig } from "../../trainer/ops/ci-config.ts";
import { runCiStep } from "../../trainer/ops/ci.ts";
import { REPO_ROOT } from "../../trainer/wrangler/edgerec-cli.ts";

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

  it("a dry run without the real KV namespace id refuses instead of bundling the placeholder", async () => {
    const config = readCiConfig({ EDGEREC_WORK_DIR: work, EDGEREC_TARGET: "remote", EDGEREC_DEPLOY_DRY_RUN: "1" });
    await expect(runCiStep("deploy", config, () => {})).rejects.toThrow(/dry run needs EDGEREC_KV_NAMESPACE_ID/);
  });

  it("a real deploy runs `edgerec deploy`, which accepts `wrangler login` or a token and says so when neither is there", async () => {
    // A recording wrangler stand-in on PATH plays the account (test/ops/support/wrangler-stand-in.mjs).
    const bin = join(work, "bin");
    const account = join(work, "account");
    mkdirSync(bin, { recursive: true });
    mkdirSync(account, { recursive: true });
    copyFileSync(join(REPO_ROOT, "test/ops/support/wrangler-stand-in.mjs"), join(bin, "wrangler"));
    chmodSync(join(bin, "wrangler"), 0o755);
    const saved = { ...process.env };
    process.env.PATH = `${bin}${delimiter}${process.env.PATH}`;
    process.env.STANDIN_DIR = account;
    process.env.EDGEREC_DEPLOY_DIR = join(work, "deploy");
    delete process.env.CLOUDFLARE_API_TOKEN;
    delete process.env.CLOUDFLARE_ACCOUNT_ID;
    try {
      const config = readCiConfig({ EDGEREC_WORK_DIR: work, EDGEREC_TARGET: "remote", EDGEREC_ENV: "staging" });
      await expect(runCiStep("deploy", config, () => {})).rejects.toThrow(/step 1\/11 \(login\): not logged in to Cloudflare: run `npx wrangler login`, or set CLOUDFLARE_API_TOKEN/);
      const calls = readFileSync(join(account, "calls.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).args.join(" "));
      expect(calls).toEqual(["whoami --json"]);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
