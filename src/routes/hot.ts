/**
 * The recommendation routes answer in front of the app's middleware chain. Hono calls a route
 * that is the only handler matching a request directly (and takes its Response synchronously
 * when it returns one), but composes every middleware layer with an async dispatch. These
 * routes do the edge's work inline instead (http/edge.ts): rate limit only when a limiter
 * applies, security headers built into the response, CORS, and the same error → problem
 * mapping as the app's onError. Everything else, including /v1 requests no hot route matches
 * (OPTIONS preflights, other methods), goes through the full app as before.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { finishHeaders } from "../http/edge.ts";
import { errorResponse } from "../http/error-response.ts";
import { rateLimitCheck } from "../http/rate-limit.ts";
import type { App, AppEnv, Ctx } from "./context.ts";

type Handler = (c: Ctx) => Response | Promise<Response>;

const hotApps = new WeakMap<App, Hono<AppEnv>>();

/** The router of `app`'s hot routes (made on first use). */
export function hotRoutesOf(app: App): Hono<AppEnv> {
  let hot = hotApps.get(app);
  if (!hot) {
    hot = new Hono<AppEnv>();
    hot.onError((err, c) => finishHeaders(c, errorResponse(err, c.req.path)));
    hotApps.set(app, hot);
  }
  return hot;
}

/** A hot route's handler: its middleware (e.g. the body reader) and `final`, with the edge's work inline. */
export function hotHandler(middleware: readonly MiddlewareHandler[], final: Handler): Handler {
  const run = middleware.length === 0 ? final : chained(middleware, final);
  return (c) => {
    const check = rateLimitCheck(c);
    if (check) return check.then((refused) => (refused ? finishHeaders(c, refused) : guarded(c, run)));
    return guarded(c, run);
  };
}

function guarded(c: Ctx, run: Handler): Response | Promise<Response> {
  let res: Response | Promise<Response>;
  try {
    res = run(c);
  } catch (err) {
    return finishHeaders(c, errorResponse(err, c.req.path));
  }
  if (res instanceof Promise) {
    return res.then(
      (r) => finishHeaders(c, r),
      (err) => finishHeaders(c, errorResponse(err, c.req.path)),
    );
  }
  return finishHeaders(c, res);
}

function chained(middleware: readonly MiddlewareHandler[], final: Handler): Handler {
  return async (c) => {
    let out: Response | undefined;
    const step = async (i: number): Promise<void> => {
      if (i === middleware.length) {
        out = await final(c);
        return;
      }
      const early = await middleware[i](c as never, () => step(i + 1));
      if (early instanceof Response) out = early;
    };
    await step(0);
    if (!out) throw new Error("edgerec: a hot route's middleware neither answered nor called next()");
    return out;
  };
}

/** True when the URL's path starts with /v1/ (read from the string, no URL parsing). */
function isApiUrl(url: string): boolean {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start >= 0 && url.startsWith("/v1/", start);
}

/**
 * Stands in for a missing ExecutionContext (`app.request()` in Node) on the hot router, so a miss
 * can hand the caller's own context on: Hono's `executionCtx` getter throws when there is none.
 */
const NO_CONTEXT: ExecutionContext = {
  waitUntil() {},
  passThroughOnException() {},
  props: {},
};

/** Installs the front door: /v1 requests try the hot routes first; everything else, and their misses, the full app. */
export function serveHotRoutesFirst(app: App): void {
  const hot = hotApps.get(app);
  if (!hot) return;
  const full = app.fetch;
  hot.notFound((c) => {
    const ctx = c.executionCtx as ExecutionContext;
    return full(c.req.raw, c.env, ctx === NO_CONTEXT ? undefined : ctx);
  });
  app.fetch = ((request: Request, env?: AppEnv["Bindings"], ctx?: ExecutionContext) =>
    isApiUrl(request.url) ? hot.fetch(request, env, ctx ?? NO_CONTEXT) : full(request, env, ctx)) as typeof app.fetch;
}
