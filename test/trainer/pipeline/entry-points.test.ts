import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeArtifact } from "../../../src/artifact/index.ts";
import { runEdgerec } from "../../../trainer/wrangler/edgerec-cli.ts";
import { ensureSample } from "../../../trainer/sample/ensure.ts";
import { readAmazonReviews, type RawShoppers } from "./served-artifact.ts";

/** build-artifact and tune's final fit serve what train serves: the choice refitted on every interaction. */
describe("every entry point runs the pipeline", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-entry-"));
  let data: string[];
  let shoppers: RawShoppers;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    const sample = ensureSample(join(dir, "sample"), { seed: 4, items: 120, users: 90 });
    data = ["--interactions", sample.reviews, "--items", sample.meta];
    shoppers = readAmazonReviews(sample.reviews);
  });

  it("build-artifact: auto by default, evaluated, refitted on every interaction, with the candidates table", async () => {
    const out = join(dir, "built.bin");
    const report = join(dir, "report.html");
    await runEdgerec(["build-artifact", ...data, "--out", out, "--report", report, "--json"], { capture: true });
    const a = await decodeArtifact(new Uint8Array(readFileSync(out)));
    expect(a.header.trainedOn!.interactions).toBe(shoppers.pairs);
    expect(a.header.candidates!.map((c) => c.family).slice(0, 4)).toEqual(["popularity", "item-kNN", "EASE", "hybrid + catalogue"]);
    expect(a.header.metrics["hr@10"]).toBeGreaterThan(0);
    const html = readFileSync(report, "utf8");
    expect(html).toContain('<table id="candidates">');
    expect(html).toMatch(/<tr class="ours"><td>★ /);
    expect(html).toContain('<pre id="quality">data quality:');
    expect(html).toMatch(/refitted on all \d+ interactions/);
  }, 300_000);

  it("a popularity winner is served with similar-item lists from item-kNN on the same data", async () => {
    const out = join(dir, "popular.bin");
    await runEdgerec(["train", ...data, "--auto-budget", "0", "--out", out, "--json"], { capture: true });
    const a = await decodeArtifact(new Uint8Array(readFileSync(out)));
    expect(a.header.model.type).toBe("popularity");
    expect(a.header.candidates!.filter((c) => c.skipped).length).toBeGreaterThanOrEqual(3);
    expect(a.extra?.build).toMatchObject({ neighbourSource: "itemSimilarities" });
    expect(a.neighbours.ids.some((id) => id !== 0xffffffff)).toBe(true);
  }, 300_000);

  it("tune --artifact: the winner's final fit is the pipeline's (test metrics, refit on every interaction)", async () => {
    const out = join(dir, "tuned.bin");
    await runEdgerec(["tune", ...data, "--trials", "0", "--ease", "100", "--no-blend", "--out", join(dir, "best.json"), "--artifact", out, "--json"], { capture: true });
    const a = await decodeArtifact(new Uint8Array(readFileSync(out)));
    expect(JSON.parse(readFileSync(join(dir, "best.json"), "utf8")).model).toBe(a.header.model.type);
    expect(a.header.trainedOn!.interactions).toBe(shoppers.pairs);
    expect(a.header.candidates).toHaveLength(1);
    expect(a.header.candidates![0].chosen).toBe(true);
  }, 300_000);
});
