/**
 * Local R2/KV for publishing, spoken as plain HTTP to a tiny worker inside Miniflare
 * (`dispatchFetch`): object bytes travel as request and response bodies.
 *
 * Why not Miniflare's binding stubs (`getR2Bucket`/`getKVNamespace`)? Those proxy every call
 * through Miniflare's object protocol: arguments serialised as base64 JSON, results parked in a
 * "heap" of live objects inside workerd and addressed by number from Node, the first call of each
 * function made synchronously from a worker thread. Every step of that protocol is checked with
 * `node:assert` running inside workerd, where no source is at hand to quote, so any failed check
 * (a Node Buffer handed to `put`, a stub whose heap entry is gone) reaches the CLI as the bare
 * "false == true" — `edgerec publish --local` once died with exactly that after its uploads. Here
 * nothing but bytes and short JSON listings crosses: no heap, no stubs, no synchronous calls.
 */
import { join } from "node:path";
import { ARTIFACT_BUCKET, KV_BINDING, R2_BINDING } from "../../src/artifact/index.ts";
import { type Backend, BothStores, type ListedObject, type ObjectStore } from "./object-store.ts";
import { guardWorkerdChildren } from "./orphan-guard.ts";

/** The worker Miniflare runs for local storage; `ARTIFACTS` and `KV` are bound by the caller. */
export const LOCAL_STORE_WORKER = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, kind, op] = url.pathname.split("/");
    const key = url.searchParams.get("key") ?? "";
    try {
      if (kind === "r2") {
        const bucket = env.ARTIFACTS;
        if (op === "list") {
          const page = await bucket.list({ prefix: url.searchParams.get("prefix") ?? "", cursor: url.searchParams.get("cursor") ?? undefined });
          return Response.json({ objects: page.objects.map((o) => ({ key: o.key, uploaded: o.uploaded.getTime() })), truncated: page.truncated, cursor: page.truncated ? page.cursor : undefined });
        }
        if (request.method === "PUT") { await bucket.put(key, await request.arrayBuffer()); return new Response(null, { status: 204 }); }
        if (request.method === "DELETE") { await bucket.delete(key); return new Response(null, { status: 204 }); }
        const object = await bucket.get(key);
        return object ? new Response(object.body) : new Response(null, { status: 404 });
      }
      if (kind === "kv") {
        const kv = env.KV;
        if (op === "list") {
          const page = await kv.list({ prefix: url.searchParams.get("prefix") ?? "", cursor: url.searchParams.get("cursor") ?? undefined });
          return Response.json({ keys: page.keys, list_complete: page.list_complete, cursor: page.list_complete ? undefined : page.cursor });
        }
        if (request.method === "PUT") {
          await kv.put(key, await request.arrayBuffer(), { metadata: { uploadedAt: Number(url.searchParams.get("uploadedAt")) } });
          return new Response(null, { status: 204 });
        }
        if (request.method === "DELETE") { await kv.delete(key); return new Response(null, { status: 204 }); }
        const value = await kv.get(key, "arrayBuffer");
        return value ? new Response(value) : new Response(null, { status: 404 });
      }
      return new Response("unknown store " + kind, { status: 400 });
    } catch (err) {
      return new Response(String(err && err.stack || err), { status: 500 });
    }
  },
};
`;

/** What the stores need of Miniflare: its `dispatchFetch`. */
export interface Dispatch {
  dispatchFetch(url: string, init?: { method?: string; body?: Uint8Array }): Promise<{ status: number; text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer>; json(): Promise<unknown> }>;
}

const ORIGIN = "http://local-store";

/** How often an operation is tried when the connection to workerd drops before an answer. */
const ATTEMPTS = 3;

/**
 * A keep-alive connection workerd closed after sitting idle (it does so after ~5 s; on a starved
 * machine the client's own idle timer can fire later than that) fails the next request sent on it
 * before any answer. Every operation here is idempotent (put the same bytes, get, delete, list),
 * so it is simply sent again on a fresh connection.
 */
function connectionDropped(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return ["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"].includes(cause?.code ?? "") || /other side closed/i.test(cause?.message ?? "");
}

async function call(mf: Dispatch, what: string, path: string, init?: { method?: string; body?: Uint8Array }): Promise<{ status: number; arrayBuffer(): Promise<ArrayBuffer>; json(): Promise<unknown> }> {
  for (let attempt = 1; ; attempt++) {
    let res: Awaited<ReturnType<Dispatch["dispatchFetch"]>>;
    try {
      res = await mf.dispatchFetch(ORIGIN + path, init);
    } catch (err) {
      if (attempt < ATTEMPTS && connectionDropped(err)) continue;
      throw new Error(`${what} in local storage failed: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ""}`);
    }
    if (res.status >= 500 || res.status === 400) throw new Error(`${what} in local storage failed (${res.status}): ${(await res.text()).split("\n")[0]}`);
    return res;
  }
}

const keyQuery = (key: string) => `?key=${encodeURIComponent(key)}`;

/** Local R2 (the bucket `wrangler dev --local` reads) through the store worker. */
export class LocalHttpR2Store implements ObjectStore {
  readonly name = "r2";
  constructor(private readonly mf: Dispatch) {}
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await call(this.mf, `writing ${key}`, `/r2/object${keyQuery(key)}`, { method: "PUT", body: bytes });
  }
  async get(key: string): Promise<Uint8Array | null> {
    const res = await call(this.mf, `reading ${key}`, `/r2/object${keyQuery(key)}`);
    return res.status === 404 ? null : new Uint8Array(await res.arrayBuffer());
  }
  async delete(key: string): Promise<void> {
    await call(this.mf, `deleting ${key}`, `/r2/object${keyQuery(key)}`, { method: "DELETE" });
  }
  async list(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let cursor: string | undefined;
    do {
      const query = `?prefix=${encodeURIComponent(prefix)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = (await (await call(this.mf, `listing ${prefix}`, `/r2/list${query}`)).json()) as { objects: { key: string; uploaded: number }[]; truncated: boolean; cursor?: string };
      for (const o of page.objects) out.push({ key: o.key, uploadedAt: o.uploaded });
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return out;
  }
}

/** Local KV (the namespace `wrangler dev --local` reads) through the store worker; records upload times as metadata for gc. */
export class LocalHttpKvStore implements ObjectStore {
  readonly name = "kv";
  constructor(private readonly mf: Dispatch) {}
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await call(this.mf, `writing ${key}`, `/kv/value${keyQuery(key)}&uploadedAt=${Date.now()}`, { method: "PUT", body: bytes });
  }
  async get(key: string): Promise<Uint8Array | null> {
    const res = await call(this.mf, `reading ${key}`, `/kv/value${keyQuery(key)}`);
    return res.status === 404 ? null : new Uint8Array(await res.arrayBuffer());
  }
  async delete(key: string): Promise<void> {
    await call(this.mf, `deleting ${key}`, `/kv/value${keyQuery(key)}`, { method: "DELETE" });
  }
  async list(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let cursor: string | undefined;
    do {
      const query = `?prefix=${encodeURIComponent(prefix)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = (await (await call(this.mf, `listing ${prefix}`, `/kv/list${query}`)).json()) as { keys: { name: string; metadata?: { uploadedAt?: number } }[]; list_complete: boolean; cursor?: string };
      for (const k of page.keys) out.push({ key: k.name, uploadedAt: k.metadata?.uploadedAt });
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return out;
  }
}

/**
 * Local storage through Miniflare in-process: one workerd start instead of one wrangler
 * process per object. Persists where `wrangler dev --local --persist-to <dir>` reads
 * (<dir>/v3/{r2,kv}/<bucket or namespace id>), default .wrangler/state.
 */
export async function miniflareStores(options: { persistTo?: string; kvNamespaceId?: string; backend: Backend }): Promise<{ store: ObjectStore; dispose(): Promise<void> }> {
  const { Miniflare } = await import("miniflare");
  const root = join(options.persistTo ?? ".wrangler/state", "v3");
  // Plain HTTP to the store worker above, not Miniflare's binding stubs (see the top of this file).
  const mf = new Miniflare({
    modules: true,
    script: LOCAL_STORE_WORKER,
    // The store worker reads env.ARTIFACTS and env.KV: the names wrangler.toml binds.
    r2Buckets: { [R2_BINDING]: ARTIFACT_BUCKET },
    kvNamespaces: { [KV_BINDING]: options.kvNamespaceId ?? "edgerec-local" },
    defaultPersistRoot: root,
  });
  await mf.ready;
  const stores: ObjectStore[] = [];
  if (options.backend !== "kv") stores.push(new LocalHttpR2Store(mf));
  if (options.backend !== "r2") stores.push(new LocalHttpKvStore(mf));
  // workerd is running now: if this process is killed outright, the watchdog takes it down too.
  const unguard = guardWorkerdChildren();
  return {
    store: stores.length === 1 ? stores[0] : new BothStores(stores),
    dispose: async () => {
      unguard();
      await mf.dispose();
    },
  };
}
