/**
 * HTTP caching of GET responses. The body is a pure function of (artifact version, A/B
 * variant, path + query), so the ETag is derived from exactly those — computed before any
 * recommendation work, which lets a matching If-None-Match return 304 for free.
 */
import { fnv1a } from "./hash.ts";

// The (version, variant) part repeats on every request of an isolate: kept for the last pair.
let lastVersion: string | undefined;
let lastVariant: string | undefined;
let lastPrefix = "";

export function etagFor(version: string, variant: string, pathAndQuery: string): string {
  if (version !== lastVersion || variant !== lastVariant) {
    lastPrefix = `"${fnv1a(variant, fnv1a(version)).toString(36)}-`;
    lastVersion = version;
    lastVariant = variant;
  }
  return `${lastPrefix}${fnv1a(pathAndQuery).toString(36)}-${pathAndQuery.length.toString(36)}"`;
}

/** True when If-None-Match lists `etag` (weak comparison, as RFC 9110 requires for GET). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  for (const part of header.split(",")) {
    const tag = part.trim().replace(/^W\//, "");
    if (tag === etag) return true;
  }
  return false;
}

const cacheControlValues = new Map<number, [string, string]>();

/** The Cache-Control value, built once per max-age ([public, private]). */
export function cacheControl(maxAge: number, personal: boolean): string {
  let values = cacheControlValues.get(maxAge);
  if (!values) {
    values = [`public, max-age=${maxAge}, stale-while-revalidate=${maxAge}`, `private, max-age=${maxAge}, stale-while-revalidate=${maxAge}`];
    cacheControlValues.set(maxAge, values);
  }
  return values[personal ? 1 : 0];
}
