/**
 * Per-client rate limit for the public /v1 routes, on the Workers rate-limiting binding
 * (`[[ratelimits]]` RATE_LIMITER in wrangler.toml; Miniflare implements it locally).
 * Keyed by the client IP Cloudflare puts in CF-Connecting-IP. Not limited: requests without it
 * (in-process tests, service bindings), loopback clients (local `wrangler dev`, benches — never
 * seen in production), and everything when RATE_LIMIT = "off" or no binding is configured.
 */
import type { Context } from "hono";
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

/**
 * The limiter's verdict for this request: undefined, decided synchronously, when no limit
 * applies (the common case costs no await); else a promise of the 429 response, or of
 * undefined when the request may go on.
 */
export function rateLimitCheck(c: Context): Promise<Response | undefined> | undefined {
  const env = (c.env ?? {}) as RateLimitEnv;
  const limiter = env.RATE_LIMITER;
  if (!limiter || env.RATE_LIMIT === "off") return undefined;
  const client = c.req.header("cf-connecting-ip");
  if (!client || LOOPBACK.test(client)) return undefined;
  let verdict: Promise<{ success: boolean }>;
  try {
    verdict = limiter.limit({ key: client });
  } catch {
    return undefined;
  }
  return verdict.then(
    ({ success }) => (success ? undefined : refusal(c.req.path)),
    // A failing limiter must not take the API down with it: serve the request.
    () => undefined,
  );
}

function refusal(path: string): Response {
  return problemResponse(
    429,
    "rate-limited",
    "Too many requests",
    "This client sent more requests than the API allows per minute; retry after the Retry-After delay.",
    path,
    undefined,
    { "retry-after": RETRY_AFTER_SECONDS },
  );
}
