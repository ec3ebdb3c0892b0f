import { forEachCsvRecord } from "../csv-records.ts";
import { COLUMN_ALIASES, normaliseName, parseTime, resolveColumn } from "../delimited.ts";
import { InputError } from "../types.ts";
import type { ReaderContext } from "./context.ts";

/**
 * The competition layout: train.csv (`overall, verified, reviewTime, asin, reviewerName,
 * reviewText, summary, unixReviewTime, vote, style, image, userid, itemid, rating`, maybe an
 * unnamed leading index column) and test.csv (same id columns plus `Id`, no labels).
 * The rating is `overall` (stars) when present, else the 0/1 `rating` label, so a
 * threshold of 4 reproduces the competition's label. Rows of a file with an `Id`
 * column are also returned as test rows, in file order, for `Id,rating` output.
 */
export async function readCompetitionCsv(file: string, ctx: ReaderContext): Promise<void> {
  const { spec, report, buf, users, items } = ctx;
  let header: string[] | undefined;
  let cols: { user: number; item: number; rating: number; time: number; id: number; reviewTime: number } | undefined;
  let testRows: { ids: string[]; users: number[]; items: number[] } | undefined;
  await forEachCsvRecord(
    file,
    {
      record(f, line) {
        if (!cols) {
          header = f.map((h) => h.trim());
          const n = header.length;
          const c = spec.columns ?? {};
          const user = resolveColumn(file, "user", c.user ?? (header.some((h) => normaliseName(h) === "userid") ? "userid" : undefined), header, COLUMN_ALIASES.user, true, n);
          const item = resolveColumn(file, "item", c.item ?? (header.some((h) => normaliseName(h) === "itemid") ? "itemid" : undefined), header, COLUMN_ALIASES.item, true, n);
          const lower = header.map(normaliseName);
          const rating = c.rating !== undefined ? resolveColumn(file, "rating", c.rating, header, [], true, n) : lower.includes("overall") ? lower.indexOf("overall") : lower.indexOf("rating");
          const time = c.time !== undefined ? resolveColumn(file, "time", c.time, header, [], true, n) : lower.indexOf("unixreviewtime");
          cols = { user, item, rating, time, id: header.findIndex((h) => h === "Id" || h.toLowerCase() === "id"), reviewTime: lower.indexOf("reviewtime") };
          if (cols.id >= 0) testRows = ctx.testRows ?? (ctx.testRows = { ids: [], users: [], items: [] });
          if (header.length === 1) {
            throw new InputError(`the header has 1 column (${JSON.stringify(header[0].slice(0, 60))}); is this a comma-separated file?`, file, 1);
          }
          return;
        }
        report.rowsRead++;
        const u = (f[cols.user] ?? "").trim();
        const i = (f[cols.item] ?? "").trim();
        if (f.length < header!.length) {
          report.reject(line, `expected ${header!.length} columns, found ${f.length}`);
          return;
        }
        if (u === "" || i === "") {
          report.reject(line, u === "" ? "empty user id" : "empty item id");
          return;
        }
        let rating = NaN;
        if (cols.rating >= 0) {
          const raw = f[cols.rating].trim();
          rating = Number(raw);
          if (raw === "" || !Number.isFinite(rating)) {
            report.reject(line, `rating ${JSON.stringify(raw.slice(0, 40))} is not a number`);
            return;
          }
        }
        let time = cols.time >= 0 ? parseTime(f[cols.time].trim()) : NaN;
        if (Number.isNaN(time) && cols.reviewTime >= 0) {
          const m = /^(\d{1,2}) (\d{1,2}), (\d{4})$/.exec(f[cols.reviewTime].trim());
          if (m) time = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])) / 1000;
        }
        const ui = users.intern(u);
        const ii = items.intern(i);
        buf.push(ui, ii, rating, time, line);
        if (testRows) {
          testRows.ids.push(f[cols.id].trim());
          testRows.users.push(ui);
          testRows.items.push(ii);
        }
        report.accepted++;
      },
      bad(line, reason) {
        report.rowsRead++;
        report.reject(line, reason);
      },
    },
    { delimiter: spec.delimiter, encoding: spec.encoding, maxRecordBytes: spec.maxLineBytes, progress: ctx.progress },
  );
}
