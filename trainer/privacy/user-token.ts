import { createHmac } from "node:crypto";

/**
 * What the store's backend does for every page view (docs/privacy.md has it for Node and PHP):
 * HMAC-SHA256 over "<user id>.<expiry>" with USER_TOKEN_SECRET, as "<expiry>.<base64url mac>".
 * The worker's check (src/privacy/user-token.ts) is tested against it inside workerd, so this
 * file imports nothing but node:crypto.
 */
export function signUser(secret: string, userId: string, expiresAt: number): string {
  return `${expiresAt}.${createHmac("sha256", secret).update(`${userId}.${expiresAt}`).digest("base64url")}`;
}
