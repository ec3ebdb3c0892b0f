import { forEachLine } from "../source.ts";
import { parsePythonLiteral } from "../python-literal.ts";
import { categoryPath, cleanText, cleanTitle, checkedUrl, firstString, idList, parsePrice } from "../item-fields.ts";
import type { ReportBuilder } from "../report.ts";
import type { DataSpec } from "../spec.ts";
import type { ItemMeta } from "../types.ts";

/** One record line: JSON (2018 release) or a Python dict literal (2014 release, `{'asin': …}`). */
export function parseRecordLine(text: string): Record<string, unknown> {
  const t = text.trimStart();
  const v = t.startsWith("{'") || t.startsWith("{u'") ? parsePythonLiteral(t) : JSON.parse(t);
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new SyntaxError("not an object");
  return v as Record<string, unknown>;
}

/** Counts one read line and parses it; an unreadable line is rejected (line and reason) and gives undefined. */
export function readRecordLine(text: string, lineNo: number, report: ReportBuilder, expected: string): Record<string, unknown> | undefined {
  report.rowsRead++;
  try {
    return parseRecordLine(text);
  } catch (err) {
    report.reject(lineNo, `not a ${expected}: ${(err as Error).message.slice(0, 120)}`);
    return undefined;
  }
}

/**
 * Maps one Amazon metadata record (2018: category, also_buy, also_view, image |
 * imageURL; 2014: categories [[…]], related.{also_bought, also_viewed}, imUrl)
 * to ItemMeta, reporting fields it refuses.
 */
export function amazonRecordToItem(rec: Record<string, unknown>, fieldProblem: (reason: string) => void): ItemMeta {
  const meta: ItemMeta = { id: String(rec.asin).trim() };
  const title = cleanTitle(rec.title);
  if (title.value) meta.title = title.value;
  else if (title.problem) fieldProblem(title.problem);
  const brand = cleanText(rec.brand, 200);
  if (brand) meta.brand = brand;
  let cats = categoryPath(rec.category);
  if (!cats && Array.isArray(rec.categories)) {
    // 2014: a list of category paths; the first is the primary one.
    const firstPath = rec.categories.find((p) => Array.isArray(p) && p.length > 0);
    cats = categoryPath(firstPath);
  }
  if (!cats && typeof rec.main_cat === "string") cats = categoryPath([rec.main_cat]);
  if (cats) meta.categories = cats;
  const price = parsePrice(rec.price);
  if (price.value !== undefined) meta.price = price.value;
  else if (price.problem) fieldProblem(price.problem);
  const description = cleanText(rec.description);
  if (description) meta.description = description;
  const image = firstString(rec.image) ?? firstString(rec.imageURL) ?? firstString(rec.imageURLHighRes) ?? firstString(rec.imUrl);
  const safeImage = checkedUrl(image, "image", fieldProblem);
  if (safeImage) meta.imageUrl = safeImage;
  // Not an Amazon field, but stores exporting this layout add their product page URL.
  const url = checkedUrl(firstString(rec.url), "url", fieldProblem);
  if (url) meta.url = url;
  const related = rec.related && typeof rec.related === "object" ? (rec.related as Record<string, unknown>) : {};
  const alsoBuy = idList(rec.also_buy) ?? idList(related.also_bought);
  if (alsoBuy) meta.alsoBuy = alsoBuy;
  const alsoView = idList(rec.also_view) ?? idList(related.also_viewed);
  if (alsoView) meta.alsoView = alsoView;
  return meta;
}

/**
 * Amazon product metadata, JSON lines (2018) or Python-literal lines (2014).
 * A repeated asin keeps its first record (the Magazine file repeats 1,065 rows).
 */
export async function readAmazonMeta(file: string, spec: DataSpec, report: ReportBuilder, progress?: boolean): Promise<Map<string, ItemMeta>> {
  const out = new Map<string, ItemMeta>();
  await forEachLine(
    file,
    {
      line(text, lineNo) {
        const rec = readRecordLine(text, lineNo, report, "JSON or Python-literal object");
        if (!rec) return;
        if (typeof rec.asin !== "string" && typeof rec.asin !== "number") {
          report.reject(lineNo, "record has no asin");
          return;
        }
        const id = String(rec.asin).trim();
        if (out.has(id)) {
          report.duplicatesMerged++;
          return;
        }
        out.set(id, amazonRecordToItem(rec, (reason) => report.fieldProblem(lineNo, reason)));
        report.accepted++;
      },
      bad(lineNo, reason) {
        report.rowsRead++;
        report.reject(lineNo, reason);
      },
    },
    { encoding: spec.encoding ?? "utf8", progress, maxLineBytes: spec.maxLineBytes },
  );
  return out;
}
