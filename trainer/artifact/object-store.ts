import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACT_BUCKET, KV_BINDING, R2_BINDING } from "../../src/artifact/index.ts";
import { wranglerSearchPath } from "../wrangler/wrangler-path.ts";
import { listR2Objects, r2RestAccessFromEnv } from "./r2-rest-list.ts";

/** The three operations publishing needs, over R2, KV or both (and listing, where the store can: gc needs it). */
export interface ObjectStore {
  readonly name: string;
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** null when the key does not exist. */
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
  /** Every object under `prefix` with when it was uploaded (ms since epoch) when the store records it. */
  list?(prefix: string): Promise<ListedObject[]>;
}

export interface ListedObject {
  key: string;
  uploadedAt?: number;
}

export type Backend = "r2" | "kv" | "both";

const WRANGLER_ENV = {
  CI: "1",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

interface WranglerOptions {
  /** Local storage (what `wrangler dev --local` reads) or the Cloudflare account. */
  mode: "local" | "remote";
  /** Local storage directory (wrangler's --persist-to; default .wrangler/state). */
  persistTo?: string;
  cwd?: string;
  /** Remote: the config `edgerec deploy` generated (its KV namespace id) and its R2 bucket. */
  config?: string;
  bucket?: string;
}

function run(args: string[], options: WranglerOptions): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    // The first wrangler on PATH, then the project's (what `npx wrangler` would run).
    const env = { ...process.env, ...WRANGLER_ENV, PATH: wranglerSearchPath() };
    const child = spawn("wrangler", args, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

function locationArgs(options: WranglerOptions): string[] {
  if (options.mode === "remote") return ["--remote", ...(options.config ? ["--config", options.config] : [])];
  return ["--local", ...(options.persistTo ? ["--persist-to", options.persistTo] : [])];
}

function fail(what: string, result: { code: number; stderr: string }): never {
  const detail = result.stderr.trim().split("\n").slice(-5).join("\n");
  throw new Error(`${what} failed (wrangler exit ${result.code}): ${detail}`);
}

/**
 * R2 through `wrangler r2 object put|get|delete`. wrangler cannot list a bucket, so a remote store
 * lists through Cloudflare's REST API when CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID are set
 * (r2-rest-list.ts); without them it has no `list`, and gc says what to set.
 */
export class WranglerR2Store implements ObjectStore {
  readonly name = "r2";
  readonly list?: (prefix: string) => Promise<ListedObject[]>;
  constructor(private readonly options: WranglerOptions) {
    const access = options.mode === "remote" ? r2RestAccessFromEnv(options.bucket ?? ARTIFACT_BUCKET) : undefined;
    if (access) this.list = (prefix) => listR2Objects(access, prefix);
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await withTempFile(bytes, async (file) => {
      const r = await run(["r2", "object", "put", `${this.options.bucket ?? ARTIFACT_BUCKET}/${key}`, "--file", file, ...locationArgs(this.options)], this.options);
      if (r.code !== 0) fail(`uploading ${key} to R2`, r);
    });
  }
  async get(key: string): Promise<Uint8Array | null> {
    const dir = mkdtempSync(join(tmpdir(), "edgerec-get-"));
    try {
      const file = join(dir, "object");
      const r = await run(["r2", "object", "get", `${this.options.bucket ?? ARTIFACT_BUCKET}/${key}`, "--file", file, ...locationArgs(this.options)], this.options);
      if (r.code !== 0) {
        if (/not (be )?found|does not exist|NoSuchKey/i.test(r.stderr + r.stdout.toString())) return null;
        fail(`reading ${key} from R2`, r);
      }
      return new Uint8Array(readFileSync(file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  async delete(key: string): Promise<void> {
    const r = await run(["r2", "object", "delete", `${this.options.bucket ?? ARTIFACT_BUCKET}/${key}`, ...locationArgs(this.options)], this.options);
    if (r.code !== 0) fail(`deleting ${key} from R2`, r);
  }
}

/** KV through `wrangler kv key put|get|delete --binding KV`. */
export class WranglerKvStore implements ObjectStore {
  readonly name = "kv";
  constructor(private readonly options: WranglerOptions) {}
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await withTempFile(bytes, async (file) => {
      const r = await run(["kv", "key", "put", key, "--binding", KV_BINDING, "--path", file, ...locationArgs(this.options)], this.options);
      if (r.code !== 0) fail(`writing ${key} to KV`, r);
    });
  }
  async get(key: string): Promise<Uint8Array | null> {
    const r = await run(["kv", "key", "get", key, "--binding", KV_BINDING, ...locationArgs(this.options)], this.options);
    if (r.code !== 0) {
      if (/not found/i.test(r.stderr + r.stdout.toString())) return null;
      fail(`reading ${key} from KV`, r);
    }
    const out = r.stdout.toString("utf8");
    if (/^Value not found/i.test(out)) return null;
    return new Uint8Array(r.stdout);
  }
  async delete(key: string): Promise<void> {
    const r = await run(["kv", "key", "delete", key, "--binding", KV_BINDING, ...locationArgs(this.options)], this.options);
    if (r.code !== 0) fail(`deleting ${key} from KV`, r);
  }
  async list(prefix: string): Promise<ListedObject[]> {
    const r = await run(["kv", "key", "list", "--binding", KV_BINDING, "--prefix", prefix, ...locationArgs(this.options)], this.options);
    if (r.code !== 0) fail(`listing ${prefix} in KV`, r);
    const keys = JSON.parse(r.stdout.toString("utf8")) as { name: string; metadata?: { uploadedAt?: number } }[];
    return keys.map((k) => ({ key: k.name, uploadedAt: k.metadata?.uploadedAt }));
  }
}

/** Writes go to every store (in order); reads come from the first. */
export class BothStores implements ObjectStore {
  readonly name: string;
  constructor(private readonly stores: ObjectStore[]) {
    this.name = stores.map((s) => s.name).join("+");
    this.list = this.listAll();
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    for (const s of this.stores) await s.put(key, bytes);
  }
  get(key: string): Promise<Uint8Array | null> {
    return this.stores[0].get(key);
  }
  async delete(key: string): Promise<void> {
    for (const s of this.stores) await s.delete(key);
  }
  /** Present only when every store can list: an object in any of them is listed (the newest upload time wins). */
  readonly list?: (prefix: string) => Promise<ListedObject[]>;
  private listAll(): ((prefix: string) => Promise<ListedObject[]>) | undefined {
    return this.stores.every((s) => s.list)
    ? async (prefix: string): Promise<ListedObject[]> => {
        const all = new Map<string, ListedObject>();
        for (const s of this.stores) {
          for (const o of await s.list!(prefix)) {
            const seen = all.get(o.key);
            all.set(o.key, { key: o.key, uploadedAt: Math.max(seen?.uploadedAt ?? -Infinity, o.uploadedAt ?? -Infinity) });
          }
        }
        return [...all.values()].map((o) => (Number.isFinite(o.uploadedAt) ? o : { key: o.key }));
      }
    : undefined;
  }
}

export function wranglerStore(backend: Backend, options: WranglerOptions): ObjectStore {
  if (backend === "r2") return new WranglerR2Store(options);
  if (backend === "kv") return new WranglerKvStore(options);
  return new BothStores([new WranglerR2Store(options), new WranglerKvStore(options)]);
}

async function withTempFile<T>(bytes: Uint8Array, f: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-put-"));
  try {
    const file = join(dir, "object");
    writeFileSync(file, bytes);
    return await f(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
