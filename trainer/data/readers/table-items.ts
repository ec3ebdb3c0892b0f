import { forEachCsvRecord } from "../csv-records.ts";
import { normaliseName, sniffDelimiter } from "../delimited.ts";
import { attributeSet, categoryPath, cleanText, cleanTitle, checkedUrl, firstString, idList, parsePrice } from "../item-fields.ts";
import { forEachLine, openByteStream, peekLines } from "../source.ts";
import type { ReportBuilder } from "../report.ts";
import type { DataSpec } from "../spec.ts";
import { InputError, type ItemMeta } from "../types.ts";

/** Accepted names (after normaliseName) of each catalogue field. */
const FIELD_ALIASES: Record<keyof Omit<ItemMeta, "id"> | "id", string[]> = {
  id: ["id", "itemid", "item", "asin", "productid", "sku", "movieid", "iid"],
  title: ["title", "name", "productname", "itemname"],
  brand: ["brand", "manufacturer", "vendor"],
  categories: ["categories", "category", "genres", "genre", "categorypath"],
  attributes: ["attributes", "tags", "tag", "attributeset", "labels"],
  price: ["price"],
  description: ["description", "desc"],
  imageUrl: ["image", "imageurl", "img", "imurl", "thumbnail"],
  url: ["url", "link", "producturl"],
  alsoBuy: ["alsobuy", "alsobought"],
  alsoView: ["alsoview", "alsoviewed"],
};

function splitCategories(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return categoryPath(v.flat(2));
  if (typeof v !== "string" || v.trim() === "") return undefined;
  const s = v.trim();
  if (s.startsWith("[")) {
    try {
      return splitCategories(JSON.parse(s));
    } catch {
      /* not JSON: fall through to separators */
    }
  }
  const sep = s.includes(">") ? ">" : s.includes("|") ? "|" : s.includes(";") ? ";" : s.includes("/") && !s.includes(" ") ? "/" : undefined;
  return categoryPath(sep ? s.split(sep) : [s]);
}

function splitIds(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return idList(v);
  if (typeof v !== "string" || v.trim() === "") return undefined;
  const s = v.trim().replace(/^\[|\]$/g, "");
  return idList(s.split(/[,|; ]+/).map((x) => x.replace(/^['"]|['"]$/g, "")).filter(Boolean));
}

/**
 * Builds ItemMeta from a record whose keys are already mapped to field names. `extra` holds the
 * values of the --attribute-columns: each becomes the attribute `column:value`.
 */
function toItem(get: (field: keyof typeof FIELD_ALIASES) => unknown, fieldProblem: (r: string) => void, extra: Array<[string, unknown]> = []): ItemMeta | undefined {
  const rawId = get("id");
  if ((typeof rawId !== "string" && typeof rawId !== "number") || String(rawId).trim() === "") return undefined;
  const meta: ItemMeta = { id: String(rawId).trim() };
  const title = cleanTitle(get("title") === undefined ? undefined : String(get("title")));
  if (title.value) meta.title = title.value;
  else if (title.problem) fieldProblem(title.problem);
  const brand = cleanText(get("brand"), 200);
  if (brand) meta.brand = brand;
  const cats = splitCategories(get("categories"));
  if (cats) meta.categories = cats;
  const attributes = [...(attributeSet(get("attributes")) ?? []), ...extra.flatMap(([column, v]) => (attributeSet(v) ?? []).map((a) => `${column}:${a}`))];
  if (attributes.length) meta.attributes = [...new Set(attributes)];
  const price = parsePrice(get("price"));
  if (price.value !== undefined) meta.price = price.value;
  else if (price.problem) fieldProblem(price.problem);
  const description = cleanText(get("description"));
  if (description) meta.description = description;
  const image = checkedUrl(firstString(get("imageUrl")), "image", fieldProblem);
  if (image) meta.imageUrl = image;
  const url = checkedUrl(firstString(get("url")), "url", fieldProblem);
  if (url) meta.url = url;
  const alsoBuy = splitIds(get("alsoBuy"));
  if (alsoBuy) meta.alsoBuy = alsoBuy;
  const alsoView = splitIds(get("alsoView"));
  if (alsoView) meta.alsoView = alsoView;
  return meta;
}

function fieldIndex(names: string[]): Map<keyof typeof FIELD_ALIASES, number | string> {
  const out = new Map<keyof typeof FIELD_ALIASES, number | string>();
  const norm = names.map(normaliseName);
  for (const [field, aliases] of Object.entries(FIELD_ALIASES) as [keyof typeof FIELD_ALIASES, string[]][]) {
    for (const a of aliases) {
      const k = norm.indexOf(a);
      if (k !== -1) {
        out.set(field, k);
        break;
      }
    }
  }
  return out;
}

/**
 * A catalogue as a delimited table (header required) or as JSON (lines of objects,
 * or one array), with any of the columns id/title/brand/categories/price/description/
 * image/url/also_buy/also_view (common aliases accepted; categories "A > B" or "A|B").
 */
export async function readTableItems(file: string, spec: DataSpec, report: ReportBuilder, progress: boolean | undefined, kind: "csv" | "json"): Promise<Map<string, ItemMeta>> {
  const out = new Map<string, ItemMeta>();
  const add = (meta: ItemMeta | undefined, line: number) => {
    if (!meta) {
      report.reject(line, "record has no item id");
      return;
    }
    if (out.has(meta.id)) {
      report.duplicatesMerged++;
      return;
    }
    out.set(meta.id, meta);
    report.accepted++;
  };
  const encoding = spec.encoding === "latin1" ? "latin1" : "utf8";
  const attributeColumns = spec.attributeColumns ?? [];
  const extraOf = (rec: Record<string, unknown>): Array<[string, unknown]> => attributeColumns.map((c) => [c, rec[c]]);

  if (kind === "json") {
    const head = await peekLines(file, 1, encoding);
    if ((head[0] ?? "").trimStart().startsWith("[")) {
      // A single JSON array cannot be streamed line by line; it is read whole (catalogues are small next to interactions).
      const parts: Buffer[] = [];
      const { stream, finish } = openByteStream(file, { progress });
      try {
        for await (const chunk of stream) parts.push(chunk);
      } finally {
        finish();
      }
      const text = Buffer.concat(parts).toString(encoding);
      let arr: unknown;
      try {
        arr = JSON.parse(text);
      } catch (err) {
        throw new InputError(`not valid JSON: ${(err as Error).message}`, file);
      }
      if (!Array.isArray(arr)) throw new InputError("expected a JSON array of item objects", file);
      arr.forEach((rec, k) => {
        report.rowsRead++;
        if (!rec || typeof rec !== "object") return report.reject(k + 1, "array element is not an object");
        const keys = Object.keys(rec);
        const idx = fieldIndex(keys);
        add(toItem((f) => (idx.has(f) ? (rec as Record<string, unknown>)[keys[idx.get(f) as number]] : undefined), (r) => report.fieldProblem(k + 1, r), extraOf(rec as Record<string, unknown>)), k + 1);
      });
      return out;
    }
    await forEachLine(
      file,
      {
        line(text, lineNo) {
          report.rowsRead++;
          let rec: unknown;
          try {
            rec = JSON.parse(text);
          } catch (err) {
            return report.reject(lineNo, `not valid JSON: ${(err as Error).message.slice(0, 120)}`);
          }
          if (!rec || typeof rec !== "object" || Array.isArray(rec)) return report.reject(lineNo, "line is not a JSON object");
          const keys = Object.keys(rec);
          const idx = fieldIndex(keys);
          add(toItem((f) => (idx.has(f) ? (rec as Record<string, unknown>)[keys[idx.get(f) as number]] : undefined), (r) => report.fieldProblem(lineNo, r), extraOf(rec as Record<string, unknown>)), lineNo);
        },
        bad(lineNo, reason) {
          report.rowsRead++;
          report.reject(lineNo, reason);
        },
      },
      { encoding, progress, maxLineBytes: spec.maxLineBytes },
    );
    return out;
  }

  const head = await peekLines(file, 10, encoding);
  const delimiter = spec.delimiter ?? sniffDelimiter(head) ?? ",";
  let idx: Map<keyof typeof FIELD_ALIASES, number | string> | undefined;
  let extraColumns: number[] = [];
  await forEachCsvRecord(
    file,
    {
      record(f, line) {
        if (!idx) {
          idx = fieldIndex(f);
          if (!idx.has("id")) {
            throw new InputError(`missing item id column (looked for ${FIELD_ALIASES.id.join(", ")}); columns found: ${f.join(", ")}`, file, line,
              "the catalogue needs a header with an id column");
          }
          const missing = attributeColumns.filter((c) => !f.includes(c));
          if (missing.length) throw new InputError(`--attribute-columns: no column ${missing.map((c) => JSON.stringify(c)).join(", ")}; columns found: ${f.join(", ")}`, file, line, "name catalogue header columns exactly");
          extraColumns = attributeColumns.map((c) => f.indexOf(c));
          return;
        }
        report.rowsRead++;
        const m = idx;
        add(toItem((field) => (m.has(field) ? f[m.get(field) as number] : undefined), (r) => report.fieldProblem(line, r), attributeColumns.map((c, k) => [c, f[extraColumns[k]]])), line);
      },
      bad(line, reason) {
        report.rowsRead++;
        report.reject(line, reason);
      },
    },
    { delimiter, encoding, maxRecordBytes: spec.maxLineBytes, progress },
  );
  return out;
}
