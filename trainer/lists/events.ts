/**
 * Reads shopper events from a directory laid out as the event pipeline writes them to R2:
 * `events/dt=YYYY-MM-DD/hr=HH/*.ndjson.gz`, one JSON object per line with at least
 * type, item and ts (Unix milliseconds or seconds, or an ISO time); user, session and order
 * are used when present. Only partitions inside [from, to] are opened. A line that cannot be
 * used is counted and the first few are listed with file and line, never dropped silently.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { RowProblem } from "../data/types.ts";

export interface ShopperEvent {
  type: string;
  item: string;
  /** Unix milliseconds. */
  ts: number;
  user?: string;
  session?: string;
  order?: string;
}

export interface EventsRead {
  events: ShopperEvent[];
  files: number;
  lines: number;
  rejected: number;
  problems: RowProblem[];
}

const LISTED = 20;
const HOUR_MS = 3_600_000;

function timeOf(ts: unknown): number {
  if (typeof ts === "number" && Number.isFinite(ts)) return ts > 1e12 ? ts : ts * 1000;
  if (typeof ts === "string") return Date.parse(ts);
  return NaN;
}

/** The `events/` directory under `root` (or `root` itself when it holds dt= partitions). */
function eventsDir(root: string): string {
  try {
    if (statSync(join(root, "events")).isDirectory()) return join(root, "events");
  } catch {
    // root itself, below
  }
  return root;
}

export function readEvents(root: string, from: number, to: number): EventsRead {
  const out: EventsRead = { events: [], files: 0, lines: 0, rejected: 0, problems: [] };
  const dir = eventsDir(root);
  let days: string[];
  try {
    days = readdirSync(dir).filter((d) => /^dt=\d{4}-\d{2}-\d{2}$/.test(d));
  } catch (err) {
    throw new Error(`${root}: cannot list events (${(err as Error).message}); expected events/dt=YYYY-MM-DD/hr=HH/*.ndjson.gz`);
  }
  for (const day of days.sort()) {
    const dayStart = Date.parse(`${day.slice(3)}T00:00:00Z`);
    if (!(dayStart + 24 * HOUR_MS > from && dayStart <= to)) continue;
    for (const hour of readdirSync(join(dir, day)).filter((h) => /^hr=\d{2}$/.test(h)).sort()) {
      const hourStart = dayStart + Number(hour.slice(3)) * HOUR_MS;
      if (!(hourStart + HOUR_MS > from && hourStart <= to)) continue;
      for (const name of readdirSync(join(dir, day, hour)).filter((f) => /\.ndjson(\.gz)?$/.test(f)).sort()) {
        const file = join(dir, day, hour, name);
        out.files++;
        let text: string;
        try {
          const raw = readFileSync(file);
          text = (name.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
        } catch (err) {
          out.rejected++;
          if (out.problems.length < LISTED) out.problems.push({ file, line: 0, reason: `unreadable (${(err as Error).message})` });
          continue;
        }
        text.split("\n").forEach((line, i) => {
          if (line.trim() === "") return;
          out.lines++;
          const reason = addLine(out.events, line, from, to);
          if (reason) {
            out.rejected++;
            if (out.problems.length < LISTED) out.problems.push({ file, line: i + 1, reason });
          }
        });
      }
    }
  }
  return out;
}

/** Adds the event, or says why the line cannot be used (undefined: used or outside the window). */
function addLine(events: ShopperEvent[], line: string, from: number, to: number): string | undefined {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return "not JSON";
  }
  if (!e || typeof e !== "object") return "not a JSON object";
  if (typeof e.type !== "string" || !e.type) return "no type";
  if (typeof e.item !== "string" || !e.item) return "no item";
  const ts = timeOf(e.ts);
  if (!Number.isFinite(ts)) return `ts ${JSON.stringify(e.ts)} is not a time`;
  if (ts < from || ts > to) return undefined;
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  events.push({ type: e.type, item: e.item, ts, user: str(e.user), session: str(e.session), order: str(e.order) });
  return undefined;
}
