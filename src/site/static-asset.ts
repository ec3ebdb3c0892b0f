/** A fixed body (a bundled script, the demo page) served with an ETag, a short cache life and 304s. */
import { fnv1a } from "../http/hash.ts";
import { SECURITY_HEADERS } from "../http/security.ts";
import type { Ctx } from "../routes/context.ts";

export function staticAsset(body: string, type: string, crossOrigin: boolean, extra: Record<string, string> = {}) {
  const etag = `"${fnv1a(body).toString(36)}-${body.length.toString(36)}"`;
  const headers: Record<string, string> = {
    "content-type": type,
    etag,
    // Short max-age plus ETag: stores pick up a new widget within minutes, revalidation is a 304.
    "cache-control": "public, max-age=300, stale-while-revalidate=86400",
    // Every response's headers (nosniff, no-referrer, CSP); a page may replace the CSP with its own.
    ...SECURITY_HEADERS,
    ...extra,
  };
  // A module script loaded from a store's origin is fetched in CORS mode; the widget is public code.
  if (crossOrigin) headers["access-control-allow-origin"] = "*";
  return (c: Ctx) => {
    if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
    return new Response(body, { status: 200, headers });
  };
}
