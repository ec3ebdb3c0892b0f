import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, constants as zlibConstants } from "node:zlib";
import { SAMPLE_MANIFEST_FILE } from "../sample/amazon-files.ts";

/**
 * Turns `npm start -- --data <dir>` into `edgerec train` data options by recognising the
 * layouts docs/training.md describes: the sample store, Amazon 2014/2018 review + meta
 * files, MovieLens 100k, given train/dev/test splits, and the competition's train.csv.
 */
export function dataArgsForDir(dir: string): { args: string[]; layout: string } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`--data ${dir}: not a directory (point it at a folder with your export, or pass --interactions/--items directly)`);
  }
  const files = readdirSync(dir).sort();
  const find = (re: RegExp) => files.find((f) => re.test(f));
  const path = (f: string) => join(dir, f);

  if (files.includes(SAMPLE_MANIFEST_FILE)) {
    const m = JSON.parse(readFileSync(path(SAMPLE_MANIFEST_FILE), "utf8")) as { reviews: string; meta: string };
    return { args: ["--interactions", path(m.reviews), "--items", path(m.meta)], layout: "sample store" };
  }
  const meta = find(/^meta.*\.json(\.gz)?$/i);
  const reviews = find(/(_5|reviews.*)\.json(\.gz)?$/i) ?? files.find((f) => /\.json(l)?(\.gz)?$/i.test(f) && f !== meta);
  if (reviews && /\.json/i.test(reviews)) {
    return { args: ["--interactions", path(reviews), ...(meta ? ["--items", path(meta)] : [])], layout: "Amazon reviews (JSON lines)" };
  }
  const uData = find(/^u\.data(\.gz)?$/);
  if (uData) {
    const uItem = find(/^u\.item(\.gz)?$/);
    const uUser = find(/^u\.user(\.gz)?$/);
    return {
      args: ["--interactions", path(uData), ...(uItem ? ["--items", path(uItem)] : []), ...(uUser ? ["--user-features", path(uUser)] : [])],
      layout: "MovieLens 100k",
    };
  }
  const train = find(/^train\.csv(\.gz)?$/i);
  if (train) {
    const dev = find(/^dev\.csv(\.gz)?$/i);
    const test = find(/^test\.csv(\.gz)?$/i);
    const items = find(/^item_meta\.csv(\.gz)?$/i) ?? meta;
    const header = readHeader(path(train));
    if (/\buserid\b/i.test(header) && /\bitemid\b/i.test(header)) {
      // The competition layout: test.csv has no labels, so only train.csv trains.
      return { args: ["--interactions", path(train), "--format", "competition-csv", ...(items ? ["--items", path(items)] : [])], layout: "competition CSV" };
    }
    return {
      args: ["--train", path(train), ...(dev ? ["--dev", path(dev)] : []), ...(test ? ["--test", path(test)] : []), ...(items ? ["--items", path(items)] : [])],
      layout: "train/dev/test splits",
    };
  }
  throw new Error(
    `--data ${dir}: no known layout among ${files.slice(0, 12).join(", ") || "(empty)"}. ` +
      `Expected Amazon *_5.json(.gz) + meta_*.json(.gz), MovieLens u.data + u.item, or train.csv; ` +
      `or pass the files yourself: npm start -- --interactions <file> --items <file>`,
  );
}

/** First line of a (possibly gzipped) file, reading only its first 64 KiB. */
function readHeader(file: string): string {
  const fd = openSync(file, "r");
  const head = Buffer.alloc(65536);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  let bytes = head.subarray(0, n);
  // A cut gzip stream still inflates up to the cut with SYNC_FLUSH.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  return bytes.subarray(0, 4096).toString("utf8").split(/\r?\n/)[0];
}
