/**
 * Publishing a sharded build inside workerd tests, in `edgerec publish`'s order: every shard
 * (data and id shards), then the manifest, then the `current` pointer. `tamper` may drop
 * (null) or damage a shard to test how the worker copes.
 */
import { CURRENT_KEY, type CurrentPointer, manifestKey, shardKey } from "../../../src/artifact/index.ts";

type Store = Pick<R2Bucket, "put"> | Pick<KVNamespace, "put">;
export type Tamper = (shard: number, bytes: Uint8Array) => Uint8Array | null;

export async function publishShardedBuild(store: Store, version: string, manifest: Uint8Array, shards: Uint8Array[], tamper: Tamper = (_, b) => b): Promise<string[]> {
  const keys = shards.map((_, i) => shardKey(version, i));
  for (let i = 0; i < keys.length; i++) {
    const bytes = tamper(i, shards[i]);
    if (bytes) await store.put(keys[i], bytes);
  }
  await store.put(manifestKey(version), manifest);
  const pointer: CurrentPointer = {
    version,
    layout: "sharded",
    key: manifestKey(version),
    // Like `edgerec publish`: no shard list, the worker derives shardKey(version, n).
    createdAt: "2026-11-29T00:00:00.000Z",
    publishedAt: new Date().toISOString(),
    metrics: {},
    headlineMetric: "ndcg@10",
    bytes: manifest.length,
  };
  await store.put(CURRENT_KEY, JSON.stringify(pointer));
  return keys;
}
