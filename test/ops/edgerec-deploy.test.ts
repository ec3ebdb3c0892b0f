/**
 * `edgerec deploy` against a recording `wrangler` stand-in on PATH (test/ops/helpers/wrangler-stand-in.mjs;
 * Cloudflare's account API cannot be reached from tests): the exact command sequence, a second run
 * that creates nothing, a failed step that stops the chain and says how to resume, the refusals
 * (CORS "*", the sample store, no login), separate staging/production resources — and the real
 * `wrangler deploy --dry-run` bundling the generated config. The smoke step runs against the real
 * worker (Miniflare) serving the same artifact.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeArtifact } from "../../src/artifact/format.ts";
import { deploy, type DeployOptions } from "../../trainer/ops/deploy/deploy.ts";
import { generatedConfigPath } from "../../trainer/ops/deploy/generated-config.ts";
import { REPO_ROOT, runEdgerec, runWrangler } from "../../trainer/ops/edgerec-cli.ts";
import { buildSampleArtifact } from "../browser/support/sample-artifact.ts";
import { startWorker, type RunningWorker } from "../browser/support/real-worker.ts";
import { syntheticArtifact } from "../worker/fixtures/synthetic-artifact.ts";

const VERSION = "20261206T031500Z-d3p10y00";
const work = mkdtempSync(join(tmpdir(), "edgerec-deploy-run-"));
const bin = join(work, "bin");
const standIn = join(work, "account");
const deployDirPath = join(work, "deploy");
const artifact = join(work, "artifact.bin");
let worker: RunningWorker;
const savedDeployDir = process.env.EDGEREC_DEPLOY_DIR;

interface Call {
  args: string[];
}

function calls(): string[][] {
  const file = join(standIn, "calls.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as Call).args);
}

/** A call with temporary and generated paths replaced by stable names, for exact comparison. */
const shape = (args: string[]) =>
  args
    .map((a) => (a.startsWith(deployDirPath) ? a.replace(deployDirPath, "<deploy>") : a))
    .map((a) => (/edgerec-secrets-|edgerec-put-|edgerec-get-/.test(a) ? "<tmp>" : a))
    .join(" ");

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}`, STANDIN_DIR: standIn, CLOUDFLARE_API_TOKEN: "test-token", EDGEREC_DEPLOY_DIR: deployDirPath, ...extra };
}

function run(options: Partial<DeployOptions> = {}, extra: Record<string, string> = {}) {
  const lines: string[] = [];
  const result = deploy({
    env: "staging",
    artifact,
    origins: "https://shop.example",
    url: worker.origin,
    environment: environment(extra),
    log: (l) => lines.push(l),
    ...options,
  });
  return { result, lines };
}

describe("edgerec deploy with a recording wrangler", () => {
  beforeAll(async () => {
    mkdirSync(bin, { recursive: true });
    copyFileSync(join(REPO_ROOT, "test/ops/helpers/wrangler-stand-in.mjs"), join(bin, "wrangler"));
    chmodSync(join(bin, "wrangler"), 0o755);
    const bytes = await encodeArtifact(syntheticArtifact({ items: 200, version: VERSION }));
    writeFileSync(artifact, bytes);
    worker = await startWorker(bytes);
    // The gate and publish children read the generated config from here too.
    process.env.EDGEREC_DEPLOY_DIR = deployDirPath;
  });
  afterAll(async () => {
    await worker?.close();
    if (savedDeployDir === undefined) delete process.env.EDGEREC_DEPLOY_DIR;
    else process.env.EDGEREC_DEPLOY_DIR = savedDeployDir;
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    rmSync(standIn, { recursive: true, force: true });
    rmSync(deployDirPath, { recursive: true, force: true });
    mkdirSync(standIn, { recursive: true });
  });

  it("creates, configures, deploys, publishes and smoke-tests in this exact order; a second run creates nothing", async () => {
    const first = run();
    const result = await first.result;
    expect(result.created).toEqual(["R2 bucket edgerec-staging-artifacts", "KV namespace edgerec-staging"]);
    expect(result.version).toBe(VERSION);
    expect(result.url).toBe(worker.origin);
    const config = generatedConfigPath("staging");
    expect(config).toBe(join(deployDirPath, "staging.wrangler.toml"));
    const sequence = calls().map(shape);
    const cfg = "--remote --config <deploy>/staging.wrangler.toml";
    expect(sequence).toEqual([
      "whoami --json",
      "r2 bucket list",
      "r2 bucket create edgerec-staging-artifacts",
      "kv namespace list",
      "kv namespace create edgerec-staging",
      "kv namespace list",
      // gate: nothing published yet
      `r2 object get edgerec-staging-artifacts/artifacts/current.json --file <tmp> ${cfg}`,
      "deploy --config <deploy>/staging.wrangler.toml --secrets-file <tmp>",
      // publish: the same bucket and config
      ...sequence.slice(8).filter((c) => c.startsWith("r2 object")),
    ]);
    const publishCalls = sequence.slice(8);
    expect(publishCalls.length).toBeGreaterThanOrEqual(3);
    for (const c of publishCalls) expect(c).toMatch(new RegExp(`^r2 object (get|put|delete) edgerec-staging-artifacts/artifacts/\\S+ .*${cfg}$`));
    expect(publishCalls).toContain(`r2 object put edgerec-staging-artifacts/artifacts/${VERSION}/artifact.bin --file <tmp> ${cfg}`);
    expect(publishCalls.at(-1)).toMatch(/current\.json|versions\.json/);

    const toml = readFileSync(config, "utf8");
    const account = JSON.parse(readFileSync(join(standIn, "account.json"), "utf8"));
    expect(toml).toMatch(/^name = "edgerec-staging"$/m);
    expect(toml).toMatch(/^bucket_name = "edgerec-staging-artifacts"$/m);
    expect(toml).toContain(`id = "${account.namespaces[0].id}"`);
    expect(toml).toMatch(/^CORS_ORIGINS = "https:\/\/shop\.example"$/m);
    expect(toml).toMatch(/^DEMO = "off"$/m);
    expect(account.secrets).toEqual(["edgerec-staging:ADMIN_TOKEN"]);
    expect(first.lines.join("\n")).toContain(`edgerec staging is live at ${worker.origin}`);
    // The committed wrangler.toml stays account-free.
    expect(readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8")).toContain('id = "edgerec-local"');

    // Second run: the same ids, nothing created, no secret regenerated.
    const before = calls().length;
    const again = await run().result;
    expect(again.created).toEqual([]);
    const second = calls().slice(before).map(shape);
    expect(second.filter((c) => / create /.test(c))).toEqual([]);
    expect(readFileSync(config, "utf8")).toBe(toml);
    expect(JSON.parse(readFileSync(join(standIn, "account.json"), "utf8")).namespaces).toHaveLength(1);
  });

  it("a failed step stops the chain and says how to resume; the re-run finishes without creating anything twice", async () => {
    const failing = run({}, { STANDIN_FAIL: "deploy" });
    await expect(failing.result).rejects.toThrow(/deploy stopped at step 8\/10 \(deploy\): .*stand-in told to fail[\s\S]*run `npx edgerec deploy --env staging` again/);
    const after = calls().map(shape);
    expect(after.at(-1)).toMatch(/^deploy --config/);
    expect(after.some((c) => c.startsWith("r2 object put"))).toBe(false); // nothing published after the failure
    const resumed = await run().result;
    expect(resumed.created).toEqual([]);
  });

  it('refuses CORS_ORIGINS "*" unless --allow-any-origin, and a missing origin list, before touching the account', async () => {
    await expect(run({ origins: "*" }).result).rejects.toThrow(/step 3\/10 \(CORS\): refusing CORS_ORIGINS = "\*"/);
    await expect(run({ origins: "" }).result).rejects.toThrow(/no store origins: pass --origins/);
    await expect(run({ origins: "https://shop.example/path" }).result).rejects.toThrow(/is not an origin/);
    expect(calls().map(shape)).toEqual(["whoami --json", "whoami --json", "whoami --json"]);
    const any = await run({ origins: "*", allowAnyOrigin: true }).result;
    expect(readFileSync(any.config, "utf8")).toMatch(/^CORS_ORIGINS = "\*"$/m);
  });

  it("refuses an artifact trained on the generated sample store", async () => {
    const sample = join(work, "sample.bin");
    writeFileSync(sample, (await buildSampleArtifact({ items: 120, users: 80 })).bytes);
    await expect(run({ artifact: sample }).result).rejects.toThrow(/step 2\/10 \(artifact\): .*generated sample store/);
  });

  it("without a login or token it stops at step 1 naming both ways in", async () => {
    const env = environment();
    delete env.CLOUDFLARE_API_TOKEN;
    await expect(deploy({ env: "staging", artifact, origins: "https://shop.example", environment: env, log: () => {} })).rejects.toThrow(
      /step 1\/10 \(login\): not logged in to Cloudflare: run `npx wrangler login`, or set CLOUDFLARE_API_TOKEN/,
    );
  });

  it("staging and production get separate workers, buckets, namespaces and secrets", async () => {
    await run().result;
    await run({ env: "production" }).result;
    const account = JSON.parse(readFileSync(join(standIn, "account.json"), "utf8"));
    expect(account.buckets).toEqual(["edgerec-staging-artifacts", "edgerec-production-artifacts"]);
    expect(account.namespaces.map((n: { title: string }) => n.title)).toEqual(["edgerec-staging", "edgerec-production"]);
    expect(account.deployments.map((d: { name: string }) => d.name)).toEqual(["edgerec-staging", "edgerec"]);
    expect(account.secrets).toEqual(["edgerec-staging:ADMIN_TOKEN", "edgerec:ADMIN_TOKEN"]);
    expect(readFileSync(join(deployDirPath, "staging.admin-token"), "utf8")).not.toBe(readFileSync(join(deployDirPath, "production.admin-token"), "utf8"));
  });

  it("forget and versions --remote --env use the deployed bucket and namespace; without a deploy they say to run it", async () => {
    const env = environment();
    await expect(runEdgerec(["forget", "C9", "--remote", "--env", "staging"], { env, capture: true, quietErrors: true })).rejects.toThrow(
      /no staging deployment is set up here .*run `npx edgerec deploy --env staging` first/,
    );
    await run().result;
    const before = calls().length;
    await runEdgerec(["forget", "C9", "--remote", "--env", "staging"], { env, capture: true });
    const account = JSON.parse(readFileSync(join(standIn, "account.json"), "utf8"));
    expect(Object.keys(account.kv[account.namespaces[0].id])).toEqual(["forget/C9"]);
    expect((await runEdgerec(["forget", "--remote", "--env", "staging", "--list"], { env, capture: true })).trim()).toBe("C9");
    expect(await runEdgerec(["versions", "--remote", "--env", "staging"], { env, capture: true })).toContain(VERSION);
    const cfg = "--remote --config <deploy>/staging.wrangler.toml";
    for (const c of calls().slice(before).map(shape)) expect(c).toMatch(new RegExp(`(^kv key (put|list) .*--binding KV ${cfg}$)|(^r2 object get edgerec-staging-artifacts/\\S+ --file <tmp> ${cfg}$)`));
  });

  it("the generated config bundles with the real `wrangler deploy --dry-run`", async () => {
    await run().result;
    const out = join(work, "bundle");
    await runWrangler(["deploy", "--dry-run", "--config", generatedConfigPath("staging"), "--outdir", out], { capture: true, quietErrors: true });
    expect(readFileSync(join(out, "index.js"), "utf8").length).toBeGreaterThan(10_000);
  });
});
