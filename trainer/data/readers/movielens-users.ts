import { forEachLine } from "../source.ts";
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

/**
 * MovieLens u.user (`id|age|gender|occupation|zip`) as string features per user id:
 * ["age:25-34", "gender:M", "occupation:technician"]. The zip code is left out:
 * too sparse to help and close to identifying.
 */
export async function readUserFeatures(file: string, spec: DataSpec, report: ReportBuilder, progress?: boolean): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const delimiter = spec.delimiter && spec.delimiter !== "\t" ? spec.delimiter : "|";
  await forEachLine(
    file,
    {
      line(text, lineNo) {
        report.rowsRead++;
        const f = text.split(delimiter);
        if (f.length < 4) {
          report.reject(lineNo, `expected id|age|gender|occupation|zip, found ${f.length} fields`);
          return;
        }
        const id = f[0].trim();
        const age = Number(f[1]);
        if (id === "") {
          report.reject(lineNo, "empty user id");
          return;
        }
        const feats: string[] = [];
        if (f[1].trim() !== "" && Number.isFinite(age)) feats.push(ageBucket(age));
        else report.fieldProblem(lineNo, `age ${JSON.stringify(f[1])} is not a number`);
        const gender = f[2].trim();
        if (gender) feats.push(`gender:${gender}`);
        const occupation = f[3].trim();
        if (occupation) feats.push(`occupation:${occupation}`);
        if (out.has(id)) report.duplicatesMerged++;
        else report.accepted++;
        out.set(id, feats);
      },
      bad(lineNo, reason) {
        report.rowsRead++;
        report.reject(lineNo, reason);
      },
    },
    { encoding: spec.encoding ?? "latin1", progress, maxLineBytes: spec.maxLineBytes },
  );
  return out;
}
