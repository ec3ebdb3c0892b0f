/**
 * `edgerec forget --purge`: rewrites stored per-user data without the forgotten shoppers —
 * interaction files (JSON lines such as Amazon reviews, or delimited files with a header) and
 * the event partitions in R2 (events/dt=…/hr=…/*.ndjson[.gz]). A line that cannot be parsed is
 * kept as it is and counted, never dropped silently.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import type { R2Objects } from "./kv-access.ts";

/** Fields that hold a shopper id in the formats edgerec reads and the events it stores. */
export const USER_FIELDS = ["user", "userId", "user_id", "reviewerID", "customer_id", "customerId", "visitorid", "session_user"];

export interface PurgeCount {
  where: string;
  kept: number;
  dropped: number;
  /** Lines kept because they could not be parsed (so nothing is lost by mistake). */
  unparsed: number;
}

function jsonUser(line: string): string | undefined | null {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return null;
  }
  if (!row || typeof row !== "object") return null;
  for (const f of USER_FIELDS) {
    const v = (row as Record<string, unknown>)[f];
    if (typeof v === "string" || typeof v === "number") return String(v);
  }
  return undefined;
}

/** Filters the lines of a JSON-lines or delimited text; returns the new text and counts. */
export function purgeText(text: string, forgotten: ReadonlySet<string>, kind: "json" | "delimited", where: string): { text: string; count: PurgeCount } {
  const lines = text.split("\n");
  const out: string[] = [];
  const count: PurgeCount = { where, kept: 0, dropped: 0, unparsed: 0 };
  let userColumn = -1;
  let delimiter = ",";
  lines.forEach((line, i) => {
    if (line.trim() === "") {
      out.push(line);
      return;
    }
    if (kind === "delimited" && i === 0) {
      delimiter = line.includes("\t") ? "\t" : line.includes(";") && !line.includes(",") ? ";" : ",";
      const header = (parse(line, { delimiter, relax_quotes: true })[0] as string[]).map((h) => h.trim());
      userColumn = header.findIndex((h) => USER_FIELDS.some((f) => f.toLowerCase() === h.toLowerCase()));
      if (userColumn < 0) throw new Error(`${where}: no shopper-id column in the header (looked for ${USER_FIELDS.join(", ")})`);
      out.push(line);
      return;
    }
    let user: string | undefined | null;
    if (kind === "json") user = jsonUser(line);
    else {
      try {
        user = (parse(line, { delimiter, relax_quotes: true, relax_column_count: true })[0] as string[])[userColumn];
      } catch {
        user = null;
      }
    }
    if (user === null) {
      count.unparsed++;
      out.push(line);
      return;
    }
    if (user && forgotten.has(user.trim())) {
      count.dropped++;
      return;
    }
    count.kept++;
    out.push(line);
  });
  return { text: out.join("\n"), count };
}

function kindOf(name: string): "json" | "delimited" {
  const base = name.replace(/\.gz$/, "");
  if (/\.(json|jsonl|ndjson)$/i.test(base)) return "json";
  if (/\.(csv|tsv|txt|data|inter)$/i.test(base)) return "delimited";
  throw new Error(`${name}: cannot tell its format from the name (expected .json/.jsonl/.ndjson or .csv/.tsv, optionally .gz)`);
}

function purgeBytes(bytes: Uint8Array, name: string, forgotten: ReadonlySet<string>): { bytes: Uint8Array; count: PurgeCount } {
  const gz = name.endsWith(".gz");
  const text = (gz ? gunzipSync(bytes) : Buffer.from(bytes)).toString("utf8");
  const result = purgeText(text, forgotten, kindOf(name), name);
  const body = Buffer.from(result.text, "utf8");
  return { bytes: gz ? gzipSync(body) : body, count: result.count };
}

/** Rewrites a local file in place (through a temporary file and a rename) when it held a forgotten shopper. */
export function purgeFile(path: string, forgotten: ReadonlySet<string>): PurgeCount {
  const { bytes, count } = purgeBytes(readFileSync(path), path, forgotten);
  if (count.dropped > 0) {
    const tmp = `${path}.purge-tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  }
  return count;
}

export const EVENTS_PREFIX = "events/";

/** Rewrites every event partition under `prefix` that held a forgotten shopper (deleting one left empty). */
export async function purgeEventPartitions(bucket: R2Objects, forgotten: ReadonlySet<string>, prefix = EVENTS_PREFIX): Promise<PurgeCount[]> {
  const counts: PurgeCount[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor });
    for (const { key } of page.objects) {
      if (!/\.(ndjson|jsonl|json)(\.gz)?$/.test(key)) continue;
      const object = await bucket.get(key);
      if (!object) continue;
      const { bytes, count } = purgeBytes(new Uint8Array(await object.arrayBuffer()), key, forgotten);
      counts.push(count);
      if (count.dropped === 0) continue;
      if (count.kept === 0 && count.unparsed === 0) await bucket.delete(key);
      else await bucket.put(key, new Uint8Array(bytes));
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return counts;
}
