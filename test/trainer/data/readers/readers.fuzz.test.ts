/**
 * The trainer's readers on mutated input files: every non-empty data line is counted and
 * ends up accepted, merged as a duplicate or rejected with its line number — nothing is
 * dropped silently, nothing crashes. Unusable files fail with an InputError naming the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../../../trainer/data/load.ts";
import type { DataSpec } from "../../../../trainer/data/spec.ts";
import { InputError, type ReadReport } from "../../../../trainer/data/types.ts";

const dir = mkdtempSync(join(tmpdir(), "edgerec-readers-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

interface Format {
  name: string;
  header?: string;
  /** A valid data line for row r. */
  row(r: number): string;
  spec(file: string): DataSpec;
  /** Which report belongs to the mutated file. */
  isCatalogue?: boolean;
}

const interactionsTsv: Format = {
  name: "MovieLens-style tab-separated interactions",
  row: (r) => `${r % 7}\t${r % 11}\t${1 + (r % 5)}\t${881250949 + r}`,
  spec: (file) => ({ interactions: [file], format: "delimited", delimiter: "\t", header: false }),
};
const interactionsCsv: Format = {
  name: "CSV interactions with a header",
  header: "user_id,item_id,rating,timestamp",
  row: (r) => `u${r % 7},i${r % 11},${1 + (r % 5)},${1600000000 + r}`,
  spec: (file) => ({ interactions: [file], format: "delimited", delimiter: ",", header: true }),
};
const amazonReviews: Format = {
  name: "Amazon review JSON lines",
  row: (r) => JSON.stringify({ reviewerID: `A${r % 7}`, asin: `B${r % 11}`, overall: 1 + (r % 5), unixReviewTime: 1400000000 + r }),
  spec: (file) => ({ interactions: [file], format: "amazon-reviews" }),
};
const amazonMeta: Format = {
  name: "Amazon metadata JSON lines",
  row: (r) => JSON.stringify({ asin: `B${r}`, title: `Oat Milk ${r}`, brand: "Oatly", category: ["Grocery", "Dairy"], price: `$${r}.99` }),
  spec: (file) => ({ interactions: [join(dir, "base-reviews.jsonl")], format: "amazon-reviews", items: file, itemsFormat: "amazon-meta" }),
  isCatalogue: true,
};
writeFileSync(join(dir, "base-reviews.jsonl"), Array.from({ length: 20 }, (_, r) => amazonReviews.row(r)).join("\n") + "\n");

/** Line-level damage a real export or a bot could produce. */
const damage = fc.oneof(
  fc.record({ kind: fc.constant("replace" as const), text: fc.string({ unit: "binary", maxLength: 60 }) }),
  fc.record({ kind: fc.constant("replace" as const), text: fc.constantFrom("\u0000\u0000", "\"", "{", "}{", "[]", "null", "1", ",,,", "\t\t\t", "\ufeff", "💥,🧨,5,1", "NaN\tNaN\tNaN\tNaN") }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("dropChar" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ unit: "grapheme", maxLength: 8 }) }),
  fc.record({ kind: fc.constant("invalidUtf8" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("long" as const), size: fc.integer({ min: 1000, max: 20_000 }) }),
  fc.record({ kind: fc.constant("duplicate" as const) }),
  fc.record({ kind: fc.constant("crlf" as const) }),
);
type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never;

function applyDamage(line: string, d: Damage): Buffer[] {
  const enc = (s: string) => Buffer.from(s, "utf8");
  switch (d.kind) {
    case "replace":
      return [enc(d.text.replace(/[\r\n]/g, " "))];
    case "cut":
      return [enc(line.slice(0, d.at % (line.length + 1)))];
    case "dropChar": {
      const at = d.at % Math.max(1, line.length);
      return [enc(line.slice(0, at) + line.slice(at + 1))];
    }
    case "insert": {
      const at = d.at % (line.length + 1);
      return [enc(line.slice(0, at) + d.text.replace(/[\r\n]/g, " ") + line.slice(at))];
    }
    case "invalidUtf8": {
      const b = enc(line);
      const at = d.at % (b.length + 1);
      return [Buffer.concat([b.subarray(0, at), Buffer.from([0xff, 0xfe, 0xc3]), b.subarray(at)])];
    }
    case "long":
      return [enc(line + "x".repeat(d.size))];
    case "duplicate":
      return [enc(line), enc(line)];
    case "crlf":
      return [enc(line + "\r")];
  }
}

/** Lines forEachLine hands to a reader: non-empty once a trailing CR (and a leading BOM on line 1) is removed. */
function countDataLines(lines: Buffer[], hasHeader: boolean): number {
  let n = 0;
  lines.forEach((l, i) => {
    let b = l;
    if (b.length > 0 && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
    if (i === 0 && b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
    if (b.length > 0) n++;
  });
  return n - (hasHeader ? 1 : 0);
}

function checkReport(r: ReadReport, totalLines: number): void {
  expect(r.rowsRead).toBe(r.accepted + r.duplicatesMerged + r.rejected);
  expect(r.accepted).toBeGreaterThanOrEqual(0);
  expect(r.problems.length).toBe(Math.min(r.rejected, 50));
  for (const p of r.problems) {
    expect(p.file).toBe(r.file);
    expect(Number.isInteger(p.line) && p.line >= 1 && p.line <= totalLines).toBe(true);
    expect(p.reason.length).toBeGreaterThan(0);
  }
}

async function fuzzFormat(format: Format): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 30, max: 120 }),
      fc.array(fc.tuple(fc.nat(), damage), { minLength: 1, maxLength: 12 }),
      async (nRows, damages) => {
        const rows: Buffer[][] = Array.from({ length: nRows }, (_, r) => [Buffer.from(format.row(r))]);
        for (const [at, d] of damages) rows[at % nRows] = applyDamage(rows[at % nRows][0].toString("utf8"), d);
        const lines = [...(format.header ? [Buffer.from(format.header)] : []), ...rows.flat()];
        const file = join(dir, `f${fileNo++}.txt`);
        writeFileSync(file, Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")])));
        const spec = { ...format.spec(file), maxErrorRatio: 1, includeCatalogueItems: true };
        let dataset;
        try {
          dataset = await loadDataset(spec);
        } catch (err) {
          // Only an explanation of why the whole file is unusable, naming it.
          expect(err).toBeInstanceOf(InputError);
          expect((err as Error).message).toContain(file);
          return;
        }
        const report = dataset.reports.find((r) => r.file === file)!;
        expect(report).toBeDefined();
        expect(report.rowsRead).toBe(countDataLines(lines, Boolean(format.header)));
        for (const r of dataset.reports) checkReport(r, lines.length + 1);
        if (!format.isCatalogue) expect(dataset.interactions.users.length).toBe(report.accepted);
        else expect(dataset.items.filter((m) => m.title !== undefined).length).toBeLessThanOrEqual(report.accepted);
      },
    ),
    { numRuns: 40 },
  );
}

describe("readers on mutated files account for every line", () => {
  for (const format of [interactionsTsv, interactionsCsv, amazonReviews, amazonMeta]) {
    it(format.name, () => fuzzFormat(format));
  }

  it("names the line and the reason of each rejected row", async () => {
    const file = join(dir, "named.tsv");
    writeFileSync(file, ["1\t2\t5\t881250949", "only-one-field", "3\t\t4\t881250950", "4\t5\tfive\t881250951", "1\t2\t5\t881250949"].join("\n"));
    const ds = await loadDataset({ interactions: [file], format: "delimited", delimiter: "\t", header: false, maxErrorRatio: 1 });
    const r = ds.reports[0];
    expect(r).toMatchObject({ rowsRead: 5, accepted: 1, duplicatesMerged: 1, rejected: 3 });
    expect(r.problems.map((p) => p.line)).toEqual([2, 3, 4]);
  });

  it("refuses a file whose rejected share exceeds the limit, quoting the first problems", async () => {
    const file = join(dir, "mostly-bad.tsv");
    writeFileSync(file, ["1\t2\t5\t881250949", "junk", "junk", "junk"].join("\n"));
    await expect(loadDataset({ interactions: [file], format: "delimited", delimiter: "\t", header: false })).rejects.toThrow(/3 of 4 rows rejected[\s\S]*line 2/);
  });
});
