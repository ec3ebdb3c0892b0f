/**
 * Where the worker reads published artifacts from: R2 (default) or KV, chosen by config.
 * Both expose the same two reads, each bounded by a timeout so a stuck binding yields an
 * error (and a 503 with Retry-After) instead of a hung request.
 */
import { CURRENT_KEY, type CurrentPointer, readWithDigest } from "../artifact/index.ts";
import type { Config, Env } from "../config.ts";
import { withTimeout } from "./timeout.ts";

export interface ArtifactSource {
  readonly name: "r2" | "kv";
  /** The `current` pointer, or null when nothing has been published. */
  pointer(): Promise<CurrentPointer | null>;
  /** The bytes stored at `key`, or null when absent; `size` (when known) allows parallel range reads. */
  bytes(key: string, size?: number): Promise<Uint8Array | null>;
  /**
   * The bytes at `key` with the SHA-256 of bytes [CHECKSUM_START_OFFSET, end) computed while
   * they streamed in (readWithDigest), so a shard is verified without hashing it a second time.
   */
  verifiedBytes(key: string): Promise<{ bytes: Uint8Array; digest: Uint8Array } | null>;
  /** Which of `keys` do not exist (without downloading them). */
  missing(keys: readonly string[]): Promise<string[]>;
}

export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StorageError";
  }
}

export class PointerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PointerError";
  }
}

export function parsePointer(text: string): CurrentPointer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PointerError("the `current` pointer is not valid JSON");
  }
  const p = value as Partial<CurrentPointer> | null;
  if (!p || typeof p !== "object" || typeof p.version !== "string" || !p.version) {
    throw new PointerError("the `current` pointer has no `version`");
  }
  if (typeof p.key !== "string" || !p.key) throw new PointerError(`the \`current\` pointer of version ${p.version} has no \`key\``);
  return p as CurrentPointer;
}

/**
 * Reads a large object as parallel byte ranges into one buffer: a cold isolate waits for the
 * slowest range instead of one long sequential stream. Null when the object is gone.
 */
async function rangedRead(bucket: R2Bucket, key: string, size: number, chunk: number, timeoutMs: number): Promise<Uint8Array | null> {
  const out = new Uint8Array(size);
  const parts: Promise<boolean>[] = [];
  for (let offset = 0; offset < size; offset += chunk) {
    const length = Math.min(chunk, size - offset);
    parts.push(
      (async () => {
        const obj = await withTimeout(bucket.get(key, { range: { offset, length } }), timeoutMs, `R2 range read of ${key}`);
        if (!obj) return false;
        // A stale size in the pointer must not truncate a good artifact: use the object's own size.
        if (obj.size !== size) throw new StorageError(`R2 object ${key} is ${obj.size} bytes, not ${size}`);
        const bytes = new Uint8Array(await withTimeout(obj.arrayBuffer(), timeoutMs, `R2 body of ${key}`));
        if (bytes.byteLength !== length) throw new StorageError(`R2 range read of ${key} returned ${bytes.byteLength} bytes, expected ${length}`);
        out.set(bytes, offset);
        return true;
      })(),
    );
  }
  const found = await Promise.all(parts);
  return found.every(Boolean) ? out : null;
}

/** The names stored under the folders of `keys`, read page by page with the store's list. */
async function listedUnder(keys: readonly string[], page: (prefix: string, cursor?: string) => Promise<{ names: string[]; cursor?: string }>): Promise<Set<string>> {
  const present = new Set<string>();
  for (const prefix of new Set(keys.map((k) => k.slice(0, k.lastIndexOf("/") + 1)))) {
    let cursor: string | undefined;
    do {
      const listed = await page(prefix, cursor);
      for (const name of listed.names) present.add(name);
      cursor = listed.cursor;
    } while (cursor);
  }
  return present;
}

function r2Source(bucket: R2Bucket, timeoutMs: number, rangeBytes: number): ArtifactSource {
  const read = async (key: string): Promise<R2ObjectBody | null> => {
    try {
      return await withTimeout(bucket.get(key), timeoutMs, `R2 read of ${key}`);
    } catch (err) {
      throw new StorageError(`R2 read of ${key} failed: ${(err as Error).message}`);
    }
  };
  return {
    name: "r2",
    async pointer() {
      const obj = await read(CURRENT_KEY);
      if (!obj) return null;
      return parsePointer(await withTimeout(obj.text(), timeoutMs, `R2 body of ${CURRENT_KEY}`));
    },
    async missing(keys) {
      // A sharded version has hundreds of shards (~1,500 at 1M items): listing its prefix
      // (1,000 names per call) is a couple of reads where one HEAD per shard would be hundreds,
      // all competing with the first request's own shard reads on a cold start.
      if (keys.length > 8) {
        const present = await listedUnder(keys, async (prefix, cursor) => {
          let page: R2Objects;
          try {
            page = await withTimeout(bucket.list({ prefix, cursor }), timeoutMs, `R2 list of ${prefix}`);
          } catch (err) {
            throw new StorageError(`R2 list of ${prefix} failed: ${(err as Error).message}`);
          }
          return { names: page.objects.map((o) => o.key), cursor: page.truncated ? page.cursor : undefined };
        });
        return keys.filter((k) => !present.has(k));
      }
      const heads = await Promise.all(
        keys.map(async (key) => {
          try {
            return await withTimeout(bucket.head(key), timeoutMs, `R2 head of ${key}`);
          } catch (err) {
            throw new StorageError(`R2 head of ${key} failed: ${(err as Error).message}`);
          }
        }),
      );
      return keys.filter((_, i) => !heads[i]);
    },
    async verifiedBytes(key) {
      const obj = await read(key);
      if (!obj) return null;
      try {
        return await withTimeout(readWithDigest(obj.body, obj.size), timeoutMs, `R2 body of ${key}`);
      } catch (err) {
        throw new StorageError(`R2 read of ${key} failed: ${(err as Error).message}`);
      }
    },
    async bytes(key, size) {
      if (size !== undefined && Number.isInteger(size) && size > rangeBytes) {
        try {
          const ranged = await rangedRead(bucket, key, size, rangeBytes, timeoutMs);
          if (ranged) return ranged;
        } catch {
          // The pointer's size may be stale or ranges unsupported: fall back to one plain read.
        }
      }
      const obj = await read(key);
      if (!obj) return null;
      try {
        return new Uint8Array(await withTimeout(obj.arrayBuffer(), timeoutMs, `R2 body of ${key}`));
      } catch (err) {
        throw new StorageError(`R2 read of ${key} failed: ${(err as Error).message}`);
      }
    },
  };
}

function kvSource(kv: KVNamespace, timeoutMs: number): ArtifactSource {
  const read = async <T>(key: string, p: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(p(), timeoutMs, `KV read of ${key}`);
    } catch (err) {
      throw new StorageError(`KV read of ${key} failed: ${(err as Error).message}`);
    }
  };
  return {
    name: "kv",
    async pointer() {
      const text = await read(CURRENT_KEY, () => kv.get(CURRENT_KEY, "text"));
      return text === null ? null : parsePointer(text);
    },
    async missing(keys) {
      // KV has no HEAD: list the version's prefix instead (names only, no values).
      const present = await listedUnder(keys, async (prefix, cursor) => {
        const page: KVNamespaceListResult<unknown, string> = await read(prefix, () => kv.list({ prefix, cursor }));
        return { names: page.keys.map((k) => k.name), cursor: page.list_complete ? undefined : page.cursor };
      });
      return keys.filter((k) => !present.has(k));
    },
    async verifiedBytes(key) {
      const body = await read(key, () => kv.get(key, "stream"));
      return body === null ? null : read(key, () => readWithDigest(body));
    },
    async bytes(key) {
      const buf = await read(key, () => kv.get(key, "arrayBuffer"));
      return buf === null ? null : new Uint8Array(buf);
    },
  };
}

export function sourceFor(env: Partial<Env>, config: Config): ArtifactSource {
  if (config.source === "kv") {
    if (!env.KV) throw new StorageError("ARTIFACT_SOURCE is kv but the KV binding is missing from wrangler.toml");
    return kvSource(env.KV, config.timeoutMs);
  }
  if (!env.ARTIFACTS) throw new StorageError("the ARTIFACTS R2 binding is missing from wrangler.toml");
  return r2Source(env.ARTIFACTS, config.timeoutMs, config.rangeBytes);
}
