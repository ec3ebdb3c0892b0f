import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCiConfig } from "../../trainer/ops/ci-config.ts";
import { refuseSampleForRemote } from "../../trainer/ops/ci.ts";
import { REPO_ROOT } from "../../trainer/wrangler/edgerec-cli.ts";
import { ensureSample } from "../../trainer/sample/ensure.ts";

/** `npm run ci:train` as the workflow runs it, with only the given environment. */
function ciTrain(env: Record<string, string>) {
  return spawnSync(process.execPath, [join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), join(REPO_ROOT, "trainer", "ops", "ci.ts"), "train"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
  });
}

describe("ci:train never publishes the sample store to a real account", () => {
  const root = mkdtempSync(join(tmpdir(), "edgerec-ci-guard-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("refuses a remote run without the shop's data, naming the variables to set, before generating anything", () => {
    const run = ciTrain({ EDGEREC_TARGET: "remote", EDGEREC_WORK_DIR: join(root, "work") });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/ci:train: ci:train refuses to train on the generated sample store for EDGEREC_TARGET=remote/);
    expect(run.stderr).toMatch(/EDGEREC_INTERACTIONS/);
    expect(run.stderr).toMatch(/EDGEREC_ITEMS/);
    expect(run.stderr).toMatch(/EDGEREC_FETCH_COMMAND or EDGEREC_DATA_URL/);
    expect(existsSync(join(root, "work", "sample"))).toBe(false);
    expect(existsSync(join(root, "work", "artifact.bin"))).toBe(false);
  });

  it("refuses generated sample files passed as the shop's data, and lets a local run use them", () => {
    const sample = ensureSample(join(root, "data"), { seed: 2, items: 50, users: 40 });
    const env = { EDGEREC_DATA_DIR: join(root, "data"), EDGEREC_INTERACTIONS: sample.reviews, EDGEREC_WORK_DIR: join(root, "work") };
    expect(() => refuseSampleForRemote(readCiConfig({ ...env, EDGEREC_TARGET: "remote" }))).toThrow(/is the generated sample store, and EDGEREC_TARGET=remote would publish it/);
    expect(() => refuseSampleForRemote(readCiConfig({ ...env, EDGEREC_TARGET: "local" }))).not.toThrow();
    expect(() => refuseSampleForRemote(readCiConfig({ EDGEREC_TARGET: "local" }))).not.toThrow();
  });
});
