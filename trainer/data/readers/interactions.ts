import { sniffInteractionFormat } from "../sniff.ts";
import { assertReadableFile } from "../source.ts";
import type { ReaderContext } from "./context.ts";
import { readAmazonReviews } from "./amazon-reviews.ts";
import { readCompetitionCsv } from "./competition-csv.ts";
import { readDelimitedInteractions } from "./delimited-interactions.ts";

/** Reads one interaction file in the spec's format (sniffed when 'auto'). */
export async function readInteractionFile(file: string, ctx: ReaderContext): Promise<void> {
  assertReadableFile(file);
  const format = !ctx.spec.format || ctx.spec.format === "auto" ? await sniffInteractionFormat(file, ctx.spec.encoding) : ctx.spec.format;
  switch (format) {
    case "amazon-reviews":
      return readAmazonReviews(file, ctx);
    case "competition-csv":
      return readCompetitionCsv(file, ctx);
    default:
      return readDelimitedInteractions(file, ctx);
  }
}
