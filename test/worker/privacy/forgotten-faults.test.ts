/**
 * When KV cannot list the tombstones: an isolate that has never read them answers user-specific
 * requests with 503 + Retry-After (never a personal answer that might be a forgotten shopper's),
 * while anonymous routes keep working; one that has read them keeps its last list.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { tombstoneKey } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import type { Env } from "../../../src/config.ts";
import { baseEnv, client, download, problemOf, publishR2, unpublishAll } from "../support/helpers.ts";

const { v1 } = inject("artifacts");
const bytes = await download(v1.url);

/** The real KV binding, except that listing fails while `failing` is set (a storage outage). */
function flakyKv(state: { failing: boolean }): KVNamespace {
  const kv = baseEnv.KV;
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "list") return (...args: Parameters<KVNamespace["list"]>) => (state.failing ? Promise.reject(new Error("KV list failed")) : target.list(...args));
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("tombstone listing failures", () => {
  beforeAll(async () => {
    await unpublishAll();
    await publishR2(v1.version, bytes);
    await baseEnv.KV.put(tombstoneKey("u7"), JSON.stringify({ forgottenAt: new Date().toISOString() }));
  });

  it("before the first listing: 503 with Retry-After for user routes, anonymous routes unaffected", async () => {
    const state = { failing: true };
    const api = client({ KV: flakyKv(state), FORGET_RECHECK_SECONDS: "0" } as Partial<Env>, createApp());
    const res = await api.fetch("/v1/users/u7/recommendations?k=3");
    expect(res.headers.get("retry-after")).toBe("5");
    expect((await problemOf(res, 503)).detail).toMatch(/forgotten-shopper list/);
    expect((await api.fetch("/v1/popular?k=3")).status).toBe(200);
    state.failing = false;
    expect((await api.json("/v1/users/u7/recommendations?k=3")).body.strategy).toBe("popular");
  });

  it("after a good listing, a failed re-read keeps the last list", async () => {
    const state = { failing: false };
    const api = client({ KV: flakyKv(state), FORGET_RECHECK_SECONDS: "0" } as Partial<Env>, createApp());
    expect((await api.json("/v1/users/u7/recommendations?k=3")).body.strategy).toBe("popular");
    state.failing = true;
    for (let i = 0; i < 3; i++) {
      const res = await api.json("/v1/users/u7/recommendations?k=3");
      expect(res.status).toBe(200);
      expect(res.body.strategy).toBe("popular");
    }
  });
});
