import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeArtifact, indexOfString, stringAt } from "../../../src/artifact/index.ts";
import { displayTitle } from "../../../trainer/artifact/display-title.ts";
import { REPO_ROOT, runEdgerec } from "../../../trainer/wrangler/edgerec-cli.ts";
import { qualityViolations, thresholdsFromOptions } from "../../../trainer/pipeline/quality.ts";
import { createRng } from "../../../trainer/util/rng.ts";

/** A shop of 60 products where `untitled` of them have no title, plus two malformed rows. */
function writeShop(dir: string, untitled: number, prefix = "p"): { interactions: string; items: string } {
  const rng = createRng(7);
  const rows = ["user,item,rating,time"];
  for (let u = 0; u < 80; u++) {
    const seen = new Set<number>();
    for (let t = 0; t < 8; t++) {
      let i: number;
      do i = rng.int(60);
      while (seen.has(i));
      seen.add(i);
      rows.push(`u${u},${prefix}${i},${1 + rng.int(5)},${1_700_000_000 + u * 1000 + t * 86_400}`);
    }
  }
  rows.push("u1,,3,1700000000", "u2,p1,notanumber,1700000000");
  const items = ["id,title,brand,categories,price"];
  for (let i = 0; i < 60; i++) items.push(`${prefix}${i},${i < untitled ? "" : `Product ${i}`},Acme,Pantry > Tea,${(i + 1).toFixed(2)}`);
  const interactions = join(dir, `shop-${prefix}${untitled}.csv`);
  const catalogue = join(dir, `items-${prefix}${untitled}.csv`);
  writeFileSync(interactions, rows.join("\n") + "\n");
  writeFileSync(catalogue, items.join("\n") + "\n");
  return { interactions, items: catalogue };
}

describe("data-quality report and gate", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-quality-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** edgerec as a user runs it, with exit code, stdout and stderr. */
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "edgerec.mjs"), ...args], { cwd: REPO_ROOT, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it("warns in train and fails gate when more than 20% of items have no title; the threshold is configurable", async () => {
    const shop = writeShop(dir, 18); // 30% untitled
    const out = join(dir, "untitled.bin");
    const printed = await runEdgerec(["train", "--interactions", shop.interactions, "--items", shop.items, "--model", "itemknn", "--max-error-ratio", "0.5", "--out", out, "--json"], { capture: true });
    const summary = JSON.parse(printed.trim().split("\n").at(-1)!);
    expect(summary.quality.rows).toMatchObject({ rejected: 2 });
    const reasons = Object.keys(summary.quality.files[0].rejectedByReason);
    expect(reasons.length).toBe(2);
    expect(summary.quality.missing.title).toBeCloseTo(0.3, 5);
    expect(summary.quality.missing.image).toBe(1);
    expect(summary.quality.last30DaysShare).toBeGreaterThan(0);
    expect(summary.quality.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/30\.0% of 60 catalogue items have no title \(allowed 20\.0%/)]));

    const gate = (extra: string[]) => cli(["gate", out, "--published-artifact", out, ...extra]);
    const failed = gate(["--max-missing", "image=1", "url=1", "price=1", "category=1"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/data-quality gate FAILED: 30\.0% of 60 catalogue items have no title/);
    const passed = gate(["--max-missing", "title=0.5", "image=1", "url=1"]);
    expect(passed.code, passed.stderr).toBe(0);
    expect(passed.stdout).toMatch(/quality gate passed/);

    // No nameless cards: an item without a title is served as brand + category + id.
    const a = await decodeArtifact(new Uint8Array(readFileSync(out)));
    expect(stringAt(a.items.titles, indexOfString(a.items.ids, "p0"))).toBe("Acme Tea (p0)");
    expect(stringAt(a.items.titles, indexOfString(a.items.ids, "p30"))).toBe("Product 30");
  }, 300_000);

  it("fills missing product URLs from --item-url and refuses a template without {id}", async () => {
    const shop = writeShop(dir, 0);
    const out = join(dir, "urls.bin");
    await runEdgerec(["train", "--interactions", shop.interactions, "--items", shop.items, "--model", "itemknn", "--max-error-ratio", "0.5", "--item-url", "https://shop.example/p/{id}", "--out", out, "--json"], { capture: true });
    const a = await decodeArtifact(new Uint8Array(readFileSync(out)));
    expect(stringAt(a.items.urls, indexOfString(a.items.ids, "p7"))).toBe("https://shop.example/p/p7");
    expect(a.header.dataQuality!.missing.url).toBe(0);
    const bad = cli(["train", "--interactions", shop.interactions, "--items", shop.items, "--item-url", "https://shop.example/p/", "--out", out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/has no \{id\} placeholder/);
  }, 300_000);

  it("gate refuses to compare artifacts of barely overlapping catalogues unless --allow-new-catalog", async () => {
    const ours = join(dir, "ours.bin");
    const other = join(dir, "other.bin");
    const build = (files: { interactions: string; items: string }, out: string) =>
      runEdgerec(["train", "--interactions", files.interactions, "--items", files.items, "--model", "itemknn", "--max-error-ratio", "0.5", "--out", out, "--json"], { capture: true });
    await build(writeShop(dir, 0, "p"), ours);
    await build(writeShop(dir, 0, "q"), other);
    const lenient = ["--tolerance", "1", "--max-missing", "image=1", "url=1"];
    const refused = cli(["gate", ours, "--published-artifact", other, ...lenient]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/catalogue check FAILED: .*barely share a catalogue \(about 0 item ids shared: 0% of the new 60 and 0% of the published 60/);
    const allowed = cli(["gate", ours, "--published-artifact", other, ...lenient, "--allow-new-catalog"]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(/accepted with --allow-new-catalog/);
    const same = cli(["gate", ours, "--published-artifact", ours, ...lenient]);
    expect(same.stdout).toMatch(/catalogue check passed: about 60 item ids shared: 100% of the new 60/);
  }, 300_000);

  it("thresholds: parsed per field, checked per share", () => {
    const t = thresholdsFromOptions(["title=0.05"]);
    expect(t.maxMissing.title).toBe(0.05);
    expect(t.maxMissing.image).toBe(0.5);
    expect(() => thresholdsFromOptions(["colour=0.1"])).toThrow(/field one of title, image, url, price, category/);
    const summary = { catalogueItems: 100, missing: { title: 0.1, image: 0, url: 0, price: 0, category: 0 }, rows: { read: 10, kept: 10, merged: 0, rejected: 0 }, last30DaysShare: 1 };
    expect(qualityViolations(summary)).toEqual([]);
    expect(qualityViolations(summary, t)).toEqual([expect.stringMatching(/10\.0% of 100 catalogue items have no title/)]);
    expect(displayTitle(undefined, "x1")).toBe("Item x1");
    expect(displayTitle({ id: "x2", brand: "Acme" }, "x2")).toBe("Acme (x2)");
  });
});
