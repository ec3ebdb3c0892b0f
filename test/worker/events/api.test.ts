/** POST /v1/events inside workerd: framing, per-event problems, limits, and the real queue → R2 path. */
import { describe, expect, inject, it } from "vitest";
import { EVENTS_PREFIX } from "../../../src/artifact/index.ts";
import { baseEnv, client, download, problemOf, publishR2, unpublishAll } from "../support/helpers.ts";
import { clearEvents, waitForEvents } from "./stored.ts";

const api = client();
const ev = (over: Record<string, unknown> = {}) => ({ type: "click", user: "u1", item: "P1", recId: "r1", variant: "control", placement: "pdp", position: 2, ...over });

describe("POST /v1/events", () => {
  it("accepts one JSON event and it arrives in R2 through the queue", async () => {
    await clearEvents();
    const res = await api.post("/v1/events", ev({ id: "one-event", item: "ONLY" }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, rejected: 0, problems: [] });
    const stored = await waitForEvents(1, 15_000, (e) => e.item === "ONLY");
    expect(stored[0]).toMatchObject({ type: "click", user: "u1", item: "ONLY", recId: "r1", variant: "control", placement: "pdp", position: 2 });
    expect(stored[0].ts).toBe(stored[0].receivedAt);
    const keys = (await baseEnv.ARTIFACTS.list({ prefix: EVENTS_PREFIX })).objects.map((o) => o.key);
    expect(keys[0]).toMatch(/^events\/dt=\d{4}-\d{2}-\d{2}\/hr=\d{2}\/[0-9a-f]{32}\.ndjson\.gz$/);
  });

  it("checks each event of an array on its own and names the index and field of every rejected one", async () => {
    const res = await api.post("/v1/events", [ev(), ev({ type: "like" }), ev({ user: undefined, session: undefined }), ev({ position: -1, price: "9" }), ev({ type: "rate" })]);
    expect(res.status).toBe(202);
    const body = await res.json<any>();
    expect(body.accepted).toBe(1);
    expect(body.rejected).toBe(4);
    expect(body.problems.map((p: any) => p.index)).toEqual([1, 2, 3, 4]);
    expect(body.problems[0].errors[0].location).toBe("body[1].type");
    expect(body.problems[1].errors[0].location).toBe("body[2].user");
    expect(body.problems[2].errors.map((e: any) => e.location).sort()).toEqual(["body[3].position", "body[3].price"]);
    expect(body.problems[3].errors[0].location).toBe("body[4].rating");
  });

  it("reads NDJSON, counting a line that is not JSON as one rejected event", async () => {
    const text = [JSON.stringify(ev()), "{not json", JSON.stringify(ev({ type: "purchase", price: 12.5, quantity: 2 }))].join("\n");
    const res = await api.fetch("/v1/events", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: text });
    const body = await res.json<any>();
    expect(res.status).toBe(202);
    expect(body).toMatchObject({ accepted: 2, rejected: 1 });
    expect(body.problems[0]).toMatchObject({ index: 1, errors: [{ location: "body[1]" }] });
  });

  it("reads text/plain bodies as navigator.sendBeacon sends them (a JSON array or NDJSON)", async () => {
    for (const text of [JSON.stringify([ev(), ev({ type: "impression" })]), `${JSON.stringify(ev())}\n${JSON.stringify(ev({ type: "view" }))}\n`]) {
      const res = await api.fetch("/v1/events", { method: "POST", headers: { "content-type": "text/plain;charset=UTF-8" }, body: text });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ accepted: 2, rejected: 0 });
    }
  });

  it("uses a plausible client time and rejects one outside the window", async () => {
    await clearEvents();
    const now = Date.now();
    const res = await api.post("/v1/events", [
      ev({ id: "t-ok", ts: new Date(now - 3600_000).toISOString() }),
      ev({ id: "t-old", ts: now - 30 * 86400_000 }),
      ev({ id: "t-future", ts: now + 86400_000 }),
    ]);
    const body = await res.json<any>();
    expect(body).toMatchObject({ accepted: 1, rejected: 2 });
    expect(body.problems.map((p: any) => p.errors[0].location)).toEqual(["body[1].ts", "body[2].ts"]);
    const [stored] = await waitForEvents(1, 15_000, (e) => e.id.endsWith(":t-ok"));
    expect(Math.abs(stored.ts - (now - 3600_000))).toBeLessThan(1000);
  });

  it("answers 400 with every problem when no event is valid, 413 over 500 events, 415 for other types — never 500", async () => {
    const none = await problemOf(await api.post("/v1/events", [{ type: "nope" }, 42]), 400);
    expect(none).toMatchObject({ accepted: 0, rejected: 2 });
    expect(none.problems[1]).toMatchObject({ index: 1, errors: [{ location: "body[1]" }] });
    await problemOf(await api.post("/v1/events", Array.from({ length: 501 }, () => ev())), 413);
    await problemOf(await api.post("/v1/events", "{oops"), 400);
    await problemOf(await api.post("/v1/events", []), 400);
    await problemOf(await api.fetch("/v1/events", { method: "POST", headers: { "content-type": "application/xml" }, body: "<e/>" }), 415);
    await problemOf(await api.fetch("/v1/events", { method: "POST", headers: { "content-type": "application/json" } }), 400);
    await problemOf(await api.post("/v1/events", JSON.stringify(ev()).padEnd(600 * 1024, " ")), 413);
  });

  it("answers 503 (nothing accepted) without a queue binding", async () => {
    const off = client({ EVENTS: undefined });
    const body = await problemOf(await off.post("/v1/events", ev()), 503);
    expect(body.detail).toMatch(/EVENTS queue/);
  });

  it("stores an event re-sent with the same client id under the same id (readers keep one)", async () => {
    await clearEvents();
    await api.post("/v1/events", ev({ id: "dup-1" }));
    await api.post("/v1/events", ev({ id: "dup-1" }));
    const stored = await waitForEvents(2, 15_000, (e) => e.id.endsWith(":dup-1"));
    expect(new Set(stored.map((e) => e.id)).size).toBe(1);
  });

  it("is in the OpenAPI document with its event schema", async () => {
    const doc = await (await api.fetch("/openapi.json")).json<any>();
    expect(doc.paths["/v1/events"].post.requestBody.content).toHaveProperty("text/plain");
    expect(doc.components.schemas.Event.properties.type.enum).toContain("add_to_cart");
  });
});

describe("recId on recommendation responses", () => {
  it("every list response carries a fresh recId", async () => {
    const { v1 } = inject("artifacts");
    await unpublishAll();
    await publishR2(v1.version, await download(v1.url));
    const a = await client().json("/v1/popular?k=3");
    const b = await client().json("/v1/popular?k=3");
    expect(a.status).toBe(200);
    expect(a.body.recId).toMatch(/^[0-9a-z]{10,}$/);
    expect(b.body.recId).not.toBe(a.body.recId);
  });
});
