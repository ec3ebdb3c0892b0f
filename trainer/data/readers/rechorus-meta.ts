import { forEachLine } from "../source.ts";
import { normaliseName, splitFields } from "../delimited.ts";
import type { ReportBuilder } from "../report.ts";
import type { DataSpec } from "../spec.ts";
import { InputError, type ItemMeta } from "../types.ts";
import { detach } from "../id-space.ts";

/** "[1, 2, 3]" (Python list of ids) → ["1","2","3"]; undefined when malformed. */
export function parseIdList(s: string): string[] | undefined {
  const t = s.trim();
  if (t === "" || t === "[]") return [];
  if (!t.startsWith("[") || !t.endsWith("]")) return undefined;
  const out = t
    .slice(1, -1)
    .split(",")
    .map((x) => detach(x.trim().replace(/^['"]|['"]$/g, "")));
  return out.every((x) => x !== "") ? out : undefined;
}

/**
 * ReChorus item_meta.csv: `item_id,i_category,r_complement,r_substitute`. A non-zero
 * category code becomes the category "cat:<code>"; complements (also_bought) become
 * alsoBuy and substitutes (also_viewed) alsoView.
 */
export async function readRechorusMeta(file: string, spec: DataSpec, report: ReportBuilder, progress?: boolean): Promise<Map<string, ItemMeta>> {
  const out = new Map<string, ItemMeta>();
  let cols: { id: number; cat: number; comp: number; sub: number } | undefined;
  await forEachLine(
    file,
    {
      line(text, lineNo) {
        const f = splitFields(text, ",");
        if (!cols) {
          const h = f.map(normaliseName);
          cols = { id: h.indexOf("itemid"), cat: h.indexOf("icategory"), comp: h.indexOf("rcomplement"), sub: h.indexOf("rsubstitute") };
          if (cols.id < 0) throw new InputError(`missing item_id column; columns found: ${f.join(", ")}`, file, lineNo);
          return;
        }
        report.rowsRead++;
        const id = f[cols.id]?.trim();
        if (!id) {
          report.reject(lineNo, "empty item_id");
          return;
        }
        if (out.has(id)) {
          report.duplicatesMerged++;
          return;
        }
        const meta: ItemMeta = { id: detach(id) };
        if (cols.cat >= 0) {
          const c = (f[cols.cat] ?? "").trim();
          if (c !== "" && c !== "0") meta.categories = [`cat:${c}`];
        }
        for (const [col, key, name] of [[cols.comp, "alsoBuy", "r_complement"], [cols.sub, "alsoView", "r_substitute"]] as const) {
          if (col < 0 || f[col] === undefined) continue;
          const list = parseIdList(f[col]);
          if (!list) report.fieldProblem(lineNo, `${name} ${JSON.stringify(f[col].slice(0, 40))} is not a list of ids`);
          else if (list.length > 0) meta[key] = list;
        }
        out.set(id, meta);
        report.accepted++;
      },
      bad(lineNo, reason) {
        report.rowsRead++;
        report.reject(lineNo, reason);
      },
    },
    { encoding: spec.encoding === "latin1" ? "latin1" : "utf8", progress, maxLineBytes: spec.maxLineBytes },
  );
  return out;
}
