/** POST /v1/admin/events/purge over the real R2 and KV bindings: paging, rewriting, deleting, idempotence. */
import { afterEach, describe, expect, it } from "vitest";
import { batchObjectKey, FORGET_PREFIX, type StoredEvent, tombstoneKey } from "../../../src/artifact/index.ts";
import { gzip } from "../../../src/events/consumer.ts";
import { baseEnv, client, problemOf } from "../support/helpers.ts";
import { clearEvents, gunzipText } from "./stored.ts";

const admin = client({ ADMIN_TOKEN: "s3cret" });
const auth = { authorization: "Bearer s3cret" };
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 0, 0, 0);

function event(n: number, who: { user?: string; session?: string }): StoredEvent {
  return { id: `e${n}`, type: "view", item: `i${n % 7}`, ts: T0 + n, receivedAt: T0 + n, ...who };
}

async function clearTombstones(): Promise<void> {
  const listed = await baseEnv.KV.list({ prefix: FORGET_PREFIX });
  for (const k of listed.keys) await baseEnv.KV.delete(k.name);
}

/** Five partitions: mixed, kept-only, forgotten-only, mixed with a non-JSON line, kept-only. */
async function seed(): Promise<Map<string, string[]>> {
  const objects = new Map<string, string[]>();
  const lines = (events: StoredEvent[]) => events.map((e) => JSON.stringify(e));
  objects.set(batchObjectKey(T0, "a".repeat(32)), lines([event(1, { user: "gone" }), event(2, { user: "kept" }), event(3, { session: "s1" }), event(4, { user: "gone" })]));
  objects.set(batchObjectKey(T0 + HOUR, "b".repeat(32)), lines([event(5, { user: "kept" }), event(6, { user: "kept", session: "gone" })]));
  objects.set(batchObjectKey(T0 + 2 * HOUR, "c".repeat(32)), lines([event(7, { user: "gone" }), event(8, { user: "gone" })]));
  objects.set(batchObjectKey(T0 + 3 * HOUR, "d".repeat(32)), ["{not json", ...lines([event(9, { user: "gone" }), event(10, { user: "other" })])]);
  objects.set(batchObjectKey(T0 + 4 * HOUR, "e".repeat(32)), lines([event(11, { user: "other" })]));
  for (const [key, ls] of objects) await baseEnv.ARTIFACTS.put(key, await gzip(ls.join("\n") + "\n"));
  return objects;
}

async function purgeAll(limit: number): Promise<{ pages: number; totals: Record<string, number> }> {
  const totals: Record<string, number> = { scanned: 0, rewritten: 0, deleted: 0, dropped: 0, unparsed: 0 };
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await admin.post("/v1/admin/events/purge", cursor ? { cursor, limit } : { limit }, auth);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Record<string, number> & { cursor: string | null; forgotten: number };
    expect(page.forgotten).toBe(1);
    for (const k of Object.keys(totals)) totals[k] += page[k];
    cursor = page.cursor ?? undefined;
    pages++;
  } while (cursor && pages < 20);
  return { pages, totals };
}

describe("POST /v1/admin/events/purge", () => {
  afterEach(async () => {
    await clearEvents();
    await clearTombstones();
  });

  it("pages through every event object, drops the forgotten shopper's events and keeps the rest line for line", async () => {
    await clearEvents();
    await clearTombstones();
    const seeded = await seed();
    await baseEnv.KV.put(tombstoneKey("gone"), JSON.stringify({ forgottenAt: new Date(T0).toISOString() }));

    const first = await purgeAll(2);
    expect(first.pages).toBe(3);
    expect(first.totals).toEqual({ scanned: 5, rewritten: 2, deleted: 1, dropped: 5, unparsed: 1 });

    const keys = [...seeded.keys()];
    const remaining = new Map<string, string[]>();
    for (const key of keys) {
      const object = await baseEnv.ARTIFACTS.get(key);
      if (object) remaining.set(key, (await gunzipText(await object.arrayBuffer())).split("\n").filter(Boolean));
    }
    // The forgotten-only object is gone; every other line is exactly as it was, in order.
    expect([...remaining.keys()]).toEqual([keys[0], keys[1], keys[3], keys[4]]);
    for (const [key, lines] of remaining) expect(lines).toEqual(seeded.get(key)!.filter((l) => !l.includes('"user":"gone"')));
    // A session id that happens to equal a forgotten user id is not a user field: that event stays.
    expect(remaining.get(keys[1])).toHaveLength(2);

    // Idempotent: a second pass finds nothing to drop and writes nothing.
    const uploaded = (await baseEnv.ARTIFACTS.head(keys[4]))!.uploaded.getTime();
    const again = await purgeAll(2);
    expect(again.totals).toEqual({ scanned: 4, rewritten: 0, deleted: 0, dropped: 0, unparsed: 1 });
    expect((await baseEnv.ARTIFACTS.head(keys[4]))!.uploaded.getTime()).toBe(uploaded);
  });

  it("does nothing when no shopper is forgotten", async () => {
    await clearEvents();
    await clearTombstones();
    const seeded = await seed();
    const res = await admin.post("/v1/admin/events/purge", {}, auth);
    expect(await res.json()).toEqual({ forgotten: 0, scanned: 0, rewritten: 0, deleted: 0, dropped: 0, unparsed: 0, cursor: null });
    for (const key of seeded.keys()) expect(await baseEnv.ARTIFACTS.head(key)).not.toBeNull();
  });

  it("refuses callers without the admin token and invalid bodies", async () => {
    await problemOf(await admin.post("/v1/admin/events/purge", {}), 401);
    await problemOf(await admin.post("/v1/admin/events/purge", {}, { authorization: "Bearer wrong" }), 401);
    await problemOf(await client().post("/v1/admin/events/purge", {}, auth), 401);
    const bad = await problemOf(await admin.post("/v1/admin/events/purge", { limit: 1000 }, auth), 400);
    expect(JSON.stringify(bad)).toContain("limit");
    await problemOf(await admin.post("/v1/admin/events/purge", { limit: 2, extra: true }, auth), 400);
    await problemOf(await admin.post("/v1/admin/events/purge", "{", auth), 400);
  });

  it("is documented in the OpenAPI description", async () => {
    const doc = await admin.json("/openapi.json");
    expect(doc.body.paths["/v1/admin/events/purge"].post.security).toEqual([{ bearer: [] }]);
  });
});
