/**
 * Where stored event objects are read from: wrangler's local storage (what `wrangler dev
 * --local` writes, through Miniflare in-process), the deployed worker's admin API (--remote),
 * or a directory holding the same events/dt=…/hr=…/ layout (e.g. an R2 bucket synced to disk).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { ARTIFACT_BUCKET, EVENTS_PREFIX, R2_BINDING } from "../../src/artifact/index.ts";
import { InputError } from "../data/types.ts";

export interface EventObjectInfo {
  key: string;
  size: number;
}

export interface EventObjectSource {
  readonly where: string;
  list(prefix: string): Promise<EventObjectInfo[]>;
  get(key: string): Promise<Uint8Array>;
  dispose(): Promise<void>;
}

export interface SourceOptions {
  /** Local storage directory (as wrangler's --persist-to), default .wrangler/state. */
  persistTo?: string;
  /** --remote: the worker's base URL and its ADMIN_TOKEN. */
  api?: string;
  token?: string;
}

/** "local", "remote" or a directory path. */
export async function openEventSource(where: string, opts: SourceOptions = {}): Promise<EventObjectSource> {
  if (where === "local") return miniflareSource(resolve(opts.persistTo ?? ".wrangler/state"));
  if (where === "remote") {
    const api = opts.api ?? process.env.EDGEREC_API;
    const token = opts.token ?? process.env.EDGEREC_ADMIN_TOKEN;
    if (!api) throw new InputError("--remote reads events through the deployed worker: pass --api <url> (or set EDGEREC_API)");
    if (!token) throw new InputError("--remote needs the worker's admin token: set EDGEREC_ADMIN_TOKEN (the ADMIN_TOKEN secret)");
    return httpSource(api, token);
  }
  return directorySource(resolve(where));
}

export function directorySource(dir: string): EventObjectSource {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new InputError("events directory not found", dir, undefined, "pass local, remote, or a directory holding events/dt=…/hr=…/*.ndjson.gz");
  }
  if (!st.isDirectory()) throw new InputError("is not a directory", dir, undefined, "pass the directory that holds events/ (or the events/ directory itself)");
  // Accept both <dir>/events/dt=… and <dir>/dt=… (the events/ directory itself).
  const base = statSafe(join(dir, "events")) ? join(dir, "events") : dir;
  const walk = (d: string, out: EventObjectInfo[]) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const s = statSync(full);
      if (s.isDirectory()) walk(full, out);
      else if (/\.ndjson(\.gz)?$/.test(name)) out.push({ key: `${EVENTS_PREFIX}${relative(base, full).split(sep).join("/")}`, size: s.size });
    }
  };
  return {
    where: `directory ${dir}`,
    async list(prefix) {
      const out: EventObjectInfo[] = [];
      walk(base, out);
      return out.filter((o) => o.key.startsWith(prefix));
    },
    async get(key) {
      return new Uint8Array(readFileSync(join(base, key.slice(EVENTS_PREFIX.length))));
    },
    async dispose() {},
  };
}

function statSafe(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

interface R2ListLike {
  list(o: { prefix: string; cursor?: string }): Promise<{ objects: { key: string; size: number }[]; truncated: boolean; cursor?: string }>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
}

export async function miniflareSource(persistTo: string): Promise<EventObjectSource> {
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    r2Buckets: { [R2_BINDING]: ARTIFACT_BUCKET },
    defaultPersistRoot: join(persistTo, "v3"),
  });
  const bucket = (await mf.getR2Bucket(R2_BINDING)) as unknown as R2ListLike;
  return bucketSource(`local R2 in ${persistTo}`, bucket, () => mf.dispose());
}

export function bucketSource(where: string, bucket: R2ListLike, dispose: () => Promise<void> = async () => {}): EventObjectSource {
  return {
    where,
    async list(prefix) {
      const out: EventObjectInfo[] = [];
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix, cursor });
        for (const o of page.objects) out.push({ key: o.key, size: o.size });
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return out;
    },
    async get(key) {
      const o = await bucket.get(key);
      if (!o) throw new InputError(`event object ${key} disappeared while reading`);
      return new Uint8Array(await o.arrayBuffer());
    },
    dispose,
  };
}

export function httpSource(api: string, token: string): EventObjectSource {
  const base = api.replace(/\/+$/, "");
  const call = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new InputError(`${base}${path} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return res;
  };
  return {
    where: `worker ${base}`,
    async list(prefix) {
      const out: EventObjectInfo[] = [];
      let cursor: string | null = null;
      do {
        const q: string = `?prefix=${encodeURIComponent(prefix)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const page = (await (await call(`/v1/admin/events${q}`)).json()) as { objects: EventObjectInfo[]; cursor: string | null };
        out.push(...page.objects);
        cursor = page.cursor;
      } while (cursor);
      return out;
    },
    async get(key) {
      return new Uint8Array(await (await call(`/v1/admin/events/object?key=${encodeURIComponent(key)}`)).arrayBuffer());
    },
    async dispose() {},
  };
}
