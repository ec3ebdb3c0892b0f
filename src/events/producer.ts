/**
 * Hands accepted events to the Queue: one message per request's events (split only past the
 * Queues message size limit), so a burst of requests is a burst of a few messages, not of one per
 * event. The API answers only after every send has resolved, so an event it reports as accepted
 * is in the queue; if a send fails (after two quick retries), the request fails (503) and the
 * client re-sends — event ids make the re-send store each event once, and a message sent twice
 * is stored under the same ids, which every reader keeps once.
 */
import type { StoredEvent } from "../artifact/index.ts";

/** The queue message: a request's accepted events. */
export interface EventsMessage {
  events: StoredEvent[];
}

/** Queues allows 128 KB per message; JSON length is a safe upper bound of the serialised size for these ASCII-heavy records. */
const MAX_MESSAGE_CHARS = 96 * 1024;
const RETRY_DELAYS_MS = [25, 150];

export interface EventQueue {
  sendBatch(messages: Iterable<MessageSendRequest<EventsMessage>>): Promise<unknown>;
}

export function toMessages(events: readonly StoredEvent[]): EventsMessage[] {
  const out: EventsMessage[] = [];
  let current: StoredEvent[] = [];
  let chars = 0;
  for (const e of events) {
    const size = JSON.stringify(e).length + 1;
    if (current.length > 0 && chars + size > MAX_MESSAGE_CHARS) {
      out.push({ events: current });
      current = [];
      chars = 0;
    }
    current.push(e);
    chars += size;
  }
  if (current.length > 0) out.push({ events: current });
  return out;
}

export async function sendEvents(queue: EventQueue, events: readonly StoredEvent[]): Promise<void> {
  const messages = toMessages(events).map((body) => ({ body, contentType: "json" as const }));
  // sendBatch takes up to 100 messages and 256 KB: at most two of these messages per call.
  for (let at = 0; at < messages.length; at += 2) {
    const chunk = messages.slice(at, at + 2);
    for (let attempt = 0; ; attempt++) {
      try {
        await queue.sendBatch(chunk);
        break;
      } catch (err) {
        if (attempt >= RETRY_DELAYS_MS.length) throw err;
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
      }
    }
  }
}
