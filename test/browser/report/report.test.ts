import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../../../trainer/pipeline/run.ts";
import { renderReport } from "../../../trainer/report/html.ts";
import { ANCHOR_SETS } from "../../../trainer/report/anchors.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { hasChromium, launchChromium, watchProblems } from "../support/browser.ts";

/** A small shop: 120 shoppers, 60 products in 3 tastes, timestamps for leave-last-out. */
function writeShop(dir: string): string {
  const rng = createRng(11);
  const lines = ["user,item,rating,time"];
  for (let u = 0; u < 120; u++) {
    const seen = new Set<number>();
    for (let t = 0; t < 10; t++) {
      let i: number;
      do i = rng.next() < 0.85 ? (rng.int(20) * 3 + (u % 3)) : rng.int(60);
      while (seen.has(i));
      seen.add(i);
      lines.push(`u${u},p${i},${1 + rng.int(5)},${1_600_000_000 + u * 1000 + t}`);
    }
  }
  const file = join(dir, "shop.csv");
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

describe.skipIf(!hasChromium)("training report in headless Chromium", () => {
  let browser: Browser;
  let reportUrl: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgerec-report-"));
    const result = await runPipeline({
      spec: { interactions: [writeShop(dir)] },
      model: { model: "hybrid", params: { loss: "warp", epochs: 8, components: 8 }, itemFeatures: [], userFeatures: false },
      split: "leave-last-out",
      seed: 1,
    });
    expect(result.history).toHaveLength(8);
    const itemCounts = new Int32Array(result.dataset.interactions.itemIds.length);
    const { train, test, dev, splitKind } = result.prepared;
    for (let p = 0; p < train.items.length; p++) itemCounts[train.items[p]]++;
    const html = renderReport({
      title: "report test",
      generatedAt: new Date(0),
      data: { users: 120, items: itemCounts.length, train: train.users.length, test: test.users.length, dev: dev?.users.length, split: splitKind, task: "ranking" },
      model: { description: "hybrid warp", config: result.config, fitSeconds: result.fitSeconds },
      history: result.history,
      curveMetric: result.curveMetric,
      curveNote: result.curveNote,
      metrics: result.metrics,
      anchors: ANCHOR_SETS["grocery-2014-leave-last-out"],
      itemCounts,
    });
    const file = join(dir, "report.html");
    writeFileSync(file, html);
    reportUrl = pathToFileURL(file).href;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("renders every chart with paths, the metrics beside the anchors, without errors or network", async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    const requests: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) requests.push(r.url());
    });
    await page.goto(reportUrl);
    const charts = await page.locator("svg.chart").all();
    expect(charts).toHaveLength(3);
    for (const chart of charts) {
      const box = await chart.boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      expect(box!.height).toBeGreaterThan(100);
      const paths = await chart.locator("path.series").all();
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) {
        const d = await p.getAttribute("d");
        expect(d).toMatch(/^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+)+/);
        const pb = await p.boundingBox();
        expect(pb!.width).toBeGreaterThan(10);
      }
    }
    const rows = await page.locator("#metrics tbody tr").count();
    expect(rows).toBe(1 + ANCHOR_SETS["grocery-2014-leave-last-out"].rows.length);
    expect(await page.locator("#metrics tr.ours td").first().textContent()).toContain("ours");
    expect(problems.errors).toEqual([]);
    expect(problems.failedResources).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
