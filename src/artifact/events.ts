/**
 * Where collected events live in R2 and what one stored event looks like: the ONE module the
 * worker's queue consumer (writer) and the trainer's readers share, so they cannot disagree.
 *
 *   events/dt=YYYY-MM-DD/hr=HH/<batch-id>.ndjson.gz   one consumer batch, gzip NDJSON, one event a line
 *
 * The batch id is a digest of the batch's message ids, so a retried batch overwrites its own
 * object instead of adding a second copy. Every event also carries the server-assigned `id`,
 * which readers deduplicate on (a redelivery may regroup messages into a different batch).
 */
export const EVENTS_PREFIX = "events/";

export const EVENT_TYPES = ["view", "impression", "click", "add_to_cart", "remove_from_cart", "purchase", "rate"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One accepted event as stored (and as the queue message body). Times are epoch milliseconds. */
export interface StoredEvent {
  /** Server-assigned unique id (or the client's `id`, which makes client retries idempotent). */
  id: string;
  type: EventType;
  user?: string;
  session?: string;
  item: string;
  recId?: string;
  variant?: string;
  placement?: string;
  position?: number;
  price?: number;
  quantity?: number;
  rating?: number;
  /** When it happened (the client's time when given and plausible, else the server's). */
  ts: number;
  /** When the server accepted it. */
  receivedAt: number;
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `events/dt=2026-12-06/hr=03/` for a time (UTC). */
export function partitionPrefix(ms: number): string {
  const d = new Date(ms);
  return `${EVENTS_PREFIX}dt=${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}/hr=${pad(d.getUTCHours())}/`;
}

export function batchObjectKey(ms: number, batchId: string): string {
  return `${partitionPrefix(ms)}${batchId}.ndjson.gz`;
}

/** The hour a key's partition starts at (epoch ms), or null for a key outside the layout. */
export function partitionTime(key: string): number | null {
  const m = /^events\/dt=(\d{4})-(\d{2})-(\d{2})\/hr=(\d{2})\//.exec(key);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4])) : null;
}

/** The latest outcome report (`edgerec report --publish`), beside the artifacts; the worker's admin page serves it. */
export const REPORT_HTML_KEY = "reports/events-latest.html";
export const REPORT_JSON_KEY = "reports/events-latest.json";
