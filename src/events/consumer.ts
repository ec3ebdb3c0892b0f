/**
 * The queue consumer: each delivered batch becomes ONE gzip NDJSON object in R2, keyed by a
 * digest of its message ids, and only then are the messages acknowledged. A crash before the
 * write leaves nothing behind and the batch is redelivered; a crash after it (before the acks)
 * redelivers the same messages, whose key is the same, so the write replaces its own object.
 * Messages that are not events (poison) are moved to the dead-letter queue at once rather than
 * retried; when no dead-letter binding exists they are retried until the queue's max_retries
 * sends them to its configured dead-letter queue.
 */
import { batchObjectKey, EVENT_TYPES, type StoredEvent } from "../artifact/index.ts";

export interface EventBatchTarget {
  put(key: string, value: Uint8Array, options?: R2PutOptions): Promise<unknown>;
}

export interface ConsumerDeps {
  bucket: EventBatchTarget;
  deadLetters?: { sendBatch(messages: Iterable<MessageSendRequest<unknown>>): Promise<unknown> };
}

const TYPES = new Set<string>(EVENT_TYPES);

/** A queue message body: `{ events: [...] }` with every entry a stored event. */
export function eventsOf(body: unknown): StoredEvent[] | null {
  if (!body || typeof body !== "object") return null;
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events) || events.length === 0) return null;
  for (const e of events) if (!isStoredEvent(e)) return null;
  return events as StoredEvent[];
}

export function isStoredEvent(v: unknown): v is StoredEvent {
  if (!v || typeof v !== "object") return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.id === "string" &&
    typeof e.type === "string" &&
    TYPES.has(e.type) &&
    typeof e.item === "string" &&
    typeof e.ts === "number" &&
    Number.isFinite(e.ts) &&
    typeof e.receivedAt === "number" &&
    Number.isFinite(e.receivedAt) &&
    (typeof e.user === "string" || typeof e.session === "string")
  );
}

/** A stable id for a set of messages: SHA-256 of their sorted ids, 32 hex digits. */
export async function batchIdOf(messageIds: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode([...messageIds].sort().join("\n")));
  let hex = "";
  for (const b of new Uint8Array(digest).subarray(0, 16)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface ConsumeResult {
  key: string | null;
  stored: number;
  deadLettered: number;
}

export async function consumeEventBatch(batch: MessageBatch<unknown>, deps: ConsumerDeps): Promise<ConsumeResult> {
  const good: Message<unknown>[] = [];
  const poison: Message<unknown>[] = [];
  const events: StoredEvent[] = [];
  for (const msg of batch.messages) {
    const list = eventsOf(msg.body);
    if (list) {
      good.push(msg);
      for (const e of list) events.push(e);
    } else poison.push(msg);
  }

  let deadLettered = 0;
  if (poison.length > 0) {
    if (deps.deadLetters) {
      await deps.deadLetters.sendBatch(poison.map((m) => ({ body: { messageId: m.id, reason: "not an events message ({ events: [...] })", body: m.body }, contentType: "json" as const })));
      for (const m of poison) m.ack();
      deadLettered = poison.length;
    } else {
      for (const m of poison) m.retry();
    }
    console.warn(`edgerec: ${poison.length} queue message(s) in ${batch.queue} do not hold events; ${deps.deadLetters ? "moved to the dead-letter queue" : "left for the dead-letter queue"}`);
  }
  if (good.length === 0) return { key: null, stored: 0, deadLettered };

  let first = events[0].receivedAt;
  for (const e of events) if (e.receivedAt < first) first = e.receivedAt;
  const key = batchObjectKey(first, await batchIdOf(good.map((m) => m.id)));
  let ndjson = "";
  for (const e of events) ndjson += JSON.stringify(e) + "\n";
  await deps.bucket.put(key, await gzip(ndjson), {
    httpMetadata: { contentType: "application/gzip" },
    customMetadata: { events: String(events.length) },
  });
  for (const m of good) m.ack();
  return { key, stored: events.length, deadLettered };
}
