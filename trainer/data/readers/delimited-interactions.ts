import { forEachLine, peekLines } from "../source.ts";
import {
  COLUMN_ALIASES,
  KNOWN_COLUMN_NAMES,
  assertDelimiterFits,
  parseTime,
  resolveColumn,
  sniffDelimiter,
  sniffHeader,
  splitFields,
  splitFirst,
} from "../delimited.ts";
import { InputError } from "../types.ts";
import type { ReaderContext } from "./context.ts";

/**
 * Generic delimited interactions (user, item, optional rating, optional time):
 * MovieLens u.data / ua.base (tab, no header), ReChorus user_id,item_id,time (CRLF)…
 * Columns come from spec.columns (name or 0-based position), else from header
 * aliases, else positions 0,1,2,3.
 */
/** Fields in a line (quoted fields counted whole). */
function fieldCount(text: string, delimiter: string): number {
  if (text.indexOf('"') !== -1) return splitFields(text, delimiter).length;
  let n = 1;
  for (let at = text.indexOf(delimiter); at !== -1; at = text.indexOf(delimiter, at + delimiter.length)) n++;
  return n;
}

export async function readDelimitedInteractions(file: string, ctx: ReaderContext): Promise<void> {
  const { spec, report } = ctx;
  const encoding = spec.encoding ?? "utf8";
  const head = await peekLines(file, 20, encoding);
  if (head.length === 0) throw new InputError("file has no lines", file);
  const delimiter = spec.delimiter ?? sniffDelimiter(head) ?? ",";
  assertDelimiterFits(file, head, delimiter, 2);
  const hasHeader = spec.header ?? sniffHeader(head, delimiter, KNOWN_COLUMN_NAMES);
  const header = hasHeader ? splitFields(head[0], delimiter).map((h) => h.trim()) : undefined;
  const firstData = splitFields(head[hasHeader ? 1 : 0] ?? head[0], delimiter);
  const nFields = header ? header.length : firstData.length;
  const cols = spec.columns ?? {};

  let userCol = resolveColumn(file, "user", cols.user, header, COLUMN_ALIASES.user, true, nFields);
  let itemCol = resolveColumn(file, "item", cols.item, header, COLUMN_ALIASES.item, true, nFields);
  let ratingCol = resolveColumn(file, "rating", cols.rating, header, COLUMN_ALIASES.rating, false, nFields);
  let timeCol = resolveColumn(file, "time", cols.time, header, COLUMN_ALIASES.time, false, nFields);
  if (!header) {
    // Without a header: user 0, item 1, then rating and time in the next free positions (u.data);
    // a lone large third column is a time (ReChorus-like files without header).
    if (userCol < 0) userCol = 0;
    if (itemCol < 0) itemCol = 1;
    const used = new Set([userCol, itemCol, ratingCol, timeCol].filter((c) => c >= 0));
    let free = [0, 1, 2, 3].filter((c) => c < nFields && !used.has(c));
    if (cols.rating === undefined && free.length > 0) {
      const loneLargeThird = cols.time === undefined && free.length === 1 && Number(firstData[free[0]]) > 1e6;
      if (loneLargeThird) timeCol = free[0];
      else ratingCol = free[0];
      free = free.slice(1);
    } else if (ratingCol < 0 && free.length > 1) {
      free = free.slice(1); // rating turned off: its usual slot stays unused (u.data's time stays at 3)
    }
    if (cols.time === undefined && timeCol < 0 && free.length > 0) timeCol = free[0];
  }
  const needed = Math.max(userCol, itemCol, ratingCol, timeCol) + 1;
  // Say which columns were taken for what: a wrong guess is then visible before anything trains on it.
  const mapped = (c: number) => (c < 0 ? "none" : header ? `${JSON.stringify(header[c])} (#${c})` : `#${c}`);
  report.note(`columns: user ← ${mapped(userCol)}, item ← ${mapped(itemCol)}, rating ← ${mapped(ratingCol)}, time ← ${mapped(timeCol)}`);
  const users = ctx.users;
  const items = ctx.items;
  const buf = ctx.buf;
  let seenFirst = false;
  const fields: string[] = [];
  let oneColumnRows = 0;

  await forEachLine(
    file,
    {
      line(text, lineNo) {
        if (!seenFirst) {
          seenFirst = true;
          if (hasHeader) return;
        }
        report.rowsRead++;
        const width = fieldCount(text, delimiter);
        if (width > nFields) report.flag(lineNo, `${width} fields where the ${header ? "header names" : "first row has"} ${nFields}; the extra ones are ignored`);
        const f = splitFirst(text, delimiter, needed, fields);
        if (f.length < needed) {
          if (f.length === 1) oneColumnRows++;
          report.reject(lineNo, `expected at least ${needed} fields separated by ${delimiter === "\t" ? "'\\t'" : `'${delimiter}'`}, found ${f.length}`);
          return;
        }
        const u = f[userCol].trim();
        const i = f[itemCol].trim();
        if (u === "" || i === "") {
          report.reject(lineNo, u === "" ? "empty user id" : "empty item id");
          return;
        }
        let rating = NaN;
        if (ratingCol >= 0) {
          const raw = f[ratingCol].trim();
          rating = Number(raw);
          if (raw === "" || !Number.isFinite(rating)) {
            report.reject(lineNo, `rating ${JSON.stringify(raw.slice(0, 40))} is not a number`);
            return;
          }
        }
        let time = NaN;
        if (timeCol >= 0) {
          const raw = f[timeCol].trim();
          time = parseTime(raw);
          if (Number.isNaN(time) && raw !== "") report.fieldProblem(lineNo, `time ${JSON.stringify(raw.slice(0, 40))} is not a unix time or date; kept without time`);
        }
        buf.push(users.intern(u), items.intern(i), rating, time, lineNo);
        report.accepted++;
      },
      bad(lineNo, reason) {
        seenFirst = true; // an unreadable first line still is the first line (the header, when there is one)
        report.rowsRead++;
        report.reject(lineNo, reason);
      },
    },
    { encoding, maxLineBytes: spec.maxLineBytes, progress: ctx.progress },
  );
  if (report.rowsRead > 0 && oneColumnRows === report.rowsRead) {
    throw new InputError(`every row has 1 column; is the delimiter ${JSON.stringify(delimiter)} right?`, file, undefined, "pass --delimiter");
  }
}
