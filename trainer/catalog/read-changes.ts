/**
 * Reads a file of item changes for `edgerec catalog push`: CSV with a header row, or JSON lines.
 * Every row is validated with the worker's own schema (src/artifact/overlay.ts); a bad row is
 * counted and listed with its line number and reason, never dropped silently.
 *
 * Columns / keys: id (required), op (put | patch | delete; default patch), inStock, hidden,
 * price, title, brand, image, url, categories ("A > B > C" in CSV, an array or that string in JSON).
 */
import { readFileSync } from "node:fs";
import { ItemChange, ItemIdSchema, type ItemWrite } from "../../src/artifact/index.ts";
import { forEachCsvRecord } from "../data/csv-records.ts";
import type { RowProblem } from "../data/types.ts";

export interface ChangesRead {
  writes: ItemWrite[];
  rows: number;
  problems: RowProblem[];
}

const BOOLEAN = new Map([
  ["true", true], ["1", true], ["yes", true], ["y", true],
  ["false", false], ["0", false], ["no", false], ["n", false],
]);
const ALIASES: Record<string, string> = { in_stock: "inStock", instock: "inStock", available: "inStock", image_url: "image", imageurl: "image", category: "categories", item: "id", item_id: "id" };

function isJsonLines(file: string, text: string): boolean {
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return true;
  if (/\.csv$/i.test(file)) return false;
  return text.trimStart().startsWith("{");
}

export async function readChanges(file: string): Promise<ChangesRead> {
  const text = readFileSync(file, "utf8");
  return isJsonLines(file, text) ? readJsonLines(file, text) : readCsv(file);
}

function readJsonLines(file: string, text: string): ChangesRead {
  const out: ChangesRead = { writes: [], rows: 0, problems: [] };
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    out.rows++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      out.problems.push({ file, line: i + 1, reason: `not JSON (${(err as Error).message})` });
      return;
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      out.problems.push({ file, line: i + 1, reason: "expected a JSON object per line" });
      return;
    }
    const row = { ...(value as Record<string, unknown>) };
    if (typeof row.categories === "string") row.categories = splitPath(row.categories);
    addRow(out, file, i + 1, row);
  });
  return out;
}

async function readCsv(file: string): Promise<ChangesRead> {
  const out: ChangesRead = { writes: [], rows: 0, problems: [] };
  let header: string[] | undefined;
  await forEachCsvRecord(file, {
    record(fields, line) {
      if (!header) {
        header = fields.map((f) => {
          const key = f.trim();
          return ALIASES[key.toLowerCase()] ?? key;
        });
        if (!header.includes("id")) throw new Error(`${file}:${line}: the header has no "id" column (found: ${header.join(", ")})`);
        return;
      }
      out.rows++;
      const row: Record<string, unknown> = {};
      const problems: string[] = [];
      header.forEach((key, c) => {
        const raw = (fields[c] ?? "").trim();
        if (raw === "") return;
        if (key === "inStock" || key === "hidden") {
          const b = BOOLEAN.get(raw.toLowerCase());
          if (b === undefined) problems.push(`${key} "${raw}" is not true/false`);
          else row[key] = b;
        } else if (key === "price") {
          const n = Number(raw);
          if (!Number.isFinite(n)) problems.push(`price "${raw}" is not a number`);
          else row.price = n;
        } else if (key === "categories") row.categories = splitPath(raw);
        else row[key] = raw;
      });
      if (problems.length) out.problems.push({ file, line, reason: problems.join("; ") });
      else addRow(out, file, line, row);
    },
    bad(line, reason) {
      out.rows++;
      out.problems.push({ file, line, reason });
    },
  });
  return out;
}

function splitPath(path: string): string[] {
  return path.split(">").map((s) => s.trim()).filter(Boolean);
}

function addRow(out: ChangesRead, file: string, line: number, row: Record<string, unknown>): void {
  const { id, op = "patch", ...fields } = row;
  const idOk = ItemIdSchema.safeParse(id);
  if (!idOk.success) {
    out.problems.push({ file, line, reason: `id: ${id === undefined ? "missing" : "must be a string of 1-256 characters"}` });
    return;
  }
  if (op !== "put" && op !== "patch" && op !== "delete") {
    out.problems.push({ file, line, reason: `op "${String(op)}" is not put, patch or delete` });
    return;
  }
  if (op === "delete") {
    out.writes.push({ id: idOk.data, op });
    return;
  }
  const change = ItemChange.safeParse(fields);
  if (!change.success) {
    const reason = change.error.issues.map((i) => `${i.path.join(".") || "row"}: ${i.message}`).join("; ");
    out.problems.push({ file, line, reason });
    return;
  }
  out.writes.push({ id: idOk.data, op, change: change.data });
}
