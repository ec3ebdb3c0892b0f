/**
 * Reads stored events: lists the partitions (pruned by --since at hour granularity), gunzips
 * each object, parses its lines and keeps each event id once. A line that is not a valid event
 * is counted and reported with its object and line, never skipped silently.
 */
import { gunzipSync } from "node:zlib";
import { EVENT_TYPES, EVENTS_PREFIX, partitionTime, type StoredEvent } from "../../src/artifact/index.ts";
import type { RowProblem } from "../data/types.ts";
import type { EventObjectInfo, EventObjectSource } from "./source.ts";

const TYPES = new Set<string>(EVENT_TYPES);
const HOUR = 3_600_000;

export interface ReadEventsOptions {
  /** Earliest event time kept (epoch ms). */
  since?: number;
  /** Called after each object (progress). */
  onObject?: (done: number, total: number) => void;
}

export interface EventsRead {
  events: StoredEvent[];
  objects: number;
  lines: number;
  duplicates: number;
  malformed: number;
  problems: RowProblem[];
}

export async function listEventObjects(source: EventObjectSource, since?: number): Promise<EventObjectInfo[]> {
  const all = await source.list(EVENTS_PREFIX);
  return all.filter((o) => {
    const t = partitionTime(o.key);
    return t !== null && (since === undefined || t + HOUR > since);
  });
}

export function parseStoredEvent(line: string): StoredEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!v || typeof v !== "object") return null;
  const e = v as StoredEvent;
  const ok =
    typeof e.id === "string" &&
    TYPES.has(e.type) &&
    typeof e.item === "string" &&
    Number.isFinite(e.ts) &&
    (typeof e.user === "string" || typeof e.session === "string");
  return ok ? e : null;
}

export function decodeObject(bytes: Uint8Array): string {
  const gz = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (gz ? gunzipSync(bytes) : Buffer.from(bytes)).toString("utf8");
}

export async function readEvents(source: EventObjectSource, opts: ReadEventsOptions = {}): Promise<EventsRead> {
  const objects = await listEventObjects(source, opts.since);
  const seen = new Set<string>();
  const out: EventsRead = { events: [], objects: objects.length, lines: 0, duplicates: 0, malformed: 0, problems: [] };
  let done = 0;
  for (const o of objects) {
    const lines = decodeObject(await source.get(o.key)).split("\n");
    for (let n = 0; n < lines.length; n++) {
      if (lines[n] === "") continue;
      out.lines++;
      const e = parseStoredEvent(lines[n]);
      if (!e) {
        out.malformed++;
        if (out.problems.length < 20) out.problems.push({ file: o.key, line: n + 1, reason: "not a stored event (JSON with id, type, item, ts and user or session)" });
        continue;
      }
      if (seen.has(e.id)) {
        out.duplicates++;
        continue;
      }
      seen.add(e.id);
      if (opts.since !== undefined && e.ts < opts.since) continue;
      out.events.push(e);
    }
    opts.onObject?.(++done, objects.length);
  }
  out.events.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}
