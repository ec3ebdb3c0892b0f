/** Reads what the queue consumer wrote to the real R2 binding. */
import { EVENTS_PREFIX, type StoredEvent } from "../../../src/artifact/index.ts";
import { baseEnv } from "../support/helpers.ts";

export async function clearEvents(): Promise<void> {
  for (;;) {
    const listed = await baseEnv.ARTIFACTS.list({ prefix: EVENTS_PREFIX });
    if (listed.objects.length === 0) return;
    await baseEnv.ARTIFACTS.delete(listed.objects.map((o) => o.key));
  }
}

export async function gunzipText(bytes: ArrayBuffer): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

export async function storedEvents(): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let cursor: string | undefined;
  do {
    const listed = await baseEnv.ARTIFACTS.list({ prefix: EVENTS_PREFIX, cursor });
    for (const o of listed.objects) {
      const body = await baseEnv.ARTIFACTS.get(o.key);
      const text = await gunzipText(await body!.arrayBuffer());
      for (const line of text.split("\n")) if (line) out.push(JSON.parse(line));
    }
    cursor = listed.truncated ? listed.cursor : undefined;
  } while (cursor);
  return out;
}

/** Polls R2 until at least `n` events have been written (the local queue delivers within about a second). */
export async function waitForEvents(n: number, timeoutMs = 15_000, which: (e: StoredEvent) => boolean = () => true): Promise<StoredEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = (await storedEvents()).filter(which);
    if (events.length >= n || Date.now() > deadline) {
      if (events.length < n) throw new Error(`only ${events.length} of ${n} events reached R2 within ${timeoutMs} ms`);
      return events;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
