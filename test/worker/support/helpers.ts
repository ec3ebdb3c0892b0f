/** Test plumbing: publish artifacts into the real R2/KV bindings and call an app instance. */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env as workerEnv, exports as workerExports } from "cloudflare:workers";
import { artifactKey, CURRENT_KEY, type CurrentPointer } from "../../../src/artifact/index.ts";
import { createApp, type EdgerecApp } from "../../../src/app.ts";
import type { Env } from "../../../src/config.ts";

export const baseEnv = workerEnv as unknown as Env;

/** The worker's default export (src/index.ts: one app and store per isolate). Typed here because
 * `wrangler types` output (worker-configuration.d.ts) is not checked in. */
export const worker = (workerExports as unknown as { default: { fetch(input: string, init?: RequestInit): Promise<Response> } }).default;

export function pointerFor(version: string, bytes: number): CurrentPointer {
  return {
    version,
    layout: "single",
    key: artifactKey(version),
    createdAt: "2026-11-29T00:00:00.000Z",
    publishedAt: new Date().toISOString(),
    metrics: {},
    headlineMetric: "ndcg@10",
    bytes,
  };
}

/** Uploads the version's object, then flips `current` — the order `edgerec publish` uses. */
export async function publishR2(version: string, bytes: Uint8Array, flip = true): Promise<void> {
  await baseEnv.ARTIFACTS.put(artifactKey(version), new Uint8Array(bytes));
  if (flip) await baseEnv.ARTIFACTS.put(CURRENT_KEY, JSON.stringify(pointerFor(version, bytes.byteLength)));
}

export async function publishKV(version: string, bytes: Uint8Array): Promise<void> {
  await baseEnv.KV.put(artifactKey(version), new Uint8Array(bytes));
  await baseEnv.KV.put(CURRENT_KEY, JSON.stringify(pointerFor(version, bytes.byteLength)));
}

export async function unpublishAll(): Promise<void> {
  const listed = await baseEnv.ARTIFACTS.list({ prefix: "artifacts/" });
  for (const o of listed.objects) await baseEnv.ARTIFACTS.delete(o.key);
  const keys = await baseEnv.KV.list({ prefix: "artifacts/" });
  for (const k of keys.keys) await baseEnv.KV.delete(k.name);
}

/** Downloads artifact bytes that global-setup.ts built and serves on loopback (cached per test file). */
const downloads = new Map<string, Promise<Uint8Array>>();
export function download(url: string): Promise<Uint8Array> {
  let pending = downloads.get(url);
  if (!pending) {
    pending = fetch(url).then(async (res) => {
      if (!res.ok) throw new Error(`setup server answered ${res.status} for ${url}`);
      return new Uint8Array(await res.arrayBuffer());
    });
    downloads.set(url, pending);
  }
  return pending.then((b) => b.slice());
}

export interface Client {
  app: EdgerecApp;
  env: Env;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  json(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: any }>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** A fresh app (own in-memory store) over the real bindings, with config overrides. */
export function client(vars: Partial<Env> = {}, app: EdgerecApp = createApp()): Client {
  const env = { ...baseEnv, ARTIFACT_RECHECK_SECONDS: "0", ...vars } as Env;
  const fetch = async (path: string, init?: RequestInit) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`https://api.edgerec.test${path}`, init), env, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  return {
    app,
    env,
    fetch,
    async json(path, init) {
      const res = await fetch(path, init);
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
    },
    post(path, body, headers = {}) {
      return fetch(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    },
  };
}

/** Asserts an RFC 9457 problem response without internals, and returns its body. */
export async function problemOf(res: Response, status: number): Promise<any> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text.slice(0, 300)}`);
  if (!res.headers.get("content-type")?.startsWith("application/problem+json")) throw new Error(`not problem JSON: ${text.slice(0, 200)}`);
  const body = JSON.parse(text);
  if (body.status !== status || !body.type || !body.title || !body.detail) throw new Error(`malformed problem: ${text}`);
  if (/\bat \S+ \(|\.ts:\d+|node_modules|\/work\//.test(text)) throw new Error(`problem leaks internals: ${text}`);
  return body;
}
