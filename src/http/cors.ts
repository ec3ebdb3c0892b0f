/**
 * CORS from the CORS_ORIGINS allowlist: the widget calls the API from store origins.
 * Disallowed origins get no Access-Control-Allow-Origin (the browser blocks the read) and
 * preflights from them are answered 403.
 */
import type { Context, Next } from "hono";
import { configOf, type Env } from "../config.ts";
import { problemResponse } from "./problem.ts";

const ALLOW_METHODS = "GET, POST, OPTIONS";
const ALLOW_HEADERS = "Content-Type, Authorization, X-Session-Id, If-None-Match";
const EXPOSE_HEADERS = "ETag, Retry-After";

export async function cors(c: Context<{ Bindings: Env }>, next: Next): Promise<Response | void> {
  const origin = c.req.header("origin");
  const allowed = configOf(c.env ?? {}).corsOrigins;
  const ok = origin !== undefined && (allowed === null || allowed.has(origin));
  if (c.req.method === "OPTIONS") {
    if (!ok) {
      return problemResponse(403, "cors-origin", "Origin not allowed", "This origin is not in the API's CORS allowlist (CORS_ORIGINS).", c.req.path);
    }
    return new Response(null, {
      status: 204,
      headers: {
        "access-control-allow-origin": allowed === null ? "*" : origin!,
        "access-control-allow-methods": ALLOW_METHODS,
        "access-control-allow-headers": ALLOW_HEADERS,
        "access-control-max-age": "86400",
        vary: "Origin",
      },
    });
  }
  await next();
  if (ok) {
    const h = c.res.headers;
    h.set("access-control-allow-origin", allowed === null ? "*" : origin!);
    h.set("access-control-expose-headers", EXPOSE_HEADERS);
  }
  if (allowed !== null) c.res.headers.append("vary", "Origin");
}
