/**
 * ObjectStores over Miniflare's R2 and KV bindings (`getR2Bucket`, `getKVNamespace`), for tests that
 * drive publish and gc against real local storage and then inspect or age what they wrote through
 * the same bindings. The CLI's own local path is trainer/artifact/local-http-store.ts.
 */
import type { ListedObject, ObjectStore } from "../../../trainer/artifact/object-store.ts";

/** Structural view of the parts of Miniflare's R2/KV bindings publishing uses. */
interface R2Like {
  put(key: string, value: Uint8Array): Promise<unknown>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  delete(key: string): Promise<void>;
  list(options: { prefix: string; cursor?: string }): Promise<{ objects: { key: string; uploaded: Date }[]; truncated: boolean; cursor?: string }>;
}
interface KvLike {
  put(key: string, value: Uint8Array | ArrayBuffer, options?: { metadata?: unknown }): Promise<void>;
  get(key: string, type: "arrayBuffer"): Promise<ArrayBuffer | null>;
  delete(key: string): Promise<void>;
  list(options: { prefix: string; cursor?: string }): Promise<{ keys: { name: string; metadata?: unknown }[]; list_complete: boolean; cursor?: string }>;
}

/** An R2 bucket binding (Miniflare's `getR2Bucket`, or a Worker's env.ARTIFACTS). */
export class R2BindingStore implements ObjectStore {
  readonly name = "r2";
  constructor(private readonly bucket: R2Like) {}
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.bucket.put(key, new Uint8Array(bytes));
  }
  async get(key: string): Promise<Uint8Array | null> {
    const o = await this.bucket.get(key);
    return o ? new Uint8Array(await o.arrayBuffer()) : null;
  }
  delete(key: string): Promise<void> {
    return this.bucket.delete(key);
  }
  async list(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ prefix, cursor });
      for (const o of page.objects) out.push({ key: o.key, uploadedAt: o.uploaded.getTime() });
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return out;
  }
}

/** A KV namespace binding (Miniflare's `getKVNamespace`, or env.KV). */
export class KvBindingStore implements ObjectStore {
  readonly name = "kv";
  constructor(private readonly kv: KvLike) {}
  async put(key: string, bytes: Uint8Array): Promise<void> {
    // KV keeps no upload time of its own: record it, so gc can tell an abandoned upload from one in progress.
    await this.kv.put(key, new Uint8Array(bytes), { metadata: { uploadedAt: Date.now() } });
  }
  async get(key: string): Promise<Uint8Array | null> {
    const v = await this.kv.get(key, "arrayBuffer");
    return v ? new Uint8Array(v) : null;
  }
  delete(key: string): Promise<void> {
    return this.kv.delete(key);
  }
  async list(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.kv.list({ prefix, cursor });
      for (const k of page.keys) out.push({ key: k.name, uploadedAt: (k.metadata as { uploadedAt?: number } | undefined)?.uploadedAt });
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return out;
  }
}
