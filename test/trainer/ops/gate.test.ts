import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readArtifactHeader } from "../../../trainer/ops/artifact-header.ts";
import { checkCatalog, checkGate, lowerIsBetter, toleranceFromEnv } from "../../../trainer/ops/gate.ts";
import { catalogOverlap, catalogSketch } from "../../../trainer/pipeline/catalog-sketch.ts";
import { tinyArtifact } from "./tiny-artifact.ts";

const dir = mkdtempSync(join(tmpdir(), "edgerec-gate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const candidate = (value: number, metric = "ndcg@10") => ({ version: "20261129T010000Z-00000002", headlineMetric: metric, metrics: { [metric]: value, auc: 0.9 } });
const published = (value: number, metric = "ndcg@10") => ({ version: "20261128T010000Z-00000001", headlineMetric: metric, metrics: { [metric]: value } });

describe("quality gate", () => {
  it("passes when nothing is published yet", () => {
    const r = checkGate(candidate(0.1), null, { tolerance: 0.02 });
    expect(r.passed).toBe(true);
    expect(r.message).toMatch(/nothing is published/);
  });

  it("passes within the relative tolerance and fails beyond it", () => {
    expect(checkGate(candidate(0.099), published(0.1), { tolerance: 0.02 }).passed).toBe(true);
    expect(checkGate(candidate(0.12), published(0.1), { tolerance: 0 }).passed).toBe(true);
    const r = checkGate(candidate(0.097), published(0.1), { tolerance: 0.02 });
    expect(r.passed).toBe(false);
    expect(r.threshold).toBeCloseTo(0.098, 6);
    expect(r.message).toMatch(/quality gate FAILED: ndcg@10 .* 0\.097, below the published 20261128T010000Z-00000001's 0\.1/);
    expect(r.message).toMatch(/-3%/);
  });

  it("supports an absolute tolerance and lower-is-better metrics", () => {
    expect(checkGate(candidate(0.095), published(0.1), { tolerance: 0.01, absolute: true }).passed).toBe(true);
    expect(checkGate(candidate(0.089), published(0.1), { tolerance: 0.01, absolute: true }).passed).toBe(false);
    expect(lowerIsBetter("rmse")).toBe(true);
    expect(checkGate(candidate(0.95, "rmse"), published(0.9, "rmse"), { tolerance: 0.02 }).passed).toBe(false);
    expect(checkGate(candidate(0.91, "rmse"), published(0.9, "rmse"), { tolerance: 0.02 }).passed).toBe(true);
  });

  it("fails clearly when the metric cannot be compared", () => {
    const missing = checkGate({ version: "v2", headlineMetric: "ndcg@10", metrics: {} }, null);
    expect(missing.passed).toBe(false);
    expect(missing.message).toMatch(/has no value for ndcg@10/);
    const changed = checkGate(candidate(0.2, "hr@10"), published(0.1, "ndcg@10"));
    expect(changed.passed).toBe(false);
    expect(changed.message).toMatch(/has no hr@10 to compare with.*--metric/);
    // An explicit --metric both versions have makes them comparable again.
    const both = checkGate({ ...candidate(0.2, "hr@10"), metrics: { "hr@10": 0.2, "ndcg@10": 0.1 } }, published(0.1), { metric: "ndcg@10" });
    expect(both.passed).toBe(true);
  });

  it("reads the tolerance from EDGEREC_GATE_TOLERANCE and rejects nonsense", () => {
    expect(toleranceFromEnv({ EDGEREC_GATE_TOLERANCE: "0.05" })).toBe(0.05);
    expect(toleranceFromEnv({})).toBeUndefined();
    expect(() => toleranceFromEnv({ EDGEREC_GATE_TOLERANCE: "five" })).toThrow(/EDGEREC_GATE_TOLERANCE must be a non-negative number/);
  });

  it("reads the headline metric from an artifact file's header and refuses a corrupt file", async () => {
    const file = join(dir, "artifact.bin");
    writeFileSync(file, await tinyArtifact("20261129T010000Z-0000000a", { "ndcg@10": 0.12 }));
    const header = await readArtifactHeader(file);
    expect(header.headlineMetric).toBe("ndcg@10");
    expect(checkGate(header, published(0.13), { tolerance: 0.02 }).passed).toBe(false);
    const bad = join(dir, "bad.bin");
    writeFileSync(bad, "not an artifact at all, just text that is long enough to pass the length check");
    await expect(readArtifactHeader(bad)).rejects.toThrow(/not an edgerec artifact/);
    await expect(readArtifactHeader(join(dir, "absent.bin"))).rejects.toThrow(/cannot read artifact .*ENOENT/);
  });
});

describe("edgerec gate (command)", () => {
  it("exits 0 when good enough and 1 with the reason when worse", async () => {
    const { runEdgerec } = await import("../../../trainer/wrangler/edgerec-cli.ts");
    const oldFile = join(dir, "published.bin");
    const better = join(dir, "better.bin");
    const worse = join(dir, "worse.bin");
    writeFileSync(oldFile, await tinyArtifact("20261128T010000Z-00000001", { "ndcg@10": 0.1 }));
    writeFileSync(better, await tinyArtifact("20261129T010000Z-00000002", { "ndcg@10": 0.1 }));
    writeFileSync(worse, await tinyArtifact("20261129T010000Z-00000003", { "ndcg@10": 0.05 }));
    const ok = JSON.parse(await runEdgerec(["gate", better, "--published-artifact", oldFile, "--json"], { capture: true }));
    expect(ok.passed).toBe(true);
    const failed = await runEdgerec(["gate", worse, "--published-artifact", oldFile, "--tolerance", "0.1"], { capture: true, quietErrors: true }).then(
      () => null,
      (err: Error & { stderr?: string }) => err,
    );
    expect(failed).not.toBeNull();
    expect(failed!.message).toMatch(/exit 1/);
    expect(failed!.stderr).toMatch(/quality gate FAILED: ndcg@10 .*0\.05.*allowed 10%/);
  });
});

describe("catalogue overlap", () => {
  const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `item-${from + i}`);
  const header = (version: string, list: string[]) => ({ version, counts: { items: list.length, users: 1, categories: 0 }, catalogSketch: catalogSketch(list) });

  it("estimates the share of shared item ids from the headers' sketches", () => {
    for (const [a, b, expected] of [
      [ids(0, 5000), ids(0, 5000), 1],
      [ids(0, 5000), ids(2500, 7500), 0.5],
      [ids(0, 5000), ids(4000, 9000), 0.2],
      [ids(0, 3000), ids(0, 1000), 1 / 3],
    ] as const) {
      const o = catalogOverlap({ sketch: catalogSketch(a), items: a.length }, { sketch: catalogSketch(b), items: b.length });
      expect(o.share).toBeGreaterThan(expected - 0.1);
      expect(o.share).toBeLessThan(expected + 0.1);
    }
    // Small catalogues keep every hash: the estimate is exact.
    const exact = catalogOverlap({ sketch: catalogSketch(ids(0, 100)), items: 100 }, { sketch: catalogSketch(ids(60, 160)), items: 100 });
    expect(exact.shared).toBe(40);
  });

  it("refuses to compare barely overlapping catalogues unless told the change is deliberate", () => {
    const published = header("v1", ids(0, 3000));
    expect(checkCatalog(header("v2", ids(100, 3100)), published).passed).toBe(true);
    const other = checkCatalog(header("v2", ids(5000, 8000)), published);
    expect(other.passed).toBe(false);
    expect(other.message).toMatch(/catalogue check FAILED: .* barely share a catalogue .*--allow-new-catalog/);
    expect(checkCatalog(header("v2", ids(5000, 8000)), published, { allowNewCatalog: true }).passed).toBe(true);
    expect(checkCatalog(header("v2", ids(0, 10)), null).passed).toBe(true);
    expect(checkCatalog({ version: "v2", counts: { items: 1, users: 1, categories: 0 } }, published).message).toMatch(/skipped: the new v2 was built before/);
  });
});
