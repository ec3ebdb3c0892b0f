/**
 * Hands accepted events to the Queue, one message per event, in sendBatch calls within the
 * Queues limits (100 messages and 256 KB per call). The API answers only after every call has
 * resolved, so an event it reports as accepted is in the queue; if a call fails, the request
 * fails (503) and the client re-sends — event ids make the re-send store each event once.
 */
import type { StoredEvent } from "../artifact/events.ts";

const MAX_MESSAGES_PER_SEND = 100;
const MAX_BYTES_PER_SEND = 200 * 1024;

export interface EventQueue {
  sendBatch(messages: Iterable<MessageSendRequest<StoredEvent>>): Promise<unknown>;
}

export async function sendEvents(queue: EventQueue, events: readonly StoredEvent[]): Promise<void> {
  const sends: Promise<unknown>[] = [];
  let chunk: MessageSendRequest<StoredEvent>[] = [];
  let bytes = 0;
  for (const body of events) {
    const size = JSON.stringify(body).length + 64;
    if (chunk.length === MAX_MESSAGES_PER_SEND || (chunk.length > 0 && bytes + size > MAX_BYTES_PER_SEND)) {
      sends.push(queue.sendBatch(chunk));
      chunk = [];
      bytes = 0;
    }
    chunk.push({ body, contentType: "json" });
    bytes += size;
  }
  if (chunk.length > 0) sends.push(queue.sendBatch(chunk));
  await Promise.all(sends);
}
