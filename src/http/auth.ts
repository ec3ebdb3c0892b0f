/** Bearer-token check for admin routes, comparing in constant time (no early exit on the first differing byte). */
import { ProblemError } from "./problem.ts";

const encoder = new TextEncoder();

export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  // Compare against a same-length buffer so the time depends only on the supplied token's length.
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ (y[i % Math.max(1, y.length)] ?? 0);
  return diff === 0;
}

export function requireAdmin(authorization: string | undefined, token: string | undefined): void {
  const unauthorized = (detail: string) =>
    new ProblemError(401, "unauthorized", "Unauthorized", detail, undefined, { "www-authenticate": 'Bearer realm="edgerec-admin"' });
  if (!token) throw unauthorized("Admin routes are disabled: set the ADMIN_TOKEN secret (`wrangler secret put ADMIN_TOKEN`).");
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  if (!match) throw unauthorized("Send `Authorization: Bearer <ADMIN_TOKEN>`.");
  if (!constantTimeEqual(match[1].trim(), token)) throw unauthorized("The bearer token is not valid.");
}
