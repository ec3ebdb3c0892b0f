import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { addDataOptions, dataSpecFromOptions, printReadReports, type DataCliOptions } from "../../../trainer/data/cli-options.ts";
import { InputError } from "../../../trainer/data/types.ts";

function parse(args: string[]): DataCliOptions {
  const cmd = addDataOptions(new Command("x").exitOverride());
  cmd.parse(args, { from: "user" });
  return cmd.opts<DataCliOptions>();
}

describe("shared data CLI options", () => {
  it("turns flags into a DataSpec", () => {
    const spec = dataSpecFromOptions(
      parse(["--interactions", "a.tsv", "b.tsv", "--delimiter", "\\t", "--no-header", "--user-col", "0", "--item-col", "item", "--rating-col", "2", "--duplicates", "max", "--k-core", "5", "--max-error-ratio", "0.05", "--items", "u.item", "--encoding", "latin1", "--user-features", "u.user"]),
    );
    expect(spec).toEqual({
      interactions: ["a.tsv", "b.tsv"],
      format: "auto",
      items: "u.item",
      itemsFormat: "auto",
      columns: { user: 0, item: "item", rating: 2 },
      delimiter: "\t",
      header: false,
      encoding: "latin1",
      duplicates: "max",
      kCore: 5,
      maxErrorRatio: 0.05,
      userFeatures: "u.user",
    });
  });

  it("leaves header sniffing on unless --no-header, and maps given splits", () => {
    const spec = dataSpecFromOptions(parse(["--train", "ua.base", "--test", "ua.test", "--no-catalogue-items"]));
    expect(spec.header).toBeUndefined();
    expect(spec.splits).toEqual({ train: ["ua.base"], dev: undefined, test: ["ua.test"] });
    expect(spec.includeCatalogueItems).toBe(false);
  });

  it("refuses contradictory or missing input", () => {
    expect(() => dataSpecFromOptions(parse([]))).toThrow(InputError);
    expect(() => dataSpecFromOptions(parse(["--test", "t.csv"]))).toThrow(/without --train/);
    expect(() => dataSpecFromOptions(parse(["--interactions", "a", "--train", "b"]))).toThrow(/either --interactions or --train/);
    expect(() => parse(["--interactions", "a", "--max-error-ratio", "2"])).toThrow(/max-error-ratio/);
  });

  it("prints reports with their first problems", () => {
    let out = "";
    const sink = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
    printReadReports([{ file: "f.csv", rowsRead: 10, accepted: 8, duplicatesMerged: 1, rejected: 1, problems: [{ file: "f.csv", line: 4, reason: "rating \"x\" is not a number" }] }], sink);
    expect(out).toBe('f.csv: 10 rows read, 8 accepted, 1 duplicates merged, 1 rejected\n  line 4: rating "x" is not a number\n');
  });
});
