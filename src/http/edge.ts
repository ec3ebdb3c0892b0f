/**
 * What every response gets on its way out — rate limit (/v1), CORS, security headers — as
 * one middleware for the app, plus the same steps as plain functions for the hot routes,
 * which run in front of the middleware chain (routes/hot.ts): Hono spends an async dispatch
 * per middleware layer, which the recommendation routes should not pay three times.
 */
import type { Context, Next } from "hono";
import { addCorsHeaders, preflight } from "./cors.ts";
import { rateLimitCheck } from "./rate-limit.ts";
import { addSecurityHeaders } from "./security.ts";

type EdgeContext = Context;

/**
 * The response most recently built with the security headers already in its headers object
 * (routes/context.ts), so they are not checked again header by header. Identity only skips
 * work: any other response, including one that lost this slot to an interleaved request,
 * takes the full check.
 */
let lastPrepared: Response | undefined;

export function markPrepared(res: Response): Response {
  lastPrepared = res;
  return res;
}

/** Security headers (unless built in) and CORS on a response about to leave. */
export function finishHeaders(c: EdgeContext, res: Response): Response {
  if (res !== lastPrepared) addSecurityHeaders(res.headers);
  else lastPrepared = undefined;
  addCorsHeaders(c, res.headers);
  return res;
}

export function isApiPath(path: string): boolean {
  return path === "/v1" || path.startsWith("/v1/");
}

/** The app's one middleware: preflight, rate limit of /v1 routes, then the outgoing headers. */
export async function edge(c: EdgeContext, next: Next): Promise<Response | void> {
  if (c.req.method === "OPTIONS") {
    const res = preflight(c);
    addSecurityHeaders(res.headers);
    return res;
  }
  if (isApiPath(c.req.path)) {
    const check = rateLimitCheck(c);
    const refused = check && (await check);
    if (refused) return finishHeaders(c, refused);
  }
  await next();
  finishHeaders(c, c.res);
}
