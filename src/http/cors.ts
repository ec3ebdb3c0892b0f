/**
 * CORS from the CORS_ORIGINS allowlist: the widget calls the API from store origins.
 * Disallowed origins get no Access-Control-Allow-Origin (the browser blocks the read) and
 * preflights from them are answered 403.
 */
import type { Context } from "hono";
import { configOf, type Env } from "../config.ts";
import { problemResponse } from "./problem.ts";

const ALLOW_METHODS = "GET, POST, OPTIONS";
const ALLOW_HEADERS = "Content-Type, Authorization, X-Session-Id, X-User-Token, If-None-Match";
const EXPOSE_HEADERS = "ETag, Retry-After";

/** The answer to a preflight (OPTIONS): 204 with what may be sent, or 403 for an origin not on the list. */
export function preflight(c: Context<{ Bindings: Env }>): Response {
  const origin = c.req.header("origin");
  const allowed = configOf(c.env ?? {}).corsOrigins;
  if (origin === undefined || (allowed !== null && !allowed.has(origin))) {
    return problemResponse(403, "cors-origin", "Origin not allowed", "This origin is not in the API's CORS allowlist (CORS_ORIGINS).", c.req.path);
  }
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": allowed === null ? "*" : origin,
      "access-control-allow-methods": ALLOW_METHODS,
      "access-control-allow-headers": ALLOW_HEADERS,
      "access-control-max-age": "86400",
      vary: "Origin",
    },
  });
}

/** Lets an allowed origin read the response; with an allowlist, shared caches must key on Origin. */
export function addCorsHeaders(c: Context<{ Bindings: Env }>, h: Headers): void {
  const allowed = configOf(c.env ?? {}).corsOrigins;
  const origin = c.req.header("origin");
  if (origin !== undefined && (allowed === null || allowed.has(origin))) {
    h.set("access-control-allow-origin", allowed === null ? "*" : origin);
    h.set("access-control-expose-headers", EXPOSE_HEADERS);
  }
  if (allowed !== null) h.append("vary", "Origin");
}
