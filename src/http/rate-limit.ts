/**
 * Per-client rate limit for the public /v1 routes, on the Workers rate-limiting binding
 * (`[[ratelimits]]` RATE_LIMITER in wrangler.toml; Miniflare implements it locally).
 * Keyed by the client IP Cloudflare puts in CF-Connecting-IP. Not limited: requests without it
 * (in-process tests, service bindings), loopback clients (local `wrangler dev`, benches — never
 * seen in production), and everything when RATE_LIMIT = "off" or no binding is configured.
 */
import type { Context, Next } from "hono";
import { problemResponse } from "./problem.ts";

interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

interface RateLimitEnv {
  RATE_LIMITER?: RateLimiter;
  RATE_LIMIT?: string;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** Seconds a client is told to wait: the binding counts in fixed windows of 10 or 60 s. */
const RETRY_AFTER_SECONDS = "60";

export async function rateLimit(c: Context, next: Next): Promise<Response | void> {
  const env = (c.env ?? {}) as RateLimitEnv;
  const limiter = env.RATE_LIMITER;
  const client = c.req.header("cf-connecting-ip");
  if (!limiter || !client || env.RATE_LIMIT === "off" || LOOPBACK.test(client)) return next();
  let allowed = true;
  try {
    allowed = (await limiter.limit({ key: client })).success;
  } catch {
    // A failing limiter must not take the API down with it: serve the request.
  }
  if (!allowed) {
    return problemResponse(
      429,
      "rate-limited",
      "Too many requests",
      "This client sent more requests than the API allows per minute; retry after the Retry-After delay.",
      c.req.path,
      undefined,
      { "retry-after": RETRY_AFTER_SECONDS },
    );
  }
  return next();
}
