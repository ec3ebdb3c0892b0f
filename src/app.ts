/**
 * The edgerec API as a Hono app. `createApp()` makes an independent instance (its own
 * artifact store), which is what tests and benchmarks use; src/index.ts exports one per isolate.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { cors } from "./http/cors.ts";
import { fromProblemError, ProblemError, problemResponse } from "./http/problem.ts";
import { rateLimit } from "./http/rate-limit.ts";
import { securityHeaders } from "./http/security.ts";
import { registerAdminRoutes } from "./routes/admin.ts";
import { registerBasketRoutes } from "./routes/basket.ts";
import type { AppEnv, Deps } from "./routes/context.ts";
import { registerDocRoutes } from "./routes/docs.ts";
import { registerItemRoutes } from "./routes/items.ts";
import { registerModelRoutes } from "./routes/model.ts";
import { registerPopularRoutes } from "./routes/popular.ts";
import { registerScoreRoutes } from "./routes/score.ts";
import { registerUserRoutes } from "./routes/users.ts";
import { ArtifactStore } from "./store/artifact-store.ts";
import { registerWidgetRoutes } from "./widget/routes.ts";

export interface AppOptions {
  store?: ArtifactStore;
}

export function createApp(options: AppOptions = {}) {
  const deps: Deps = { store: options.store ?? new ArtifactStore() };
  // Routes validate synchronously themselves (routes/define.ts); this app only documents them.
  const app = new OpenAPIHono<AppEnv>();

  app.use("*", securityHeaders);
  app.use("*", cors);
  app.use("/v1/*", rateLimit);

  registerModelRoutes(app, deps);
  registerItemRoutes(app, deps);
  registerUserRoutes(app, deps);
  registerPopularRoutes(app, deps);
  registerBasketRoutes(app, deps);
  registerScoreRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerDocRoutes(app);
  registerWidgetRoutes(app, deps); // /widget.js, the demo page at / and its read-only JSON routes

  app.notFound((c) =>
    problemResponse(404, "not-found", "Not found", `No route for ${c.req.method} ${c.req.path}; see /docs for the API.`, c.req.path),
  );

  app.onError((err, c) => {
    if (err instanceof ProblemError) return fromProblemError(err, c.req.path);
    if (err instanceof HTTPException) {
      const status = err.status;
      const title = status === 413 ? "Request body too large" : status === 415 ? "Unsupported media type" : status === 400 ? "Bad request" : "Request refused";
      return problemResponse(status, `http-${status}`, title, err.message || title, c.req.path);
    }
    // Never leak internals: log for the operator, answer a generic problem.
    console.error("edgerec: unhandled error", err);
    return problemResponse(500, "internal", "Internal error", "The server failed to answer this request; it has been logged.", c.req.path);
  });

  return Object.assign(app, { deps });
}

export type EdgerecApp = ReturnType<typeof createApp>;
