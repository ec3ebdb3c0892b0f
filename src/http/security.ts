/**
 * Headers every response carries.
 * Hot routes put these in their Response directly (one object literal); the edge adds
 * them to everything else (HTML pages set their own content-security-policy).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // Kept to three headers on purpose: each costs measurable time per response on the hot
  // path. The CSP also forbids framing (frame-ancestors supersedes X-Frame-Options); HSTS
  // belongs to the zone's TLS settings.
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
};
const ENTRIES = Object.entries(SECURITY_HEADERS);

/**
 * Adds the headers a response lacks (a page may set its own CSP). Each is checked on its own:
 * a response that set one of them (a static asset's nosniff) still gets the others.
 */
export function addSecurityHeaders(h: Headers): void {
  for (const [name, value] of ENTRIES) if (!h.has(name)) h.set(name, value);
}
