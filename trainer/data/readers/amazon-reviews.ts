import { forEachLine } from "../source.ts";
import { parseRecordLine } from "./amazon-meta.ts";
import type { ReaderContext } from "./context.ts";

/** "06 17, 2018" (Amazon reviewTime, MM DD, YYYY) → unix seconds (UTC), NaN when unreadable. */
export function parseReviewTime(s: unknown): number {
  if (typeof s !== "string") return NaN;
  const m = /^(\d{1,2}) (\d{1,2}), (\d{4})$/.exec(s.trim());
  if (!m) return NaN;
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])) / 1000;
}

function key(ref: string | number | undefined, fallback: string): string {
  return typeof ref === "string" ? ref : fallback;
}

/**
 * Amazon review JSON lines (2018 and 2014 releases; 2014 lines written as Python
 * dicts are accepted too): reviewerID → user, asin → item, overall → rating,
 * unixReviewTime (or reviewTime) → time. Column names can be overridden via spec.columns.
 */
export async function readAmazonReviews(file: string, ctx: ReaderContext): Promise<void> {
  const { report, buf, users, items, spec } = ctx;
  const userKey = key(spec.columns?.user, "reviewerID");
  const itemKey = key(spec.columns?.item, "asin");
  const ratingKey = key(spec.columns?.rating, "overall");
  const timeKey = key(spec.columns?.time, "unixReviewTime");
  await forEachLine(
    file,
    {
      line(text, lineNo) {
        report.rowsRead++;
        let rec: Record<string, unknown>;
        try {
          rec = parseRecordLine(text);
        } catch (err) {
          report.reject(lineNo, `not a JSON object: ${(err as Error).message.slice(0, 120)}`);
          return;
        }
        const u = rec[userKey];
        const i = rec[itemKey];
        if ((typeof u !== "string" && typeof u !== "number") || String(u).trim() === "") {
          report.reject(lineNo, `missing ${userKey}`);
          return;
        }
        if ((typeof i !== "string" && typeof i !== "number") || String(i).trim() === "") {
          report.reject(lineNo, `missing ${itemKey}`);
          return;
        }
        let rating = NaN;
        const r = rec[ratingKey];
        if (r !== undefined && r !== null) {
          rating = typeof r === "number" ? r : typeof r === "string" && r.trim() !== "" ? Number(r) : NaN;
          if (!Number.isFinite(rating)) {
            report.reject(lineNo, `${ratingKey} ${JSON.stringify(r).slice(0, 40)} is not a number`);
            return;
          }
        }
        const t = rec[timeKey];
        let time = typeof t === "number" ? t : typeof t === "string" && t.trim() !== "" ? Number(t) : NaN;
        if (Number.isNaN(time)) time = parseReviewTime(rec.reviewTime);
        if (Number.isNaN(time) && (t !== undefined || rec.reviewTime !== undefined)) report.fieldProblem(lineNo, "unreadable review time; kept without time");
        buf.push(users.intern(String(u).trim()), items.intern(String(i).trim()), rating, time, lineNo);
        report.accepted++;
      },
      bad(lineNo, reason) {
        report.rowsRead++;
        report.reject(lineNo, reason);
      },
    },
    { encoding: spec.encoding ?? "utf8", progress: ctx.progress, maxLineBytes: spec.maxLineBytes },
  );
}
