import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../../trainer/data/load.ts";
import type { Dataset } from "../../../trainer/data/spec.ts";
import { AUTO_DEFAULTS, chooseModel } from "../../../trainer/pipeline/choose.ts";
import { ensureSample } from "../../../trainer/sample/ensure.ts";
import { FeatureCache } from "../../../trainer/tune/config.ts";
import { prepare } from "../../../trainer/tune/prepare.ts";

describe("--model auto", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-auto-"));
  let dataset: Dataset;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    const sample = ensureSample(join(dir, "sample"), { seed: 3, items: 300, users: 250 });
    dataset = await loadDataset({ interactions: [sample.reviews], items: sample.meta });
  });
  const context = () => {
    const prepared = prepare(dataset, { task: "ranking", seed: 0 });
    return { dataset, prepared, features: new FeatureCache(dataset), seed: 0 };
  };

  it("fits every family, reports validation and test metrics for each, and serves the validation winner", async () => {
    const choice = await chooseModel(context(), { ...AUTO_DEFAULTS, budgetSeconds: 1e6 });
    const families = choice.candidates.map((c) => c.family);
    expect(families.slice(0, 4)).toEqual(["popularity", "item-kNN", "EASE", "hybrid + catalogue"]);
    expect(families).toContain("blend");
    const fitted = choice.candidates.filter((c) => !c.skipped);
    expect(fitted.length).toBeGreaterThanOrEqual(4);
    for (const c of fitted) {
      expect(Number.isFinite(c.validation![choice.primary])).toBe(true);
      expect(Number.isFinite(c.test!["hr@10"])).toBe(true);
      expect(c.fitSeconds).toBeGreaterThanOrEqual(0);
    }
    const chosen = choice.candidates.filter((c) => c.chosen);
    expect(chosen).toHaveLength(1);
    const best = Math.max(...fitted.map((c) => c.validation![choice.primary]));
    expect(chosen[0].validation![choice.primary]).toBe(best);
    expect(choice.config).toEqual(chosen[0].config);
    // The returned model is the chosen configuration fitted on train: its test metrics are the row's.
    expect(choice.primary).toBe("hr@10");
  }, 300_000);

  it("skips what the budget or the catalogue size rules out, saying why, and still chooses", async () => {
    const choice = await chooseModel(context(), { ...AUTO_DEFAULTS, budgetSeconds: 0, easeMaxItems: 10 });
    const byFamily = Object.fromEntries(choice.candidates.map((c) => [c.family, c]));
    expect(byFamily.popularity.skipped).toBeUndefined();
    expect(byFamily.EASE.skipped).toMatch(/catalogue of \d+ items is over 10/);
    expect(byFamily["item-kNN"].skipped).toMatch(/time budget of 0 s used up/);
    expect(byFamily["hybrid + catalogue"].skipped).toMatch(/time budget/);
    expect(byFamily.popularity.chosen).toBe(true);
  }, 300_000);
});
