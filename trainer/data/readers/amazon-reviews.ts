import { forEachLine } from "../source.ts";
import { readRecordLine } from "./amazon-meta.ts";
import { parseTime } from "../delimited.ts";
import type { ReaderContext } from "./context.ts";

/** "06 17, 2018" (Amazon reviewTime, MM DD, YYYY) → unix seconds (UTC), NaN when unreadable. */
export function parseReviewTime(s: unknown): number {
  if (typeof s !== "string") return NaN;
  const m = /^(\d{1,2}) (\d{1,2}), (\d{4})$/.exec(s.trim());
  if (!m) return NaN;
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])) / 1000;
}

/** Other spellings accepted for JSON-lines interaction files that are not Amazon's. */
const KEY_ALIASES = {
  user: ["reviewerID", "user_id", "userId", "userid", "user", "uid", "customer_id"],
  item: ["asin", "item_id", "itemId", "itemid", "item", "iid", "product_id", "productId", "sku"],
  rating: ["overall", "rating", "score", "stars"],
  time: ["unixReviewTime", "timestamp", "time", "ts"],
} as const;

function pickKey(rec: Record<string, unknown>, ref: string | number | undefined, role: keyof typeof KEY_ALIASES): string {
  if (typeof ref === "string") return ref;
  return KEY_ALIASES[role].find((k) => k in rec) ?? KEY_ALIASES[role][0];
}

/**
 * Amazon review JSON lines (2018 and 2014 releases; 2014 lines written as Python
 * dicts are accepted too): reviewerID → user, asin → item, overall → rating,
 * unixReviewTime (or reviewTime) → time. Other JSON-lines interaction files work too
 * (user_id/item_id/rating/timestamp and similar keys), and spec.columns can name the keys.
 */
export async function readAmazonReviews(file: string, ctx: ReaderContext): Promise<void> {
  const { report, buf, users, items, spec } = ctx;
  // Keys are settled by the first readable record (Amazon's names unless the file uses others).
  let userKey = "";
  let itemKey = "";
  let ratingKey = "";
  let timeKey = "";
  await forEachLine(
    file,
    {
      line(text, lineNo) {
        const rec = readRecordLine(text, lineNo, report, "JSON object");
        if (!rec) return;
        if (userKey === "") {
          userKey = pickKey(rec, spec.columns?.user, "user");
          itemKey = pickKey(rec, spec.columns?.item, "item");
          ratingKey = pickKey(rec, spec.columns?.rating, "rating");
          timeKey = pickKey(rec, spec.columns?.time, "time");
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
        let time = typeof t === "number" ? (t > 1e11 ? t / 1000 : t) : typeof t === "string" ? parseTime(t.trim()) : NaN;
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
