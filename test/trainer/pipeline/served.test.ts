import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeArtifact } from "../../../src/artifact/index.ts";
import { REPO_ROOT, runEdgerec } from "../../../trainer/wrangler/edgerec-cli.ts";
import { expectServesEveryInteraction, readAmazonReviews } from "./served-artifact.ts";

/** Real data when ../shared/data is present (it is not part of the repository). */
const giftCards = join(REPO_ROOT, "..", "shared", "data", "amazon-gift-cards-2018");

describe.skipIf(!existsSync(giftCards))("edgerec train on Amazon Gift Cards 2018 (skipped: ../shared/data/amazon-gift-cards-2018 absent)", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-served-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const reviews = join(giftCards, "Gift_Cards_5.json.gz");
  const args = ["train", "--interactions", reviews, "--items", join(giftCards, "meta_Gift_Cards.json.gz"), "--auto-budget", "20"];

  it("serves a model that has seen every interaction: latest purchases in the history, none recommended back; inspect counts them", async () => {
    const out = join(dir, "gift.bin");
    await runEdgerec([...args, "--out", out, "--json"], { capture: true });
    const a = await decodeArtifact(new Uint8Array(readFileSync(out)));
    const shoppers = readAmazonReviews(reviews);
    expectServesEveryInteraction(a, shoppers);
    // The example shopper: their two latest purchases were missing before the refit.
    expect(shoppers.latest.has("A31UBHTUUIFJUT")).toBe(true);

    const inspected = JSON.parse((await runEdgerec(["inspect", out, "--json"], { capture: true })).trim().split("\n").at(-1)!);
    expect(inspected.trainedOn.interactions).toBe(shoppers.pairs);
    expect(inspected.trainedOn.users).toBe(shoppers.items.size);
    expect(inspected.trainedOn.source).toBe("Gift_Cards_5.json.gz + meta_Gift_Cards.json.gz");
    expect(Date.parse(inspected.trainedOn.lastTime)).toBeGreaterThan(Date.parse(inspected.trainedOn.firstTime));
    const chosen = inspected.candidates.filter((c: { chosen: boolean }) => c.chosen);
    expect(chosen).toHaveLength(1);
  }, 600_000);

  it("--no-refit keeps the research behaviour: the served model misses each shopper's held-out latest interaction", async () => {
    const out = join(dir, "gift-norefit.bin");
    await runEdgerec([...args, "--model", "itemknn", "--no-refit", "--out", out, "--json"], { capture: true });
    const a = await decodeArtifact(new Uint8Array(readFileSync(out)));
    const shoppers = readAmazonReviews(reviews);
    expect(() => expectServesEveryInteraction(a, shoppers)).toThrow(/latest item|not recommended/);
    expect(a.header.trainedOn!.interactions).toBeLessThan(shoppers.pairs);
  }, 600_000);
});
