import { sniffItemsFormat } from "../sniff.ts";
import { assertReadableFile } from "../source.ts";
import type { ReportBuilder } from "../report.ts";
import type { DataSpec } from "../spec.ts";
import type { ItemMeta } from "../types.ts";
import { readAmazonMeta } from "./amazon-meta.ts";
import { readMovieLensItems } from "./movielens-items.ts";
import { readRechorusMeta } from "./rechorus-meta.ts";
import { readTableItems } from "./table-items.ts";

/** Reads a catalogue file into id → metadata (in file order; a repeated id keeps its first record). */
export async function readItemsFile(file: string, spec: DataSpec, report: ReportBuilder, progress?: boolean): Promise<Map<string, ItemMeta>> {
  assertReadableFile(file);
  const format = !spec.itemsFormat || spec.itemsFormat === "auto" ? await sniffItemsFormat(file, spec.encoding) : spec.itemsFormat;
  switch (format) {
    case "amazon-meta":
      return readAmazonMeta(file, spec, report, progress);
    case "movielens-item":
      return readMovieLensItems(file, spec, report, progress);
    case "rechorus-meta":
      return readRechorusMeta(file, spec, report, progress);
    case "json":
      return readTableItems(file, spec, report, progress, "json");
    default:
      return readTableItems(file, spec, report, progress, "csv");
  }
}
