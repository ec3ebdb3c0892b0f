/**
 * Local publishing storage (miniflareStores: R2 and KV over plain HTTP to a store worker in
 * Miniflare). Its contract is that of every ObjectStore: bytes in, the same bytes out, in any
 * typed-array form and at artifact sizes; listings with upload times; deletes.
 *
 * The Buffer case is the one Miniflare's binding stubs fail with the bare "false == true" (their
 * argument check runs inside workerd, which cannot quote the failed expression); it shows why
 * publishing no longer goes through them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dispatch, LOCAL_STORE_WORKER, LocalHttpR2Store } from "../../../trainer/artifact/local-http-store.ts";
import { miniflareStores } from "../../../trainer/artifact/local-http-store.ts";
import type { ObjectStore } from "../../../trainer/artifact/object-store.ts";

let persist: string;
let store: ObjectStore;
let dispose: () => Promise<void>;

beforeAll(async () => {
  persist = mkdtempSync(join(tmpdir(), "edgerec-local-store-"));
  ({ store, dispose } = await miniflareStores({ persistTo: persist, backend: "both" }));
}, 60_000);

afterAll(async () => {
  await dispose?.();
  rmSync(persist, { recursive: true, force: true });
});

/** Bytes whose every position differs from its neighbours, so a shifted or cut copy cannot pass. */
function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) out[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  return out;
}

describe("local storage over HTTP (R2 and KV)", () => {
  it("stores a Node Buffer, a view into a larger buffer and an artifact-sized object byte for byte", async () => {
    const big = pattern(12 * 1024 * 1024 + 7, 1);
    const inner = pattern(4096, 2);
    const cases: [string, Uint8Array][] = [
      ["artifacts/t/buffer.bin", Buffer.from(pattern(1000, 3))],
      ["artifacts/t/view.bin", new Uint8Array(inner.buffer, 100, 3000)],
      ["artifacts/t/big.bin", big],
      ["artifacts/t/empty.json", new Uint8Array(0)],
    ];
    for (const [key, bytes] of cases) await store.put(key, bytes);
    for (const [key, bytes] of cases) {
      const back = await store.get(key);
      expect(back, key).not.toBeNull();
      expect(back!.byteLength, key).toBe(bytes.byteLength);
      expect(Buffer.from(back!).equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)), key).toBe(true);
    }
  }, 120_000);

  it("lists keys under a prefix with their upload times, reads a missing key as null and deletes", async () => {
    const before = Date.now();
    await store.put("artifacts/l/a.bin", new Uint8Array([1]));
    await store.put("artifacts/l/b.bin", new Uint8Array([2]));
    await store.put("artifacts/other.bin", new Uint8Array([3]));
    const listed = await store.list!("artifacts/l/");
    expect(listed.map((o) => o.key).sort()).toEqual(["artifacts/l/a.bin", "artifacts/l/b.bin"]);
    for (const o of listed) expect(o.uploadedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(await store.get("artifacts/l/none.bin")).toBeNull();
    await store.delete("artifacts/l/a.bin");
    expect(await store.get("artifacts/l/a.bin")).toBeNull();
    expect((await store.list!("artifacts/l/")).map((o) => o.key)).toEqual(["artifacts/l/b.bin"]);
  }, 60_000);

  it("sends an operation again when workerd dropped the idle connection before answering, and says what failed when it keeps dropping", async () => {
    const mf = new Miniflare({ modules: true, script: LOCAL_STORE_WORKER, r2Buckets: { ARTIFACTS: "edgerec-artifacts" } });
    try {
      let drops = 1;
      // Miniflare's fetch, except that the first `drops` requests meet a connection closed under them.
      const flaky: Dispatch = {
        dispatchFetch: (url, init) => {
          if (drops-- > 0) return Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }));
          return mf.dispatchFetch(url, init) as never;
        },
      };
      const r2 = new LocalHttpR2Store(flaky);
      await r2.put("artifacts/x/a.bin", new Uint8Array([4, 2]));
      drops = 1;
      expect([...(await r2.get("artifacts/x/a.bin"))!]).toEqual([4, 2]);
      drops = 10;
      await expect(r2.get("artifacts/x/a.bin")).rejects.toThrow(/reading artifacts\/x\/a.bin in local storage failed: fetch failed \(read ECONNRESET\)/);
    } finally {
      await mf.dispose();
    }
  }, 60_000);

  it("lands where wrangler dev reads: the same persist directory seen through Miniflare's own bindings", async () => {
    await store.put("artifacts/w/seen.bin", new Uint8Array([7, 8, 9]));
    const mf = new Miniflare({
      modules: true,
      script: "export default { fetch() { return new Response('') } }",
      r2Buckets: { ARTIFACTS: "edgerec-artifacts" },
      kvNamespaces: { KV: "edgerec-local" },
      defaultPersistRoot: join(persist, "v3"),
    });
    try {
      const r2 = (await mf.getR2Bucket("ARTIFACTS")) as unknown as { get(k: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null> };
      const kv = (await mf.getKVNamespace("KV")) as unknown as { get(k: string, t: "arrayBuffer"): Promise<ArrayBuffer | null> };
      expect([...new Uint8Array(await (await r2.get("artifacts/w/seen.bin"))!.arrayBuffer())]).toEqual([7, 8, 9]);
      expect([...new Uint8Array((await kv.get("artifacts/w/seen.bin", "arrayBuffer"))!)]).toEqual([7, 8, 9]);
      // What the stubs do with a Buffer: the failure publishing used to be exposed to.
      const stub = (await mf.getR2Bucket("ARTIFACTS")) as unknown as { put(k: string, v: unknown): Promise<unknown> };
      await expect(async () => stub.put("artifacts/w/buffer.bin", Buffer.from([1]))).rejects.toThrow("false == true");
    } finally {
      await mf.dispose();
    }
  }, 60_000);
});
