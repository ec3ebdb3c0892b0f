/**
 * The queue consumer inside workerd over the real R2 binding: one gzip NDJSON object per batch,
 * idempotent redelivery, a crash mid-batch losing and duplicating nothing, poison to the DLQ.
 * The crash is a wrapper around the real bucket that fails the write (or succeeds and then
 * throws, as a worker killed before its acks would behave).
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { EVENTS_PREFIX, type StoredEvent } from "../../../src/artifact/index.ts";
import { consumeEventBatch, type EventBatchTarget } from "../../../src/events/consumer.ts";
import { toMessages } from "../../../src/events/producer.ts";
import worker from "../../../src/index.ts";
import { baseEnv } from "../support/helpers.ts";
import { clearEvents, storedEvents } from "./stored.ts";

const T0 = Date.UTC(2026, 11, 6, 3, 15);
const event = (i: number): StoredEvent => ({ id: `e${i}`, type: "click", user: `u${i % 7}`, item: `P${i % 11}`, ts: T0 + i, receivedAt: T0 + i });
const messages = (from: number, n: number, extra: unknown[] = []) => [
  ...Array.from({ length: n }, (_, k) => ({ id: `m${from + k}`, timestamp: new Date(T0), attempts: 1, body: { events: [event(from + k)] } as unknown })),
  ...extra.map((body, k) => ({ id: `bad${k}`, timestamp: new Date(T0), attempts: 1, body })),
];

async function keys(): Promise<string[]> {
  return (await baseEnv.ARTIFACTS.list({ prefix: EVENTS_PREFIX })).objects.map((o) => o.key);
}

async function deliver(batch: MessageBatch) {
  const ctx = createExecutionContext();
  await worker.queue(batch, baseEnv);
  return getQueueResult(batch, ctx);
}

describe("events queue consumer", () => {
  beforeEach(clearEvents);

  it("writes a batch as one gzip NDJSON object in its hour's partition and acks every message", async () => {
    const result = await deliver(createMessageBatch("edgerec-events", messages(0, 40)));
    expect(result.explicitAcks.sort()).toEqual(messages(0, 40).map((m) => m.id).sort());
    expect(result.retryMessages).toEqual([]);
    const written = await keys();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^events\/dt=2026-12-06\/hr=03\/[0-9a-f]{32}\.ndjson\.gz$/);
    const object = await baseEnv.ARTIFACTS.head(written[0]);
    expect(object!.customMetadata).toEqual({ events: "40" });
    expect((await storedEvents()).map((e) => e.id)).toEqual(messages(0, 40).map((m) => (m.body as { events: StoredEvent[] }).events[0].id));
  });

  it("a message holds a request's events; a big request is split into messages under the size limit", async () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ ...event(i), item: "X".repeat(200) }));
    const split = toMessages(many);
    expect(split.length).toBeGreaterThan(1);
    expect(split.flatMap((m) => m.events)).toEqual(many);
    for (const m of split) expect(JSON.stringify(m).length).toBeLessThan(128 * 1024);
    const batch = createMessageBatch("edgerec-events", split.map((body, k) => ({ id: `big${k}`, timestamp: new Date(T0), attempts: 1, body })));
    const result = await deliver(batch);
    expect(result.explicitAcks).toHaveLength(split.length);
    expect(await storedEvents()).toHaveLength(500);
  });

  it("a redelivered batch (same message ids, any order) replaces its own object: nothing duplicated", async () => {
    await deliver(createMessageBatch("edgerec-events", messages(0, 20)));
    await deliver(createMessageBatch("edgerec-events", messages(0, 20).reverse()));
    expect(await keys()).toHaveLength(1);
    expect(await storedEvents()).toHaveLength(20);
  });

  it("a crash mid-batch loses nothing and duplicates nothing", async () => {
    const batch = () => createMessageBatch("edgerec-events", messages(100, 30));
    // 1. The write fails: the handler throws, no message is acked, nothing is in R2.
    const failing: EventBatchTarget = { put: async () => Promise.reject(new Error("R2 unavailable")) };
    const first = batch();
    await expect(consumeEventBatch(first, { bucket: failing })).rejects.toThrow("R2 unavailable");
    const firstResult = await getQueueResult(first, createExecutionContext());
    expect(firstResult.explicitAcks).toEqual([]);
    expect(await keys()).toEqual([]);
    // 2. The redelivery writes, then the worker dies before acking.
    const dying: EventBatchTarget = {
      put: async (key, value, options) => {
        await baseEnv.ARTIFACTS.put(key, value, options);
        throw new Error("killed after the write");
      },
    };
    const second = batch();
    await expect(consumeEventBatch(second, { bucket: dying })).rejects.toThrow("killed");
    expect((await getQueueResult(second, createExecutionContext())).explicitAcks).toEqual([]);
    // 3. The next redelivery completes.
    const third = await deliver(batch());
    expect(third.explicitAcks).toHaveLength(30);
    expect(await keys()).toHaveLength(1);
    const stored = await storedEvents();
    expect(stored.map((e) => e.id).sort()).toEqual(messages(100, 30).map((m) => (m.body as { events: StoredEvent[] }).events[0].id).sort());
  });

  it("sends poison messages to the dead-letter queue and still stores the good ones", async () => {
    const sent: unknown[] = [];
    const dlq = { sendBatch: async (m: Iterable<MessageSendRequest<unknown>>) => void sent.push(...m) };
    const batch = createMessageBatch("edgerec-events", messages(0, 5, ["garbage", { events: [{ type: "click" }] }]));
    const result = await consumeEventBatch(batch, { bucket: baseEnv.ARTIFACTS, deadLetters: dlq });
    expect(result).toMatchObject({ stored: 5, deadLettered: 2 });
    expect(sent).toHaveLength(2);
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toHaveLength(7);
    // Through the real DLQ producer binding as well.
    const real = await deliver(createMessageBatch("edgerec-events", messages(10, 1, [null])));
    expect(real.explicitAcks).toHaveLength(2);
  });

  it("without a dead-letter binding, poison is retried (the queue's max_retries then dead-letters it)", async () => {
    const batch = createMessageBatch("edgerec-events", messages(0, 2, [[1, 2]]));
    await consumeEventBatch(batch, { bucket: baseEnv.ARTIFACTS });
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["bad0"]);
    expect(result.explicitAcks).toHaveLength(2);
  });
});
