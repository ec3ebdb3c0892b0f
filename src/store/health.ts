/**
 * What /healthz reports of the store: whether a version is served (and why it is degraded when
 * something failed), where it came from, and how it was loaded. Built from the store's facts;
 * the store decides what happened, this decides how it reads.
 */
import type { Catalog } from "./catalog.ts";
import type { UpgradedFromShards, UpgradeState } from "./progressive-loading.ts";
import { ServedArtifact } from "./served.ts";
import { ShardedCatalog, type ShardLoad } from "./sharded.ts";
import type { VariantStatus } from "./variants.ts";

export interface LoadError {
  version?: string;
  message: string;
  at: string;
}

export interface StoreHealth {
  status: "ok" | "degraded" | "unavailable";
  version: string | null;
  source: string;
  loadedAt: string | null;
  lastCheckAt: string | null;
  lastError: LoadError | null;
  decodes: number;
  /** How the served version was loaded: storage read and verify+decode times, size. */
  load: {
    fetchMs: number;
    decodeMs: number;
    bytes: number;
    layout: "single" | "sharded";
    shards?: ShardLoad[];
    /** A sharded version with a single object: the background swap to it (loading, failed or skipped). */
    upgrade?: UpgradeState;
    /** A version answered from shards first, then swapped to its single object. */
    upgradedFromShards?: UpgradedFromShards;
  } | null;
  treatment?: VariantStatus;
}

/** The store's state a health report is made of. */
export interface HealthFacts {
  served: Catalog | null;
  source: string;
  /** When the pointer was last read (0: never). */
  lastCheck: number;
  lastError: LoadError | null;
  decodes: number;
  /** The served sharded version's swap to its single object, if one runs or failed. */
  upgrade: UpgradeState | undefined;
  /** How the served single object replaced its sharded start, if it did. */
  upgradedFromShards: UpgradedFromShards | undefined;
  /** The A/B treatment, when a test is configured. */
  treatment: VariantStatus | undefined;
}

export function healthReport(facts: HealthFacts): StoreHealth {
  const { served, upgrade, upgradedFromShards } = facts;
  const out: StoreHealth = {
    // A version stuck on shards because its single object failed is served but degraded.
    status: served ? (facts.lastError || upgrade?.status === "failed" ? "degraded" : "ok") : "unavailable",
    version: served?.version ?? null,
    source: facts.source,
    loadedAt: served ? new Date(served.loadedAt).toISOString() : null,
    lastCheckAt: facts.lastCheck ? new Date(facts.lastCheck).toISOString() : null,
    lastError: facts.lastError,
    decodes: facts.decodes,
    load: served
      ? {
          fetchMs: round1(served.fetchMs),
          decodeMs: round1(served.decodeMs),
          bytes: served.byteLength,
          layout: served.layout,
          // A sharded version: the manifest above, then its first shard loads (id shard, data shard…).
          ...(served instanceof ShardedCatalog ? { shards: served.firstLoads, ...(upgrade ? { upgrade } : {}) } : {}),
          ...(served instanceof ServedArtifact && upgradedFromShards ? { upgradedFromShards } : {}),
        }
      : null,
  };
  if (facts.treatment) out.treatment = facts.treatment;
  return out;
}

/** A failure as /healthz shows it. */
export function loadErrorOf(version: string | undefined, err: unknown, now: number): LoadError {
  const message = err instanceof Error ? err.message : String(err);
  return { ...(version ? { version } : {}), message, at: new Date(now).toISOString() };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
