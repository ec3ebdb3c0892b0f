/**
 * Worker configuration, read from wrangler `[vars]` and secrets. Parsed once per env
 * object (workerd hands the same object to every request of an isolate), so the hot path
 * never re-parses strings.
 */
export interface Env {
  ARTIFACTS: R2Bucket;
  KV: KVNamespace;
  /** "r2" (default) or "kv". */
  ARTIFACT_SOURCE?: string;
  ARTIFACT_RECHECK_SECONDS?: string;
  /** Milliseconds before a storage read counts as failed (503 with Retry-After, never a hang). */
  ARTIFACT_TIMEOUT_MS?: string;
  /** Objects larger than this are read from R2 as parallel ranges of this size (cold start). */
  ARTIFACT_RANGE_BYTES?: string;
  CORS_ORIGINS?: string;
  ADMIN_TOKEN?: string;
  /** A second published version served to a share of traffic, and that share (0..1). */
  AB_VERSION?: string;
  AB_SHARE?: string;
  /** Max-age (seconds) of cacheable GET responses. */
  CACHE_MAX_AGE?: string;
  /** Largest accepted request body in bytes. */
  MAX_BODY_BYTES?: string;
  /** "on" serves the demo page and the shopper listing/history to anyone (local development only). */
  DEMO?: string;
  /** Secret (not a var): when set, user-specific routes need a token signed with it (src/privacy/user-token.ts). */
  USER_TOKEN_SECRET?: string;
  /** Seconds between re-reads of the forgotten-shopper tombstones in KV (at most 60). */
  FORGET_RECHECK_SECONDS?: string;
  /** Producer binding of the events queue (POST /v1/events); absent = event collection off. */
  EVENTS?: Queue<import("./events/producer.ts").EventsMessage>;
  /** Producer binding of the events dead-letter queue (poison messages go there at once). */
  EVENTS_DLQ?: Queue<unknown>;
  /** Largest accepted POST /v1/events body in bytes (default 512 KiB). */
  EVENTS_MAX_BODY_BYTES?: string;
  /** Seconds between checks of KV for a newer catalogue overlay or rules document (default 30). */
  MERCH_RECHECK_SECONDS?: string;
}

export interface Config {
  source: "r2" | "kv";
  recheckMs: number;
  timeoutMs: number;
  rangeBytes: number;
  /** null = any origin ("*"). */
  corsOrigins: ReadonlySet<string> | null;
  adminToken: string | undefined;
  abVersion: string | undefined;
  abShare: number;
  cacheMaxAge: number;
  maxBodyBytes: number;
  /** Demo page and shopper listing/history open to anyone (DEMO = "on"). */
  demo: boolean;
  userTokenSecret: string | undefined;
  forgetRecheckMs: number;
}

const cache = new WeakMap<object, Config>();

function number(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

export function parseConfig(env: Partial<Env>): Config {
  const source = (env.ARTIFACT_SOURCE ?? "r2").trim().toLowerCase() === "kv" ? "kv" : "r2";
  const origins = (env.CORS_ORIGINS ?? "*")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  const abVersion = env.AB_VERSION?.trim() || undefined;
  return {
    source,
    recheckMs: number(env.ARTIFACT_RECHECK_SECONDS, 30, 0, 86_400) * 1000,
    timeoutMs: number(env.ARTIFACT_TIMEOUT_MS, 5000, 1, 60_000),
    rangeBytes: number(env.ARTIFACT_RANGE_BYTES, 4 * 1024 * 1024, 16 * 1024, 1024 * 1024 * 1024),
    corsOrigins: origins.includes("*") ? null : new Set(origins),
    adminToken: env.ADMIN_TOKEN || undefined,
    abVersion,
    abShare: abVersion ? number(env.AB_SHARE, 0, 0, 1) : 0,
    cacheMaxAge: number(env.CACHE_MAX_AGE, 60, 0, 86_400),
    maxBodyBytes: number(env.MAX_BODY_BYTES, 64 * 1024, 1024, 10 * 1024 * 1024),
    demo: (env.DEMO ?? "").trim().toLowerCase() === "on",
    userTokenSecret: env.USER_TOKEN_SECRET || undefined,
    forgetRecheckMs: number(env.FORGET_RECHECK_SECONDS, 30, 0, 60) * 1000,
  };
}

export function configOf(env: Partial<Env>): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env);
    cache.set(env, config);
  }
  return config;
}
