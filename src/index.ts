/** Worker entry: one app (and so one in-memory artifact store) per isolate, plus the events queue consumer. */
import { createApp } from "./app.ts";
import type { Env } from "./config.ts";
import { consumeEventBatch } from "./events/consumer.ts";

export type { Env } from "./config.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
    await consumeEventBatch(batch, { bucket: env.ARTIFACTS, deadLetters: env.EVENTS_DLQ });
  },
} satisfies ExportedHandler<Env>;
