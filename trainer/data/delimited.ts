import { InputError } from "./types.ts";
import type { ColumnRef } from "./spec.ts";

/** Candidate delimiters, most specific first ("::" is MovieLens 1M/10M). */
export const DELIMITER_CANDIDATES = ["\t", "::", "|", ",", ";"] as const;

/** Splits one line into fields; handles "quoted, fields" and "" escapes when quotes appear. */
export function splitFields(line: string, delimiter: string): string[] {
  if (line.indexOf('"') === -1) return line.split(delimiter);
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  const dl = delimiter.length;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q === -1) {
          value += line.slice(j);
          j = n;
          break;
        }
        value += line.slice(j, q);
        if (line[q + 1] === '"') {
          value += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      const d = line.indexOf(delimiter, j);
      if (d === -1) {
        out.push(value + line.slice(j));
        return out;
      }
      out.push(value + line.slice(j, d));
      i = d + dl;
    } else {
      const d = line.indexOf(delimiter, i);
      if (d === -1) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, d));
      i = d + dl;
    }
    if (i > n) return out;
  }
}

/**
 * The first `count` fields of a line into `out` (reused between lines to spare
 * allocations); falls back to the quote-aware split when the line has quotes.
 */
export function splitFirst(line: string, delimiter: string, count: number, out: string[]): string[] {
  if (line.indexOf('"') !== -1) return splitFields(line, delimiter);
  out.length = 0;
  let pos = 0;
  const dl = delimiter.length;
  while (out.length < count) {
    const d = line.indexOf(delimiter, pos);
    if (d === -1) {
      out.push(line.slice(pos));
      break;
    }
    out.push(line.slice(pos, d));
    pos = d + dl;
  }
  return out;
}

function describe(d: string): string {
  return d === "\t" ? "'\\t'" : `'${d}'`;
}

/**
 * Picks the delimiter that splits the sample lines into the same number (>= 2) of
 * fields most consistently. Undefined when none does.
 */
export function sniffDelimiter(lines: string[]): string | undefined {
  const sample = lines.filter((l) => l.length > 0).slice(0, 20);
  if (sample.length === 0) return undefined;
  let best: string | undefined;
  let bestScore = 0;
  for (const d of DELIMITER_CANDIDATES) {
    const counts = sample.map((l) => splitFields(l, d).length);
    const first = counts[0];
    if (first < 2) continue;
    const agree = counts.filter((c) => c === first).length / counts.length;
    const score = agree * 10 + Math.min(first, 9) / 10;
    if (agree >= 0.8 && score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Throws the "wrong delimiter" error when every sampled line is one field with
 * the given delimiter, naming the delimiter that would work.
 */
export function assertDelimiterFits(file: string, lines: string[], delimiter: string, needed: number): void {
  const sample = lines.filter((l) => l.length > 0).slice(0, 20);
  if (sample.length === 0 || needed < 2) return;
  if (!sample.every((l) => splitFields(l, delimiter).length === 1)) return;
  const better = sniffDelimiter(sample);
  throw new InputError(
    `every row has 1 column with delimiter ${describe(delimiter)}` + (better ? `; did you mean --delimiter ${describe(better)}?` : ""),
    file,
    undefined,
    better ? `pass --delimiter ${describe(better)}` : "check the file format (first line: " + JSON.stringify(sample[0].slice(0, 80)) + ")",
  );
}

function looksNumeric(s: string): boolean {
  return s.trim() !== "" && Number.isFinite(Number(s));
}

/**
 * A first line is a header when it has a known column name, or when it has
 * non-numeric fields where the next lines are numeric.
 */
export function sniffHeader(lines: string[], delimiter: string, knownNames: Set<string>): boolean {
  if (lines.length === 0) return false;
  const first = splitFields(lines[0], delimiter);
  if (first.some((f) => knownNames.has(normaliseName(f)))) return true;
  if (lines.length < 2) return !first.every(looksNumeric);
  const second = splitFields(lines[1], delimiter);
  for (let c = 0; c < Math.min(first.length, second.length); c++) {
    if (!looksNumeric(first[c]) && looksNumeric(second[c])) return true;
    // A word-like first value above ids with digits ("user" over "u123") is a name.
    if (/^[A-Za-z_][A-Za-z_ .-]*$/.test(first[c].trim()) && /\d/.test(second[c])) return true;
  }
  return false;
}

export function normaliseName(s: string): string {
  return s.trim().replace(/^"|"$/g, "").toLowerCase().replace(/[\s_-]/g, "");
}

/** Header-name aliases (compared after normaliseName) for each role. */
export const COLUMN_ALIASES = {
  user: ["userid", "user", "uid", "reviewerid", "customerid", "visitorid", "u"],
  item: ["itemid", "item", "iid", "asin", "movieid", "productid", "sku", "i"],
  rating: ["rating", "overall", "score", "stars", "label", "value", "r"],
  time: ["time", "timestamp", "unixreviewtime", "ts", "datetime", "date", "t"],
} as const;

export const KNOWN_COLUMN_NAMES = new Set<string>(Object.values(COLUMN_ALIASES).flat());

/**
 * Resolves a column reference to a 0-based index. Throws naming the column and
 * listing the columns found when a required one is missing.
 */
export function resolveColumn(
  file: string,
  role: string,
  ref: ColumnRef | undefined,
  header: string[] | undefined,
  aliases: readonly string[],
  required: boolean,
  nFields: number,
): number {
  if (!required && typeof ref === "string" && /^(none|-)$/i.test(ref)) return -1;
  if (typeof ref === "number" || (typeof ref === "string" && /^\d+$/.test(ref))) {
    const idx = Number(ref);
    if (idx >= nFields) {
      throw new InputError(`${role} column ${idx} does not exist: rows have ${nFields} columns (positions are 0-based)`, file, undefined,
        `use a position 0..${nFields - 1}` + (header ? ` or a name: ${header.join(", ")}` : ""));
    }
    return idx;
  }
  if (ref !== undefined) {
    if (!header) {
      throw new InputError(`${role} column "${ref}" given by name, but the file has no header`, file, undefined,
        "give the column by 0-based position instead, or remove --no-header");
    }
    const want = normaliseName(ref);
    const idx = header.findIndex((h) => normaliseName(h) === want);
    if (idx === -1) {
      throw new InputError(`missing ${role} column "${ref}"; columns found: ${header.join(", ")}`, file, undefined,
        `pass --${role}-col with one of the columns found`);
    }
    return idx;
  }
  if (header) {
    for (const a of aliases) {
      const idx = header.findIndex((h) => normaliseName(h) === a);
      if (idx !== -1) return idx;
    }
    if (required) {
      throw new InputError(`missing ${role} column (looked for ${aliases.join(", ")}); columns found: ${header.join(", ")}`, file, undefined,
        `name it with --${role}-col <name|position>`);
    }
  }
  return -1;
}

/** Unix seconds from a number (seconds or milliseconds) or a date string; NaN when unreadable. */
export function parseTime(s: string): number {
  if (s === "") return NaN;
  const v = Number(s);
  if (Number.isFinite(v)) return v > 1e11 ? v / 1000 : v;
  const d = Date.parse(s);
  return Number.isNaN(d) ? NaN : d / 1000;
}
