/** What every route shares: the app's types, artifact/variant selection and the response writer. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { configOf, type Env } from "../config.ts";
import { cacheControl, etagFor, matchesIfNoneMatch } from "../http/cache.ts";
import { fnv1a } from "../http/hash.ts";
import type { ItemFilter, RecommendedItem } from "../recommend/index.ts";
import type { ArtifactStore } from "../store/artifact-store.ts";
import type { ServedArtifact } from "../store/served.ts";

export type AppEnv = { Bindings: Env };
export type App = OpenAPIHono<AppEnv>;
export type Ctx = Context<AppEnv>;

export interface Deps {
  store: ArtifactStore;
}

export type VariantName = "control" | "treatment";

export interface Picked {
  served: ServedArtifact;
  variant: VariantName;
}

function waitUntilOf(c: Ctx): { waitUntil(p: Promise<unknown>): void } | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined; // app.request() in Node has no execution context
  }
}

/**
 * The artifact this request is served from, captured once so the whole response comes from
 * one version. With an A/B test configured, a stable FNV-1a hash of the session/user id puts
 * AB_SHARE of identities on the treatment version; anyone else (or if it fails to load) gets control.
 */
export async function pick(c: Ctx, deps: Deps, identity: string | undefined): Promise<Picked> {
  const env = c.env ?? {};
  const ctx = waitUntilOf(c);
  const current = deps.store.current(env, ctx);
  const control = current instanceof Promise ? await current : current;
  const config = configOf(env);
  if (config.abShare > 0 && config.abVersion) {
    const id = identity ?? c.req.header("x-session-id");
    if (id && inTreatment(config.abVersion, id, config.abShare)) {
      const v = deps.store.variant(env, config.abVersion, ctx);
      const treatment = v instanceof Promise ? await v : v;
      if (treatment) return { served: treatment, variant: "treatment" };
    }
  }
  return { served: control, variant: "control" };
}

export function inTreatment(abVersion: string, identity: string, share: number): boolean {
  return fnv1a(identity, fnv1a(abVersion)) / 4294967296 < share;
}

/** Path plus query of the request URL, without re-parsing it. */
export function pathAndQuery(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start < 0 ? "/" : url.slice(start);
}

export interface CacheInfo {
  etag: string;
  cacheControl: string;
}

/** ETag + Cache-Control for a GET, or a ready 304 when the client already has this body. */
export function conditional(c: Ctx, picked: Picked, personal: boolean): CacheInfo | Response {
  const etag = etagFor(picked.served.version, picked.variant, pathAndQuery(c.req.url));
  const info = { etag, cacheControl: cacheControl(configOf(c.env ?? {}).cacheMaxAge, personal) };
  if (matchesIfNoneMatch(c.req.header("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers: headersFor(picked, info) });
  }
  return info;
}

function headersFor(picked: Picked, cache: CacheInfo | undefined): Record<string, string> {
  const h: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "x-artifact-version": picked.served.version,
    "x-variant": picked.variant,
  };
  if (cache) {
    h.etag = cache.etag;
    h["cache-control"] = cache.cacheControl;
    h.vary = "X-Session-Id";
  } else {
    h["cache-control"] = "no-store";
  }
  return h;
}

/**
 * Writes a recommendation list. Item metadata JSON is cached per item in the ServedArtifact,
 * so the body is concatenated from ready fragments rather than stringified per request.
 * `head` is extra JSON members (already serialised, each starting with a comma).
 */
export function listResponse(picked: Picked, items: readonly RecommendedItem[], head: string, cache: CacheInfo | undefined): Response {
  const served = picked.served;
  let body = `{"version":${served.versionJson},"variant":"${picked.variant}"${head},"items":[`;
  for (let r = 0; r < items.length; r++) {
    const it = items[r];
    if (r > 0) body += ",";
    body += `${served.itemJsonOpen(it.index)},"score":${round(it.score)},"reason":${served.reasonJson(it.reason)}}`;
  }
  body += "]}";
  return new Response(body, { status: 200, headers: headersFor(picked, cache) });
}

export function jsonResponse(picked: Picked, value: Record<string, unknown>, cache: CacheInfo | undefined): Response {
  const body = JSON.stringify({ version: picked.served.version, variant: picked.variant, ...value });
  return new Response(body, { status: 200, headers: headersFor(picked, cache) });
}

/** Six significant digits are plenty for a ranking score and keep bodies short. */
export function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : 0;
}

export interface FilterInput {
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  exclude?: readonly string[];
}

/** Query/body filters → the recommenders' ItemFilter (unknown excluded ids simply cannot be recommended). */
export function toFilter(served: ServedArtifact, input: FilterInput, extraExclude?: readonly string[]): ItemFilter | undefined {
  const { category, minPrice, maxPrice } = input;
  let exclude: Set<number> | undefined;
  for (const list of [input.exclude, extraExclude]) {
    if (!list) continue;
    for (const id of list) {
      const i = served.itemIndex(id);
      if (i >= 0) (exclude ??= new Set()).add(i);
    }
  }
  if (category === undefined && minPrice === undefined && maxPrice === undefined && !exclude) return undefined;
  return { category, minPrice, maxPrice, exclude };
}

/**
 * Our bodies are concatenated JSON strings (see listResponse), which the typed-response
 * checker of @hono/zod-openapi cannot see into; the route's zod schema documents them.
 */
export function preserialised(response: Response): never {
  return response as never;
}
