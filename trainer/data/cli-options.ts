import { InvalidArgumentError, Option, type Command } from "commander";
import { formatReadReport } from "./report.ts";
import type { ColumnRef, DataSpec, DuplicateRule, InteractionFormat, ItemsFormat } from "./spec.ts";
import type { TextEncoding } from "./source.ts";
import { InputError, type ReadReport } from "./types.ts";
import { number } from "../util/option-parsers.ts";

/** The options addDataOptions defines, as commander parses them. */
export interface DataCliOptions {
  interactions?: string[];
  format?: InteractionFormat;
  items?: string;
  itemsFormat?: ItemsFormat;
  attributeColumns?: string;
  userCol?: string;
  itemCol?: string;
  ratingCol?: string;
  timeCol?: string;
  delimiter?: string;
  header?: boolean;
  encoding?: TextEncoding;
  duplicates?: DuplicateRule;
  kCore?: number;
  maxErrorRatio?: number;
  ratingScale?: [number, number];
  train?: string[];
  dev?: string[];
  test?: string[];
  userFeatures?: string;
  genres?: string;
  catalogueItems?: boolean;
}


function ratingScale(v: string): [number, number] {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[:,]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(v);
  if (!m || Number(m[1]) >= Number(m[2])) throw new InvalidArgumentError(`--rating-scale must be min:max with min < max, e.g. 1:5, got ${JSON.stringify(v)}`);
  return [Number(m[1]), Number(m[2])];
}

/** Adds the shared data options to a command (train, evaluate, inspect-data, predict…). */
export function addDataOptions(cmd: Command): Command {
  return cmd
    .option("--interactions <files...>", "interaction files read into one dataset (gzip detected automatically)")
    .addOption(new Option("--format <format>", "interaction file format").choices(["auto", "amazon-reviews", "competition-csv", "delimited"]).default("auto"))
    .option("--items <file>", "item catalogue / metadata file")
    .addOption(new Option("--items-format <format>", "catalogue format").choices(["auto", "amazon-meta", "movielens-item", "rechorus-meta", "csv", "json"]).default("auto"))
    .option("--attribute-columns <names>", "catalogue (csv/json) columns whose values are unordered item attributes, comma list, e.g. color,material (a tags/attributes column is read as a set anyway; categories stay a path)")
    .option("--user-col <name|index>", "user id column (header name or 0-based position)")
    .option("--item-col <name|index>", "item id column")
    .option("--rating-col <name|index>", "rating column (optional; 'none' = treat as implicit feedback)")
    .option("--time-col <name|index>", "time column (unix seconds/ms or a date; 'none' = ignore)")
    .option("--delimiter <char>", "field delimiter of delimited files, e.g. '\\t' ',' '|' '::' (sniffed when absent)")
    .option("--no-header", "delimited files have no header line (sniffed when not given)")
    .addOption(new Option("--encoding <enc>", "text encoding of the input").choices(["utf8", "latin1", "auto"]))
    .addOption(new Option("--duplicates <rule>", "repeated (user,item) pairs: keep latest by time, first, last, max rating or mean rating").choices(["latest", "first", "last", "max", "mean"]).default("latest"))
    .option("--k-core <k>", "keep only users and items with >= k interactions (iterative)", number("k-core", { min: 0, max: 1e6 }))
    .option("--max-error-ratio <ratio>", "fail when more than this share of rows is malformed or suspicious", number("max-error-ratio", { min: 0, max: 1 }), 0.01)
    .option("--rating-scale <min:max>", "the ratings' scale, e.g. 1:5; ratings outside it are rejected (inferred from the data when absent)", ratingScale)
    .option("--train <files...>", "given train split (shares ids with --dev/--test)")
    .option("--dev <files...>", "given validation split")
    .option("--test <files...>", "given test split (or an unlabeled competition test.csv)")
    .option("--user-features <file>", "user features file (MovieLens u.user layout)")
    .option("--genres <file>", "MovieLens u.genre (default: next to u.item)")
    .option("--no-catalogue-items", "do not add catalogue items that have no interactions");
}

function columnRef(v: string | undefined): ColumnRef | undefined {
  if (v === undefined) return undefined;
  return /^\d+$/.test(v) ? Number(v) : v;
}

/** Turns escaped delimiters typed on a shell (\t, tab, pipe…) into the character. */
export function parseDelimiter(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const named: Record<string, string> = { "\\t": "\t", tab: "\t", TAB: "\t", comma: ",", pipe: "|", semicolon: ";", space: " " };
  const d = named[v] ?? v;
  if (d.length === 0) throw new InputError("--delimiter must not be empty");
  return d;
}

/** The DataSpec described by parsed addDataOptions options. */
export function dataSpecFromOptions(opts: DataCliOptions): DataSpec {
  const spec: DataSpec = {};
  const hasSplits = Boolean(opts.train?.length || opts.dev?.length || opts.test?.length);
  if (hasSplits) {
    if (!opts.train?.length) throw new InputError("--dev/--test given without --train", undefined, undefined, "pass --train <file>");
    spec.splits = { train: opts.train, dev: opts.dev, test: opts.test };
  }
  if (opts.interactions?.length) {
    if (hasSplits) throw new InputError("use either --interactions or --train/--dev/--test, not both");
    spec.interactions = opts.interactions;
  }
  if (!hasSplits && !opts.interactions?.length) {
    throw new InputError("no input data given", undefined, undefined, "pass --interactions <file...> or --train <file> [--dev <file>] [--test <file>]");
  }
  if (opts.format) spec.format = opts.format;
  if (opts.items) spec.items = opts.items;
  if (opts.itemsFormat) spec.itemsFormat = opts.itemsFormat;
  if (opts.attributeColumns) spec.attributeColumns = opts.attributeColumns.split(",").map((c) => c.trim()).filter(Boolean);
  const columns = { user: columnRef(opts.userCol), item: columnRef(opts.itemCol), rating: columnRef(opts.ratingCol), time: columnRef(opts.timeCol) };
  if (Object.values(columns).some((c) => c !== undefined)) {
    spec.columns = Object.fromEntries(Object.entries(columns).filter(([, c]) => c !== undefined));
  }
  const delimiter = parseDelimiter(opts.delimiter);
  if (delimiter) spec.delimiter = delimiter;
  // commander sets header=true by default for --no-header; only an explicit --no-header overrides sniffing.
  if (opts.header === false) spec.header = false;
  if (opts.encoding) spec.encoding = opts.encoding;
  if (opts.duplicates) spec.duplicates = opts.duplicates;
  if (opts.kCore !== undefined) spec.kCore = opts.kCore;
  if (opts.maxErrorRatio !== undefined) spec.maxErrorRatio = opts.maxErrorRatio;
  if (opts.ratingScale) spec.ratingScale = opts.ratingScale;
  if (opts.userFeatures) spec.userFeatures = opts.userFeatures;
  if (opts.genres) spec.genres = opts.genres;
  if (opts.catalogueItems === false) spec.includeCatalogueItems = false;
  return spec;
}

/** Prints each report (counts + first problems) to stderr. */
export function printReadReports(reports: ReadReport[], stream: NodeJS.WritableStream = process.stderr): void {
  for (const r of reports) stream.write(formatReadReport(r) + "\n");
}
