/**
 * Where published artifacts live in R2 and KV: the ONE module the publisher (trainer) and
 * the reader (worker) share, so the two can never disagree on a key.
 *
 *   artifacts/current.json              pointer to the live version (written last)
 *   artifacts/versions.json             index of published versions, newest first
 *   artifacts/<version>/artifact.bin    a single-object artifact (for a sharded version: the same
 *                                       version as one object, named by the manifest's `single`,
 *                                       which the worker swaps to after answering from shards)
 *   artifacts/<version>/manifest.bin    a sharded artifact's manifest …
 *   artifacts/<version>/shard-<n>.bin   … and its shards: data shards, then id shards (which
 *                                       map ids to data shards); the manifest's shard table
 *                                       gives each n's kind. All are uploaded before the
 *                                       manifest, and the manifest before `current` flips.
 */
export const ARTIFACT_BUCKET = "edgerec-artifacts";
export const R2_BINDING = "ARTIFACTS";
export const KV_BINDING = "KV";

/** KV's value limit: no object published to KV may be bigger (shards stay below it; a single object over it goes to R2 only). */
export const KV_VALUE_LIMIT = 25 * 1024 * 1024;

export const CURRENT_KEY = "artifacts/current.json";
export const VERSIONS_KEY = "artifacts/versions.json";

export function versionPrefix(version: string): string {
  return `artifacts/${version}/`;
}

export function artifactKey(version: string): string {
  return `${versionPrefix(version)}artifact.bin`;
}

export function manifestKey(version: string): string {
  return `${versionPrefix(version)}manifest.bin`;
}

export function shardKey(version: string, shard: number): string {
  return `${versionPrefix(version)}shard-${shard}.bin`;
}

/** The small JSON object at CURRENT_KEY; `key` is the artifact or manifest to load first. */
export interface CurrentPointer {
  version: string;
  /** "single": `key` is an artifact; "sharded": `key` is a manifest. */
  layout: "single" | "sharded";
  key: string;
  /**
   * Shard keys of a sharded version, when listed (older publishes). `edgerec publish` leaves it out:
   * the keys are shardKey(version, n) for every row of the manifest's shard table.
   */
  shards?: string[];
  createdAt: string;
  publishedAt: string;
  metrics: Record<string, number>;
  headlineMetric: string;
  bytes: number;
  /**
   * SHA-256 (hex) of the object at `key`, as published. The worker remembers a refused version by
   * it, so the same id published again with other bytes is loaded again. Absent in older pointers.
   */
  sha256?: string;
}

/** One entry of VERSIONS_KEY: every object a version owns, so retention can delete them. */
export interface PublishedVersion extends CurrentPointer {
  keys: string[];
}

/** Version ids look like 20261129T001500Z-1a2b3c4d: safe in keys, sortable by time. */
export const VERSION_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;

export function isVersionId(value: string): boolean {
  return VERSION_PATTERN.test(value);
}
