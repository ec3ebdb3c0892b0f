/**
 * Shopper identity the store vouches for. With USER_TOKEN_SECRET set, a user-specific request
 * must carry a token made by the store's backend (the secret never reaches a browser):
 *
 *   token = <expiry, unix seconds> "." base64url( HMAC-SHA256(secret, <user id> "." <expiry>) )
 *
 * sent as `?token=` (what the widget's `user-token` attribute does: no CORS preflight) or the
 * `X-User-Token` header. An admin bearer token also passes (back-office tools).
 * docs/privacy.md has the Node and PHP snippets; `edgerec sign-user` makes one by hand.
 */
import type { Context } from "hono";
import { configOf } from "../config.ts";
import { constantTimeEqual } from "../http/auth.ts";
import { ProblemError } from "../http/problem.ts";

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
  }
  return key;
}

/** The signed message: user id and expiry, joined by a dot (the id may hold dots; the expiry cannot). */
export function tokenMessage(userId: string, expiresAt: number): string {
  return `${userId}.${expiresAt}`;
}

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function signUserToken(secret: string, userId: string, expiresAt: number): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(tokenMessage(userId, expiresAt)));
  return `${expiresAt}.${base64url(new Uint8Array(mac))}`;
}

export type TokenCheck = "ok" | "missing" | "malformed" | "expired" | "invalid";

export async function checkUserToken(secret: string, userId: string, token: string | undefined, nowSeconds = Math.floor(Date.now() / 1000)): Promise<TokenCheck> {
  if (!token) return "missing";
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  const mac = match ? fromBase64url(match[2]) : undefined;
  if (!match || !mac || mac.length !== 32) return "malformed";
  const expiresAt = Number(match[1]);
  // Verify before looking at the expiry, so a forged token learns nothing from the answer's timing.
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), mac, encoder.encode(tokenMessage(userId, expiresAt)));
  if (!valid) return "invalid";
  return expiresAt <= nowSeconds ? "expired" : "ok";
}

const DETAIL: Record<Exclude<TokenCheck, "ok">, string> = {
  missing: "This API needs a user token for user-specific routes: send `?token=<token>` or `X-User-Token`, made by the store's backend (see docs/privacy.md).",
  malformed: "The user token is malformed: expected `<expiry>.<signature>` as made by the store's backend (see docs/privacy.md).",
  expired: "The user token has expired; have the store's backend sign a new one.",
  invalid: "The user token does not match this user id (or was signed with another secret).",
};

/** The token sent with a request: `?token=` or the X-User-Token header. */
export function userTokenOf(c: Context): string | undefined {
  return c.req.query("token") ?? c.req.header("x-user-token") ?? undefined;
}

function holdsAdminToken(c: Context, adminToken: string | undefined): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
  return !!adminToken && !!match && constantTimeEqual(match[1].trim(), adminToken);
}

/**
 * Resolves when the request may act for `userIds` (no secret configured, the admin token, or a
 * valid token for the one user); throws a 401 problem otherwise. Undefined (nothing to wait for)
 * when no secret is set, so the hot path stays synchronous.
 */
export function requireUserToken(c: Context<any>, userIds: readonly string[]): Promise<void> | undefined {
  const config = configOf(c.env ?? {});
  const secret = config.userTokenSecret;
  if (!secret || userIds.length === 0 || holdsAdminToken(c, config.adminToken)) return undefined;
  const unauthorized = (detail: string) =>
    new ProblemError(401, "user-token", "User token required", detail, undefined, { "www-authenticate": 'Bearer realm="edgerec-user"' });
  const distinct = [...new Set(userIds)];
  if (distinct.length > 1) {
    return Promise.reject(unauthorized("A user token speaks for one user: send pairs of one user per request, or use the admin bearer token."));
  }
  return checkUserToken(secret, distinct[0], userTokenOf(c)).then((result) => {
    if (result !== "ok") throw unauthorized(DETAIL[result]);
  });
}
