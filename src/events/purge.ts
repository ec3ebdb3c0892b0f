/**
 * Rewrites stored event objects (events/dt=…/hr=…/<batch>.ndjson.gz) without the events of
 * forgotten shoppers, one bounded page of objects at a time so a request stays within the
 * Workers CPU limit; the caller pages on with the returned cursor. Only objects that held a
 * forgotten shopper are written (same key; other lines kept exactly as they were), an object
 * left with nothing is deleted, and a line that is not JSON is kept and counted — so running
 * it again changes nothing.
 */
import { EVENTS_PREFIX } from "../artifact/index.ts";
import { gzip } from "./consumer.ts";

export interface EventBucket {
  list(options: R2ListOptions): Promise<R2Objects>;
  get(key: string): Promise<R2ObjectBody | null>;
  put(key: string, value: Uint8Array, options?: R2PutOptions): Promise<unknown>;
  delete(key: string): Promise<void>;
}

export interface EventPurgePage {
  /** Event objects read on this page. */
  scanned: number;
  rewritten: number;
  deleted: number;
  /** Events of forgotten shoppers removed. */
  dropped: number;
  /** Lines that are not JSON objects, kept as they were. */
  unparsed: number;
  /** Where the next page starts, or null when every object has been seen. */
  cursor: string | null;
}

export interface LinesPurged {
  text: string;
  kept: number;
  dropped: number;
  unparsed: number;
}

/** Drops the lines whose `user` is forgotten; every other line is kept unchanged. */
export function dropForgottenLines(text: string, forgotten: ReadonlySet<string>): LinesPurged {
  let out = "";
  let kept = 0;
  let dropped = 0;
  let unparsed = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let user: unknown;
    try {
      const event: unknown = JSON.parse(line);
      if (!event || typeof event !== "object") throw new Error("not an object");
      user = (event as { user?: unknown }).user;
    } catch {
      unparsed++;
      out += line + "\n";
      continue;
    }
    if (typeof user === "string" && forgotten.has(user)) {
      dropped++;
      continue;
    }
    kept++;
    out += line + "\n";
  }
  return { text: out, kept, dropped, unparsed };
}

async function gunzip(bytes: ArrayBuffer): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

const EVENT_OBJECT = /\.ndjson(\.gz)?$/;

export async function purgeEventObjects(bucket: EventBucket, forgotten: ReadonlySet<string>, page: { cursor?: string; limit: number }): Promise<EventPurgePage> {
  const result: EventPurgePage = { scanned: 0, rewritten: 0, deleted: 0, dropped: 0, unparsed: 0, cursor: null };
  if (forgotten.size === 0) return result;
  const listed = await bucket.list({ prefix: EVENTS_PREFIX, cursor: page.cursor, limit: page.limit });
  for (const { key } of listed.objects) {
    if (!EVENT_OBJECT.test(key)) continue;
    const object = await bucket.get(key);
    if (!object) continue; // deleted since the listing
    result.scanned++;
    const gz = key.endsWith(".gz");
    const bytes = await object.arrayBuffer();
    const text = gz ? await gunzip(bytes) : new TextDecoder().decode(bytes);
    const purged = dropForgottenLines(text, forgotten);
    result.unparsed += purged.unparsed;
    if (purged.dropped === 0) continue;
    result.dropped += purged.dropped;
    if (purged.kept === 0 && purged.unparsed === 0) {
      await bucket.delete(key);
      result.deleted++;
      continue;
    }
    const body = gz ? await gzip(purged.text) : new TextEncoder().encode(purged.text);
    await bucket.put(key, body, {
      httpMetadata: { contentType: gz ? "application/gzip" : "application/x-ndjson" },
      customMetadata: { ...object.customMetadata, events: String(purged.kept) },
    });
    result.rewritten++;
  }
  result.cursor = listed.truncated ? listed.cursor : null;
  return result;
}
