import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeArtifact } from "../../src/artifact/index.ts";
import { dataFile } from "../../bench/lib/data-root.ts";
import { REPO_ROOT, runEdgerec } from "../../trainer/wrangler/edgerec-cli.ts";
import { SAMPLE_REVIEWS_FILE } from "../../trainer/sample/amazon-files.ts";
import { expectServesEveryInteraction, readAmazonReviews } from "../trainer/pipeline/served-artifact.ts";

/** `npm start -- --no-serve` (what CI can run): sample → train → metrics → publish --local; twice. */
describe("npm start --no-serve", () => {
  const root = mkdtempSync(join(tmpdir(), "edgerec-start-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const start = () =>
    spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
        join(REPO_ROOT, "trainer", "cli", "start.ts"),
        "--no-serve",
        "--sample-items", "300",
        "--sample-users", "200",
        "--work-dir", join(root, "work"),
        "--persist-to", join(root, "state"),
        "--keep", "1",
      ],
      { cwd: REPO_ROOT, encoding: "utf8", timeout: 240_000 },
    );

  it("trains, prints the metrics table, publishes, and is idempotent", async () => {
    const first = start();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/sample store \(seed 1\): 300 products, \d+ ratings — generated/);
    expect(first.stdout).toMatch(/event history: \d+ events — generated/);
    expect(first.stderr).toMatch(/events → \d+ \(shopper, item\) interactions/);
    expect(first.stdout).toMatch(/\| hr@10 \(headline\) \|/);
    expect(first.stdout).toMatch(/published \d{8}T\d{6}Z-[0-9a-f]{8}/);
    expect(first.stdout).toMatch(/--no-serve: not starting the worker/);
    // --model auto by default: every candidate in the table, one chosen (★), and the served model refitted on everything.
    for (const family of ["popularity", "item-kNN", "EASE", "hybrid + catalogue"]) expect(first.stdout).toContain(family);
    expect(first.stdout.match(/★/g)?.length).toBeGreaterThanOrEqual(1);
    expect(first.stdout).toMatch(/served model trained on \d+ interactions .*generated sample store \(seed 1\)/);
    const artifact = await decodeArtifact(new Uint8Array(readFileSync(join(root, "work", "artifact.bin"))));
    const shoppers = readAmazonReviews(join(root, "work", "sample", SAMPLE_REVIEWS_FILE + ".gz"));
    expectServesEveryInteraction(artifact, shoppers);
    expect(artifact.header.trainedOn).toMatchObject({ interactions: shoppers.pairs, users: shoppers.items.size, generatedSample: true });

    const second = start();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/— reused in /);
    expect(second.stdout).toMatch(/event history: \d+ events — reused/);
    // --keep 1: the second publish deletes the first version, so runs do not pile up.
    const versions = JSON.parse(await runEdgerec(["versions", "--local", "--persist-to", join(root, "state"), "--json"], { capture: true }));
    const list = Array.isArray(versions) ? versions : versions.versions;
    expect(list).toHaveLength(1);
  }, 480_000);

  it("explains an unknown --data folder", () => {
    const bad = spawnSync(process.execPath, [join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), join(REPO_ROOT, "trainer", "cli", "start.ts"), "--no-serve", "--data", root], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/npm start: --data .*no known layout/);
  });
});

/** Real data when the dataset root (EDGEREC_SHARED_DATA) holds it: it is not part of the repository. */
const giftCards = dataFile("amazon-gift-cards-2018");
describe.skipIf(!existsSync(giftCards))("npm start --data <Amazon 2018 folder>", () => {
  const root = mkdtempSync(join(tmpdir(), "edgerec-start-data-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("recognises the files, trains on them and publishes", () => {
    const run = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
        join(REPO_ROOT, "trainer", "cli", "start.ts"),
        "--no-serve", "--data", giftCards, "--work-dir", join(root, "work"), "--persist-to", join(root, "state"),
        "--auto-budget", "10",
      ],
      { cwd: REPO_ROOT, encoding: "utf8", timeout: 240_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/amazon-gift-cards-2018: Amazon reviews \(JSON lines\)/);
    expect(run.stdout).toMatch(/[\w-]+, 1547 items, 458 users/);
    expect(run.stdout).toMatch(/published \d{8}T\d{6}Z-[0-9a-f]{8}/);
  }, 240_000);
});
