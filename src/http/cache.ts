/**
 * HTTP caching of GET responses. The body is a pure function of (artifact version, A/B
 * variant, path + query), so the ETag is derived from exactly those — computed before any
 * recommendation work, which lets a matching If-None-Match return 304 for free.
 */
import { fnv1a } from "./hash.ts";

export function etagFor(version: string, variant: string, pathAndQuery: string): string {
  const a = fnv1a(pathAndQuery);
  const b = fnv1a(variant, fnv1a(version));
  return `"${b.toString(36)}-${a.toString(36)}-${pathAndQuery.length.toString(36)}"`;
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

export function cacheControl(maxAge: number, personal: boolean): string {
  return `${personal ? "private" : "public"}, max-age=${maxAge}, stale-while-revalidate=${maxAge}`;
}
