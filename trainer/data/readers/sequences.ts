import { forEachLine, openByteStream } from "../source.ts";
import { IdIndex, InteractionBuffer, detach } from "../id-space.ts";
import { ReportBuilder } from "../report.ts";
import { InputError, type Interactions, type ReadReport } from "../types.ts";
import type { ReaderContext } from "./context.ts";

/**
 * Sequence files (the S3-Rec / SASRec preprocessing of Amazon reviews): one line per user,
 * `user item item …` separated by spaces or tabs, the items in time order. The layout has no
 * timestamps, so an interaction's `time` is its 0-based position in the user's line: every
 * consumer that orders by time (leave-last-out, the "latest" duplicate rule) sees the file's order.
 *
 * A user may buy the same item again; repeats stay in the sequence (order is the point of the
 * layout) and are counted in a note. A line with a user and no item, or a user already given on
 * an earlier line, is rejected and reported.
 */
export async function readSequenceFile(file: string, ctx: ReaderContext): Promise<void> {
  const { report, buf, users, items, spec } = ctx;
  const lineOfUser = new Map<number, number>();
  let repeats = 0;
  const seen = new Set<number>();
  await forEachLine(
    file,
    {
      line(text, lineNo) {
        report.rowsRead++;
        const tokens = text.trim().split(/[ \t]+/);
        if (tokens.length < 2 || tokens[0] === "") {
          report.reject(lineNo, tokens[0] === "" ? "blank line" : `user ${JSON.stringify(tokens[0].slice(0, 40))} has no items; expected "user item item …"`);
          return;
        }
        const u = users.intern(tokens[0]);
        const earlier = lineOfUser.get(u);
        if (earlier !== undefined) {
          report.reject(lineNo, `user ${JSON.stringify(tokens[0].slice(0, 40))} already has a sequence on line ${earlier}; one line per user`);
          return;
        }
        lineOfUser.set(u, lineNo);
        seen.clear();
        for (let p = 1; p < tokens.length; p++) {
          const i = items.intern(tokens[p]);
          if (seen.has(i)) repeats++;
          else seen.add(i);
          buf.push(u, i, NaN, p - 1, lineNo);
        }
        report.accepted++;
      },
      bad(lineNo, reason) {
        report.rowsRead++;
        report.reject(lineNo, reason);
      },
    },
    { encoding: spec.encoding ?? "utf8", progress: ctx.progress, maxLineBytes: spec.maxLineBytes },
  );
  if (repeats > 0) report.note(`${repeats} repeated items kept in their users' sequences (bought again)`);
}

/** A sequence file read as interactions plus each user's order. */
export interface SequenceData {
  /**
   * One entry per (user, position), grouped by user in file order and by position within a
   * user; ratings are NaN (implicit), times are the positions (the layout has no clock).
   */
  interactions: Interactions;
  /** 0-based position of each interaction in its user's sequence. */
  positions: Int32Array;
  /** User u's interactions are rows userStart[u] .. userStart[u+1]-1, in time order. */
  userStart: Int32Array;
  /** Attribute ids of each item, aligned with interactions.itemIds (empty when the file lists none). */
  itemAttributes?: string[][];
  reports: ReadReport[];
}

export interface SequenceOptions {
  /** The `*_item2attributes.json` file: one JSON object, item id → list of attribute ids. */
  attributes?: string;
  progress?: boolean;
  /** Share of rejected lines above which reading fails (default 1%). */
  maxErrorRatio?: number;
  maxLineBytes?: number;
}

/** Reads a sequence file (and optionally its attribute file) into {@link SequenceData}. */
export async function loadSequences(file: string, opts: SequenceOptions = {}): Promise<SequenceData> {
  const users = new IdIndex();
  const items = new IdIndex();
  const buf = new InteractionBuffer();
  const report = new ReportBuilder(file);
  await readSequenceFile(file, { users, items, buf, report, spec: { maxLineBytes: opts.maxLineBytes }, progress: opts.progress });
  report.checkErrorRatio(opts.maxErrorRatio, "each line must be `user item item …` (space-separated ids, one line per user)");
  const n = buf.length;
  // Lines are whole users, so the buffer is already grouped by user in first-appearance order.
  const userStart = new Int32Array(users.size + 1);
  for (let k = 0; k < n; k++) userStart[buf.users[k] + 1]++;
  for (let u = 0; u < users.size; u++) userStart[u + 1] += userStart[u];
  const positions = new Int32Array(n);
  for (let k = 0; k < n; k++) positions[k] = buf.times[k];
  const interactions: Interactions = {
    userIds: users.ids,
    itemIds: items.ids,
    users: buf.users.slice(0, n),
    items: buf.items.slice(0, n),
    ratings: buf.ratings.slice(0, n),
    times: buf.times.slice(0, n),
  };
  const reports = [report.toReport()];
  let itemAttributes: string[][] | undefined;
  if (opts.attributes) {
    const attrReport = new ReportBuilder(opts.attributes);
    itemAttributes = await readItemAttributes(opts.attributes, items, attrReport, opts.progress);
    attrReport.checkErrorRatio(opts.maxErrorRatio, "the file must be one JSON object mapping item id to a list of attribute ids");
    reports.push(attrReport.toReport());
  }
  return { interactions, positions, userStart, itemAttributes, reports };
}

/**
 * `*_item2attributes.json`: one JSON object, item id → list of attribute ids (integers or
 * strings). Returns the attribute ids of every item in `items` (aligned with its ids). An entry
 * that is not a list of ids is rejected and reported; items of the file that no sequence
 * mentions, and sequence items the file does not list, are counted in notes.
 */
export async function readItemAttributes(file: string, items: IdIndex, report: ReportBuilder, progress?: boolean): Promise<string[][]> {
  const { stream, finish } = openByteStream(file, { progress });
  const chunks: Buffer[] = [];
  try {
    for await (const c of stream) chunks.push(c);
  } finally {
    finish();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (err) {
    throw new InputError(`not valid JSON (${(err as Error).message})`, file, undefined, "the attribute file must be one JSON object: {\"item id\": [attribute ids], …}");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InputError(`expected one JSON object, found ${Array.isArray(parsed) ? "an array" : typeof parsed}`, file, undefined,
      "the attribute file must be one JSON object: {\"item id\": [attribute ids], …}");
  }
  const out: string[][] = Array.from({ length: items.size }, () => []);
  const listed = new Uint8Array(items.size);
  let unknownItems = 0;
  let entry = 0;
  for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
    entry++;
    report.rowsRead++;
    const ok = Array.isArray(value) && value.every((a) => (typeof a === "number" && Number.isFinite(a)) || (typeof a === "string" && a.trim() !== ""));
    if (!ok) {
      // JSON has no line numbers once parsed; the entry's ordinal stands in for the line.
      report.reject(entry, `item ${JSON.stringify(id.slice(0, 40))}: ${JSON.stringify(value).slice(0, 40)} is not a list of attribute ids`);
      continue;
    }
    report.accepted++;
    const i = items.get(id.trim());
    if (i === undefined) {
      unknownItems++;
      continue;
    }
    listed[i] = 1;
    out[i] = (value as (number | string)[]).map((a) => detach(String(a).trim()));
  }
  if (unknownItems > 0) report.note(`${unknownItems} items have attributes but appear in no sequence (ignored)`);
  let missing = 0;
  for (let i = 0; i < items.size; i++) if (!listed[i]) missing++;
  if (missing > 0) report.note(`${missing} sequence items have no attribute entry`);
  return out;
}
