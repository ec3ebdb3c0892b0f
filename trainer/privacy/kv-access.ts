/** The worker's KV namespace (and R2 bucket) from Node: wrangler's local storage through Miniflare, or the account through wrangler. */
import { join, resolve } from "node:path";
import { ARTIFACT_BUCKET, KV_BINDING, R2_BINDING } from "../../src/artifact/index.ts";
import { wranglerOk } from "../wrangler/wrangler-path.ts";

/** The parts of Miniflare's KV and R2 bindings used here. */
export interface KvList {
  list(options: { prefix: string; cursor?: string }): Promise<{ keys: { name: string }[]; list_complete: boolean; cursor?: string }>;
  put(key: string, value: string): Promise<void>;
}
export interface R2Objects {
  list(options: { prefix: string; cursor?: string }): Promise<{ objects: { key: string }[]; truncated: boolean; cursor?: string }>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  put(key: string, value: Uint8Array): Promise<unknown>;
  delete(key: string): Promise<void>;
}

export interface LocalStorage {
  namespace: KvList;
  bucket: R2Objects;
  dispose(): Promise<void>;
}

/** Local KV/R2 where `wrangler dev --local --persist-to <dir>` reads them (default .wrangler/state). */
export async function openLocalKv(persistTo = ".wrangler/state", kvNamespaceId = "edgerec-local", bucketName = ARTIFACT_BUCKET): Promise<LocalStorage> {
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    kvNamespaces: { [KV_BINDING]: kvNamespaceId },
    r2Buckets: { [R2_BINDING]: bucketName },
    defaultPersistRoot: join(resolve(persistTo), "v3"),
  });
  return {
    namespace: (await mf.getKVNamespace(KV_BINDING)) as unknown as KvList,
    bucket: (await mf.getR2Bucket(R2_BINDING)) as unknown as R2Objects,
    dispose: () => mf.dispose(),
  };
}

/** `wrangler kv key <args> --binding KV --remote`, with the deploy's generated config when given. */
export function wranglerKv(args: string[], config?: string): Promise<string> {
  return wranglerOk(["kv", "key", ...args, "--binding", KV_BINDING, "--remote", ...(config ? ["--config", config] : [])]);
}
