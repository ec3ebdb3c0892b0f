/**
 * `edgerec deploy` against a recording `wrangler` stand-in on PATH (test/ops/support/wrangler-stand-in.mjs;
 * Cloudflare's account API cannot be reached from tests): the exact command sequence, a second run
 * that creates nothing, a failed step that stops the chain and says how to resume, the refusals
 * (CORS "*", the sample store, no login), separate staging/production resources (event queues
 * included, found across `queues list` pages) — and the real
 * `wrangler deploy --dry-run` bundling the generated config. The smoke step runs against the real
 * worker (Miniflare) serving the same artifact.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeArtifact } from "../../src/artifact/index.ts";
import { deploy, type DeployOptions } from "../../trainer/ops/deploy/deploy.ts";
import { generatedConfigPath } from "../../trainer/wrangler/generated-config.ts";
import { REPO_ROOT, runEdgerec, runWrangler } from "../../trainer/wrangler/edgerec-cli.ts";
import { buildSampleArtifact } from "../browser/support/sample-artifact.ts";
import { startWorker, type RunningWorker } from "../browser/support/real-worker.ts";
import { syntheticArtifact } from "../../tools/dev/synthetic-artifact.ts";

// A valid version id (hex suffix): the gate and publish read it back from the `current` pointer.
const VERSION = "20261206T031500Z-d3a10e00";
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
    copyFileSync(join(REPO_ROOT, "test/ops/support/wrangler-stand-in.mjs"), join(bin, "wrangler"));
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
    expect(result.created).toEqual([
      "R2 bucket edgerec-staging-artifacts",
      "KV namespace edgerec-staging",
      "queue edgerec-staging-events",
      "queue edgerec-staging-events-dlq",
    ]);
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
      "queues list",
      "queues create edgerec-staging-events",
      "queues create edgerec-staging-events-dlq",
      // gate: nothing published yet
      `r2 object get edgerec-staging-artifacts/artifacts/current.json --file <tmp> ${cfg}`,
      "deploy --config <deploy>/staging.wrangler.toml --secrets-file <tmp>",
      // publish: the same bucket and config
      ...sequence.slice(11).filter((c) => c.startsWith("r2 object")),
    ]);
    const publishCalls = sequence.slice(11);
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
    // Producers, consumer and dead-letter queue: staging's own queues, none of the committed names left.
    expect([...toml.matchAll(/^(queue|dead_letter_queue) = "([^"]+)"$/gm)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
      "queue edgerec-staging-events",
      "queue edgerec-staging-events-dlq",
      "queue edgerec-staging-events",
      "dead_letter_queue edgerec-staging-events-dlq",
    ]);
    expect(toml).toMatch(/^binding = "EVENTS"\nqueue = "edgerec-staging-events"$/m);
    expect(toml).toMatch(/^binding = "EVENTS_DLQ"\nqueue = "edgerec-staging-events-dlq"$/m);
    expect(toml).not.toMatch(/"edgerec-events(-dlq)?"/);
    expect(account.deployments[0].queues).toEqual(["edgerec-staging-events", "edgerec-staging-events-dlq"]);
    expect(account.secrets).toEqual(["edgerec-staging:ADMIN_TOKEN"]);
    expect(first.lines.join("\n")).toContain(`edgerec staging is live at ${worker.origin}`);
    // The committed wrangler.toml stays account-free.
    const committed = readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8");
    expect(committed).toContain('id = "edgerec-local"');
    expect(committed).toMatch(/^queue = "edgerec-events"$/m);
    expect(committed).toMatch(/^dead_letter_queue = "edgerec-events-dlq"$/m);

    // Second run: the same ids, nothing created, no secret regenerated.
    const before = calls().length;
    const again = await run().result;
    expect(again.created).toEqual([]);
    const second = calls().slice(before).map(shape);
    expect(second.filter((c) => / create /.test(c))).toEqual([]);
    expect(second.slice(0, 5)).toEqual(["whoami --json", "r2 bucket list", "kv namespace list", "queues list", "r2 object get edgerec-staging-artifacts/artifacts/current.json --file <tmp> " + cfg]);
    expect(readFileSync(config, "utf8")).toBe(toml);
    const after = JSON.parse(readFileSync(join(standIn, "account.json"), "utf8"));
    expect(after.namespaces).toHaveLength(1);
    expect(after.queues).toHaveLength(2);
  });

  it("a failed step stops the chain and says how to resume; the re-run finishes without creating anything twice", async () => {
    const failing = run({}, { STANDIN_FAIL: "deploy" });
    await expect(failing.result).rejects.toThrow(/deploy stopped at step 9\/11 \(deploy\): .*stand-in told to fail[\s\S]*run `npx edgerec deploy --env staging` again/);
    const after = calls().map(shape);
    expect(after.at(-1)).toMatch(/^deploy --config/);
    expect(after.some((c) => c.startsWith("r2 object put"))).toBe(false); // nothing published after the failure
    const resumed = await run().result;
    expect(resumed.created).toEqual([]);
  });

  it("a failed queue creation stops before the config and the deploy; the re-run creates only the missing queue", async () => {
    const failing = run({}, { STANDIN_FAIL: "queues create edgerec-staging-events-dlq" });
    await expect(failing.result).rejects.toThrow(
      /deploy stopped at step 6\/11 \(queues\): `wrangler queues create edgerec-staging-events-dlq` failed .*stand-in told to fail[\s\S]*run `npx edgerec deploy --env staging` again/,
    );
    expect(calls().map(shape).slice(-2)).toEqual(["queues create edgerec-staging-events", "queues create edgerec-staging-events-dlq"]);
    expect(existsSync(generatedConfigPath("staging"))).toBe(false);
    const resumed = await run().result;
    expect(resumed.created).toEqual(["queue edgerec-staging-events-dlq"]);
    const account = JSON.parse(readFileSync(join(standIn, "account.json"), "utf8"));
    expect(account.queues.map((q: { name: string }) => q.name)).toEqual(["edgerec-staging-events", "edgerec-staging-events-dlq"]);
  });

  it("finds its queues on later `queues list` pages among the account's other queues, and creates none twice", async () => {
    const others = ["orders", "emails", "edgerec-events"].map((name) => ({ id: name, name }));
    writeFileSync(join(standIn, "account.json"), JSON.stringify({ loggedIn: false, buckets: [], namespaces: [], queues: others, objects: {}, kv: {}, deployments: [], secrets: [] }));
    const pageOfTwo = { STANDIN_QUEUE_PAGE_SIZE: "2" };
    const first = await run({ configOnly: true }, pageOfTwo).result;
    expect(first.created.filter((c) => c.startsWith("queue"))).toEqual(["queue edgerec-staging-events", "queue edgerec-staging-events-dlq"]);
    // 3 foreign queues at 2 a page: pages 1, 2 and the empty page 3 before creating.
    expect(calls().map(shape).filter((c) => c.startsWith("queues"))).toEqual([
      "queues list",
      "queues list --page 2",
      "queues list --page 3",
      "queues create edgerec-staging-events",
      "queues create edgerec-staging-events-dlq",
    ]);
    const before = calls().length;
    const again = await run({ configOnly: true }, pageOfTwo).result;
    expect(again.created).toEqual([]);
    // Now on pages 2 and 3: the search stops as soon as both are found.
    expect(calls().slice(before).map(shape).filter((c) => c.startsWith("queues"))).toEqual(["queues list", "queues list --page 2", "queues list --page 3"]);
    expect(JSON.parse(readFileSync(join(standIn, "account.json"), "utf8")).queues).toHaveLength(5);
  });

  it('refuses CORS_ORIGINS "*" unless --allow-any-origin, and a missing origin list, before touching the account', async () => {
    await expect(run({ origins: "*" }).result).rejects.toThrow(/step 3\/11 \(CORS\): refusing CORS_ORIGINS = "\*"/);
    await expect(run({ origins: "" }).result).rejects.toThrow(/no store origins: pass --origins/);
    await expect(run({ origins: "https://shop.example/path" }).result).rejects.toThrow(/is not an origin/);
    expect(calls().map(shape)).toEqual(["whoami --json", "whoami --json", "whoami --json"]);
    const any = await run({ origins: "*", allowAnyOrigin: true }).result;
    expect(readFileSync(any.config, "utf8")).toMatch(/^CORS_ORIGINS = "\*"$/m);
  });

  it("refuses an artifact trained on the generated sample store", async () => {
    const sample = join(work, "sample.bin");
    writeFileSync(sample, (await buildSampleArtifact({ items: 120, users: 80 })).bytes);
    await expect(run({ artifact: sample }).result).rejects.toThrow(/step 2\/11 \(artifact\): .*generated sample store/);
  });

  it("without a login or token it stops at step 1 naming both ways in", async () => {
    const env = environment();
    delete env.CLOUDFLARE_API_TOKEN;
    await expect(deploy({ env: "staging", artifact, origins: "https://shop.example", environment: env, log: () => {} })).rejects.toThrow(
      /step 1\/11 \(login\): not logged in to Cloudflare: run `npx wrangler login`, or set CLOUDFLARE_API_TOKEN/,
    );
  });

  it("staging and production get separate workers, buckets, namespaces, queues and secrets", async () => {
    await run().result;
    await run({ env: "production" }).result;
    const account = JSON.parse(readFileSync(join(standIn, "account.json"), "utf8"));
    expect(account.buckets).toEqual(["edgerec-staging-artifacts", "edgerec-production-artifacts"]);
    expect(account.namespaces.map((n: { title: string }) => n.title)).toEqual(["edgerec-staging", "edgerec-production"]);
    expect(account.queues.map((q: { name: string }) => q.name)).toEqual([
      "edgerec-staging-events",
      "edgerec-staging-events-dlq",
      "edgerec-production-events",
      "edgerec-production-events-dlq",
    ]);
    expect(account.deployments.map((d: { queues: string[] }) => d.queues)).toEqual([
      ["edgerec-staging-events", "edgerec-staging-events-dlq"],
      ["edgerec-production-events", "edgerec-production-events-dlq"],
    ]);
    expect(readFileSync(generatedConfigPath("production"), "utf8")).toMatch(/^dead_letter_queue = "edgerec-production-events-dlq"$/m);
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
    const printed = await runWrangler(["deploy", "--dry-run", "--config", generatedConfigPath("staging"), "--outdir", out], { capture: true, quietErrors: true });
    expect(readFileSync(join(out, "index.js"), "utf8").length).toBeGreaterThan(10_000);
    // Real wrangler reads the renamed producers from the generated config.
    expect(printed).toMatch(/env\.EVENTS \(edgerec-staging-events\)\s+Queue/);
    expect(printed).toMatch(/env\.EVENTS_DLQ \(edgerec-staging-events-dlq\)\s+Queue/);
  });
});
