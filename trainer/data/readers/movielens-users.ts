import { forEachLine, peekLines } from "../source.ts";
import { COLUMN_ALIASES, normaliseName, sniffDelimiter, splitFields } from "../delimited.ts";
import type { ReportBuilder } from "../report.ts";
import type { DataSpec } from "../spec.ts";

/** Age buckets as in MovieLens 1M's own grouping, so 100k and 1M users look alike. */
export function ageBucket(age: number): string {
  if (age < 18) return "age:<18";
  if (age < 25) return "age:18-24";
  if (age < 35) return "age:25-34";
  if (age < 45) return "age:35-44";
  if (age < 50) return "age:45-49";
  if (age < 56) return "age:50-55";
  return "age:56+";
}

/** Columns that identify a person more than they describe a taste; never turned into features. */
const SKIPPED = new Set(["zip", "zipcode", "postcode", "postalcode", "email", "name", "phone"]);

/**
 * User features as strings per user id.
 * - MovieLens u.user (`id|age|gender|occupation|zip`, no header; 1M users.dat `id::gender::age::occupation::zip`):
 *   ["age:25-34", "gender:M", "occupation:technician"]; the zip code is left out
 *   (too sparse to help, close to identifying).
 * - A delimited file with a header and a user id column: every other column becomes
 *   "<column>:<value>" (an `age` column is bucketed as above; empty values are skipped).
 */
export async function readUserFeatures(file: string, spec: DataSpec, report: ReportBuilder, progress?: boolean): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const head = await peekLines(file, 10, "latin1");
  const delimiter = sniffDelimiter(head) ?? "|";
  // MovieLens 1M users.dat: UserID::Gender::Age::Occupation(code)::Zip
  const ml1m = delimiter === "::";
  const firstFields = splitFields(head[0] ?? "", delimiter).map(normaliseName);
  const idCol = firstFields.findIndex((h) => (COLUMN_ALIASES.user as readonly string[]).includes(h) || h === "id");
  const hasHeader = idCol >= 0;
  const names = hasHeader
    ? splitFields(head[0], delimiter).map((h) => h.trim())
    : ml1m
      ? ["id", "gender", "age", "occupation", "zip"]
      : ["id", "age", "gender", "occupation", "zip"];
  const id = hasHeader ? idCol : 0;
  const norm = names.map(normaliseName);
  let first = true;
  await forEachLine(
    file,
    {
      line(text, lineNo) {
        if (first) {
          first = false;
          if (hasHeader) return;
        }
        report.rowsRead++;
        const f = splitFields(text, delimiter);
        if (f.length < Math.min(names.length, 2) || (!hasHeader && f.length < 4)) {
          report.reject(lineNo, hasHeader ? `expected ${names.length} fields, found ${f.length}` : `expected ${names.join(delimiter)}, found ${f.length} fields`);
          return;
        }
        const userId = (f[id] ?? "").trim();
        if (userId === "") {
          report.reject(lineNo, "empty user id");
          return;
        }
        const feats: string[] = [];
        for (let c = 0; c < f.length && c < names.length; c++) {
          if (c === id || SKIPPED.has(norm[c])) continue;
          const v = f[c].trim();
          if (v === "") continue;
          if (norm[c] === "age") {
            const age = Number(v);
            if (Number.isFinite(age)) feats.push(ageBucket(age));
            else report.fieldProblem(lineNo, `age ${JSON.stringify(v.slice(0, 20))} is not a number`);
          } else feats.push(`${norm[c]}:${v}`);
        }
        if (out.has(userId)) report.duplicatesMerged++;
        else report.accepted++;
        out.set(userId, feats);
      },
      bad(lineNo, reason) {
        report.rowsRead++;
        report.reject(lineNo, reason);
      },
    },
    { encoding: spec.encoding ?? "auto", progress, maxLineBytes: spec.maxLineBytes },
  );
  return out;
}
