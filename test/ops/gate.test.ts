import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readArtifactHeader } from "../../trainer/ops/artifact-header.ts";
import { checkGate, lowerIsBetter, toleranceFromEnv } from "../../trainer/ops/gate.ts";
import { tinyArtifact } from "./helpers/tiny-artifact.ts";

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
    const { runEdgerec } = await import("../../trainer/ops/edgerec-cli.ts");
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
