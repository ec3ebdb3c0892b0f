import type { Context, Next } from "hono";

/** Headers every response carries; JSON APIs need no framing, sniffing or referrers. */
const API_HEADERS: [string, string][] = [
  ["x-content-type-options", "nosniff"],
  ["referrer-policy", "no-referrer"],
  ["x-frame-options", "DENY"],
  ["cross-origin-resource-policy", "cross-origin"],
  ["strict-transport-security", "max-age=31536000; includeSubDomains"],
];

export async function securityHeaders(c: Context, next: Next): Promise<void> {
  await next();
  const h = c.res.headers;
  for (const [name, value] of API_HEADERS) if (!h.has(name)) h.set(name, value);
  // JSON never needs to run scripts; HTML pages (docs, demo) set their own policy.
  if (!h.has("content-security-policy")) h.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
}
