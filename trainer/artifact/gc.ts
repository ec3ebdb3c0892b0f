/**
 * Garbage collection of published storage: objects under artifacts/<version>/ whose version is
 * neither in the versions index nor named by `current` are what an interrupted publish left
 * behind (uploads stop before the index is written, so retention never sees them). They are
 * deleted once the newest of them is older than a grace period, so a publish still uploading
 * (its version not indexed yet) is never touched.
 */
import { CURRENT_KEY, isVersionId, VERSIONS_KEY } from "../../src/artifact/index.ts";
import type { ListedObject, ObjectStore } from "./object-store.ts";
import { pointerRepair, readCurrentState, readVersions } from "./published-state.ts";

/** Default grace period: far longer than any publish takes. */
export const DEFAULT_GC_GRACE_MS = 60 * 60 * 1000;

export interface GcOptions {
  /** Objects younger than this (by their newest upload) are kept. */
  graceMs?: number;
  /** List what would go, delete nothing. */
  dryRun?: boolean;
  now?: number;
}

export interface GcResult {
  /** Versions whose objects were deleted (or would be, with dryRun), with their keys and bytes freed. */
  removed: { version: string; keys: string[] }[];
  /** Unlisted versions kept because they are younger than the grace period (a publish may be running). */
  young: string[];
  /** Objects under artifacts/ that belong to no version folder (kept; named for the operator). */
  stray: string[];
}

/** The version folder a key lives in, or null for the top-level keys (current, versions). */
function versionOf(key: string): string | null {
  const m = /^artifacts\/([^/]+)\//.exec(key);
  return m ? m[1] : null;
}

export async function gc(store: ObjectStore, options: GcOptions = {}): Promise<GcResult> {
  if (!store.list) {
    throw new Error(
      `gc needs to list ${store.name}, which this store cannot do: wrangler cannot list a remote R2 bucket, so set CLOUDFLARE_API_TOKEN (with R2 read access) and CLOUDFLARE_ACCOUNT_ID to list it through the Cloudflare API, or run gc on local storage (--local) or on KV (--backend kv)`,
    );
  }
  const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
  const now = options.now ?? Date.now();
  const current = await readCurrentState(store);
  // Without a readable pointer the live version is unknown: deleting anything could delete it.
  if (current.unreadable) throw new Error(`${current.unreadable}; gc deletes nothing until it is repaired: ${pointerRepair()}`);
  const keep = new Set((await readVersions(store)).map((v) => v.version));
  if (current.pointer) keep.add(current.pointer.version);
  const byVersion = new Map<string, ListedObject[]>();
  const stray: string[] = [];
  for (const o of await store.list("artifacts/")) {
    if (o.key === CURRENT_KEY || o.key === VERSIONS_KEY) continue;
    const version = versionOf(o.key);
    if (!version || !isVersionId(version)) {
      stray.push(o.key);
      continue;
    }
    if (keep.has(version)) continue;
    const list = byVersion.get(version) ?? [];
    list.push(o);
    byVersion.set(version, list);
  }
  const result: GcResult = { removed: [], young: [], stray };
  for (const [version, objects] of [...byVersion].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // An object whose upload time the store does not record counts as just uploaded, unless no grace is asked for.
    const newest = Math.max(...objects.map((o) => o.uploadedAt ?? (graceMs === 0 ? -Infinity : now)));
    if (now - newest < graceMs) {
      result.young.push(version);
      continue;
    }
    const keys = objects.map((o) => o.key).sort();
    if (!options.dryRun) for (const key of keys) await store.delete(key);
    result.removed.push({ version, keys });
  }
  return result;
}
