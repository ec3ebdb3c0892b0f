/**
 * Readers flag values that parse but look wrong: an extra CSV column, a rating outside the file's
 * scale (inferred, or --rating-scale), a time in the year 5138. Each is counted and reported with
 * its line number, and they count towards --max-error-ratio.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dataSpecFromOptions } from "../../../trainer/data/cli-options.ts";
import { loadDataset } from "../../../trainer/data/load.ts";
import { formatReadReport } from "../../../trainer/data/report.ts";
import { InputError } from "../../../trainer/data/types.ts";

const dir = mkdtempSync(join(tmpdir(), "edgerec-suspicious-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const YEAR_5138 = Math.round((5138 - 1970) * 365.25 * 86400);

/** 200 good rows (ratings 1–5, times in 2020), then the four odd ones; returns the file and their line numbers. */
function ratingsFile(): { file: string; lines: Record<string, number> } {
  const rows = ["user,item,rating,time"];
  for (let k = 0; k < 200; k++) rows.push(`u${k % 20},i${(k * 7) % 50},${1 + (k % 5)},${1_600_000_000 + k}`);
  const lines: Record<string, number> = {};
  const add = (name: string, row: string) => {
    rows.push(row);
    lines[name] = rows.length; // 1-based line number
  };
  add("extra", "u1,i3,4,1600000500,oops");
  add("high", "u2,i4,99,1600000501");
  add("negative", "u3,i5,-3,1600000502");
  add("future", `u4,i6,5,${YEAR_5138}`);
  const file = join(dir, `ratings-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, rows.join("\n") + "\n");
  return { file, lines };
}

describe("suspicious values in interaction files", () => {
  it("rejects out-of-scale ratings and flags an extra column and an implausible time, each with its line", async () => {
    const { file, lines } = ratingsFile();
    const data = await loadDataset({ interactions: [file], maxErrorRatio: 0.05 });
    const [report] = data.reports;
    expect(report.rowsRead).toBe(204);
    expect(report.rejected).toBe(2);
    expect(report.problems).toEqual([
      { file, line: lines.high, reason: expect.stringMatching(/rating 99 is outside the 1–5 scale \(inferred from the file; pass --rating-scale/) },
      { file, line: lines.negative, reason: expect.stringMatching(/rating -3 is outside the 1–5 scale/) },
    ]);
    expect(report.suspicious).toBe(2);
    expect(report.suspiciousIssues).toEqual([
      { file, line: lines.extra, reason: "5 fields where the header names 4; the extra ones are ignored" },
      { file, line: lines.future, reason: expect.stringMatching(/year 5138\) is in the future; kept without time/) },
    ]);
    expect(report.accepted + report.duplicatesMerged).toBe(202);
    expect(formatReadReport(report)).toMatch(/2 rejected, 2 suspicious/);
    expect(formatReadReport(report)).toContain(`line ${lines.future} (suspicious, kept)`);
  });

  it("counts them towards --max-error-ratio", async () => {
    const { file } = ratingsFile();
    // 4 of 204 rows = 2%: over the default 1%.
    const err = await loadDataset({ interactions: [file] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/2 of 204 rows rejected and 2 suspicious \(2\.0% > allowed 1\.0%\)/);
  });

  it("--rating-scale sets the scale instead of inferring it", async () => {
    const { file, lines } = ratingsFile();
    const spec = dataSpecFromOptions({ interactions: [file], ratingScale: [0, 100], maxErrorRatio: 0.05 });
    const [report] = (await loadDataset(spec)).reports;
    expect(report.problems).toEqual([{ file, line: lines.negative, reason: "rating -3 is outside the 0–100 scale (--rating-scale)" }]);
  });
});
