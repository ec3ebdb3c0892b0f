/**
 * The retrain-and-deploy chain end to end, on this machine, exactly as the workflow runs
 * it (the ci:* steps shell out to the real `edgerec` commands): train on a small sample
 * store → evaluate → gate (nothing published: passes) → publish --local into a temp
 * persist dir → the real worker under `wrangler dev` serves it → smoke request; then a
 * second publish, a gate against it, and a rollback.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readArtifactHeader } from "../../trainer/ops/artifact-header.ts";
import { readCiConfig } from "../../trainer/ops/ci-config.ts";
import { runCiStep } from "../../trainer/ops/ci.ts";
import { runEdgerec } from "../../trainer/wrangler/edgerec-cli.ts";
import { checkGate } from "../../trainer/ops/gate.ts";
import { readPublishedMetrics } from "../../trainer/ops/published.ts";
import { smokeTest } from "../../trainer/ops/smoke.ts";
import { ensureSample } from "../../trainer/sample/ensure.ts";
import { type DevServer, startWranglerDev } from "../../tools/dev/wrangler-dev.ts";

/** About a minute on an idle 2-core machine; generous limits because CI shares the cores with other suites. */
const SLOW = 300_000;

/** The default model, smaller so the test stays quick. */
const MODEL = ["--model", "hybrid", "--item-features", "all", "--param", "components=16", "--param", "epochs=10"];

describe("retrain → gate → publish --local → serve → smoke", () => {
  const root = mkdtempSync(join(tmpdir(), "edgerec-chain-"));
  const persist = join(root, "state");
  let server: DevServer | undefined;
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);

  beforeAll(() => {
    ensureSample(join(root, "data"), { seed: 5, items: 400, users: 300 });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const config = (extra: Record<string, string> = {}) =>
    readCiConfig({
      EDGEREC_WORK_DIR: join(root, "work"),
      EDGEREC_DATA_DIR: join(root, "data"),
      EDGEREC_INTERACTIONS: "Sample_Store_5.json.gz",
      EDGEREC_ITEMS: "meta_Sample_Store.json.gz",
      EDGEREC_PERSIST_DIR: persist,
      EDGEREC_KEEP_VERSIONS: "2",
      EDGEREC_TRAIN_ARGS: MODEL.join(" "),
      ...extra,
    });

  it("runs the local chain and the worker serves the published version", async () => {
    const cfg = config();
    await runCiStep("local", cfg, log);
    const header = await readArtifactHeader(cfg.artifact);
    expect(header.headlineMetric).not.toBe("");
    expect(header.metrics[header.headlineMetric]).toBeGreaterThan(0);
    const recorded = JSON.parse(readFileSync(cfg.metricsFile, "utf8"));
    expect(recorded.version).toBe(header.version);
    expect(logs.join("\n")).toMatch(/\| metric/);

    // Re-check the pointer every second so a new publish shows up quickly.
    server = await startWranglerDev({ persistDir: persist, vars: { ARTIFACT_RECHECK_SECONDS: "1" }, timeoutMs: 120_000 });
    const smoke = await smokeTest(server.url, { expectVersion: header.version, timeoutMs: 90_000, log });
    expect(smoke.version).toBe(header.version);
    expect(smoke.popular.length).toBeGreaterThan(0);
    expect(smoke.similar.ids.length).toBeGreaterThan(0);
    // The npm script does the same against EDGEREC_WORKER_URL.
    await runCiStep("smoke", config({ EDGEREC_WORKER_URL: server.url }), log);
  }, SLOW);

  it("gates a retrain against the published version, publishes it, and rolls back", async () => {
    const first = await readArtifactHeader(config().artifact);
    const files = ["--interactions", join(root, "data", "Sample_Store_5.json.gz"), "--items", join(root, "data", "meta_Sample_Store.json.gz")];

    // A barely trained model (one epoch at a tiny learning rate: close to random) must not replace the published one.
    const weak = join(root, "work", "weak.bin");
    await runEdgerec(["train", ...files, "--model", "hybrid", "--param", "epochs=1", "--param", "learningRate=0.00001", "--out", weak], { capture: true });
    // (In process: the gate command itself is tested in gate.test.ts; this keeps the test quick.)
    const published = await readPublishedMetrics({ kind: "store", options: { local: true, persistTo: persist, backend: "r2", via: "miniflare" } });
    expect(published?.version).toBe(first.version);
    const refused = checkGate(await readArtifactHeader(weak), published, { tolerance: 0.02 });
    expect(refused.passed).toBe(false);
    expect(refused.message).toMatch(/quality gate FAILED/);

    // A retrain of the same model passes, is published, and the worker switches to it.
    const second = join(root, "work", "second.bin");
    await runEdgerec(["train", ...files, ...MODEL, "--out", second], { capture: true });
    const gate = checkGate(await readArtifactHeader(second), published, { tolerance: 0.02 });
    expect(gate).toMatchObject({ passed: true, published: { version: first.version } });
    const secondHeader = await readArtifactHeader(second);
    await runEdgerec(["publish", second, "--local", "--persist-to", persist, "--keep", "2"], { capture: true });
    expect((await smokeTest(server!.url, { expectVersion: secondHeader.version, timeoutMs: 90_000 })).version).toBe(secondHeader.version);

    // Manual rollback (the workflow's rollback job) brings the first version back.
    await runCiStep("rollback", config({ EDGEREC_ROLLBACK_VERSION: first.version }), log);
    expect((await smokeTest(server!.url, { expectVersion: first.version, timeoutMs: 90_000 })).version).toBe(first.version);
  }, SLOW);
});
