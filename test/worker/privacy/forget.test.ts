/**
 * Forgetting a shopper: DELETE /v1/admin/users/:id writes a KV tombstone, the isolate that took
 * it serves the shopper as unknown in the very next request, and another isolate does within
 * its re-read period.
 */
import { beforeEach, describe, expect, inject, it } from "vitest";
import { tombstoneKey } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import { baseEnv, client, download, problemOf, publishR2, unpublishAll } from "../support/helpers.ts";

const { v1 } = inject("artifacts");
const bytes = await download(v1.url);
const ADMIN = "forget-admin-token";
const auth = { authorization: `Bearer ${ADMIN}` };

async function clearTombstones(): Promise<void> {
  const listed = await baseEnv.KV.list({ prefix: "forget/" });
  for (const k of listed.keys) await baseEnv.KV.delete(k.name);
}

describe("forget a shopper", () => {
  beforeEach(async () => {
    await unpublishAll();
    await clearTombstones();
    await publishR2(v1.version, bytes);
  });

  it("the writing isolate serves the shopper as unknown (popular items) in the next request", async () => {
    // A long re-read period: only the isolate's own write can explain the change.
    const api = client({ ADMIN_TOKEN: ADMIN, FORGET_RECHECK_SECONDS: "60", DEMO: "on" });
    const before = await api.json("/v1/users/u3/recommendations?k=5");
    expect(before.body.strategy).not.toBe("popular");
    const popular = await api.json("/v1/popular?k=5");

    const res = await api.json("/v1/admin/users/u3", { method: "DELETE", headers: auth });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: "u3", forgotten: true });
    expect(JSON.parse((await baseEnv.KV.get(tombstoneKey("u3")))!)).toEqual({ forgottenAt: res.body.forgottenAt });

    const after = await api.json("/v1/users/u3/recommendations?k=5", { headers: { "if-none-match": before.headers.get("etag")! } });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ user: "u3", strategy: "popular", fallback: "popular" });
    expect(after.body.items.map((i: { id: string }) => i.id)).toEqual(popular.body.items.map((i: { id: string }) => i.id));
    expect(after.headers.get("cache-control")).toBe("no-store");

    // Every other route treats them as unknown too.
    await problemOf(await api.fetch("/v1/users/u3/history"), 404);
    const listed = await api.json("/v1/users?limit=200");
    expect(listed.body.users.map((u: { id: string }) => u.id)).not.toContain("u3");
    const scored = await api.json("/v1/score", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pairs: [{ user: "u3", item: after.body.items[0].id }] }),
    });
    expect(scored.body.scores[0].known).toEqual({ user: false, item: true });
    // Another shopper is untouched.
    expect((await api.json("/v1/users/u4/recommendations?k=5")).body.strategy).not.toBe("popular");
  });

  it("another isolate picks the tombstone up on its next re-read", async () => {
    const other = client({ FORGET_RECHECK_SECONDS: "0" }, createApp());
    expect((await other.json("/v1/users/u5/recommendations?k=3")).body.strategy).not.toBe("popular");
    const writer = client({ ADMIN_TOKEN: ADMIN });
    expect((await writer.fetch("/v1/admin/users/u5", { method: "DELETE", headers: auth })).status).toBe(200);
    // Re-read period 0: this request starts the re-read, the next one is served from it.
    await other.fetch("/v1/users/u5/recommendations?k=3");
    expect((await other.json("/v1/users/u5/recommendations?k=3")).body.strategy).toBe("popular");
  });

  it("a fresh isolate reads the tombstones before its first personal answer", async () => {
    expect((await client({}, createApp()).json("/v1/users/u6/recommendations?k=3")).body.strategy).not.toBe("popular");
    await baseEnv.KV.put(tombstoneKey("u6"), JSON.stringify({ forgottenAt: new Date().toISOString() }));
    const fresh = client({}, createApp());
    expect((await fresh.json("/v1/users/u6/recommendations?k=3")).body.strategy).toBe("popular");
  });

  it("needs the admin bearer token", async () => {
    const api = client({ ADMIN_TOKEN: ADMIN });
    await problemOf(await api.fetch("/v1/admin/users/u3", { method: "DELETE" }), 401);
    await problemOf(await api.fetch("/v1/admin/users/u3", { method: "DELETE", headers: { authorization: "Bearer nope" } }), 401);
    await problemOf(await client({ ADMIN_TOKEN: "" }).fetch("/v1/admin/users/u3", { method: "DELETE", headers: auth }), 401);
    expect(await baseEnv.KV.get(tombstoneKey("u3"))).toBeNull();
  });

  it("ids with slashes and non-ASCII characters round-trip through the tombstone key", async () => {
    const api = client({ ADMIN_TOKEN: ADMIN });
    const id = "shop/ü 7";
    expect((await api.fetch(`/v1/admin/users/${encodeURIComponent(id)}`, { method: "DELETE", headers: auth })).status).toBe(200);
    const fresh = client({}, createApp());
    const res = await fresh.json(`/v1/users/${encodeURIComponent(id)}/recommendations?k=2`);
    expect(res.body.user).toBe(id);
    expect(await baseEnv.KV.get(tombstoneKey(id))).not.toBeNull();
  });
});
