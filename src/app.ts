/**
 * The edgerec API as a Hono app. `createApp()` makes an independent instance (its own
 * artifact store), which is what tests and benchmarks use; src/index.ts exports one per isolate.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { edge } from "./http/edge.ts";
import { errorResponse } from "./http/error-response.ts";
import { problemResponse } from "./http/problem.ts";
import { ForgottenShoppers } from "./privacy/forgotten.ts";
import { registerAdminRoutes } from "./routes/admin.ts";
import { registerBasketRoutes } from "./routes/basket.ts";
import type { AppEnv, Deps } from "./routes/context.ts";
import { registerForgetRoutes } from "./routes/forget.ts";
import { registerEventRoutes } from "./events/route.ts";
import { serveHotRoutesFirst } from "./routes/hot.ts";
import { registerItemRoutes } from "./routes/items.ts";
import { registerModelRoutes } from "./routes/model.ts";
import { registerPopularRoutes } from "./routes/popular.ts";
import { registerScoreRoutes } from "./routes/score.ts";
import { registerUserRoutes } from "./routes/users.ts";
import { MerchStore } from "./merch/store.ts";
import { TrendingStore } from "./merch/trending-store.ts";
import { registerListRoutes } from "./routes/lists.ts";
import { registerMerchRoutes } from "./routes/merch.ts";
import { ArtifactStore } from "./store/artifact-store.ts";
import { registerSiteRoutes } from "./site/register.ts";

export interface AppOptions {
  store?: ArtifactStore;
  merch?: MerchStore;
}

export function createApp(options: AppOptions = {}) {
  const deps: Deps = { store: options.store ?? new ArtifactStore(), forgotten: new ForgottenShoppers(), merch: options.merch ?? new MerchStore(), trending: new TrendingStore() };
  // Routes validate synchronously themselves (routes/define.ts); this app only documents them.
  const app = new OpenAPIHono<AppEnv>();

  // Preflight, rate limit (/v1), CORS and security headers in one layer; the recommendation
  // routes do the same inline, in front of it (routes/hot.ts).
  app.use("*", edge);

  registerModelRoutes(app, deps);
  registerItemRoutes(app, deps);
  registerUserRoutes(app, deps);
  registerPopularRoutes(app, deps);
  registerBasketRoutes(app, deps);
  registerScoreRoutes(app, deps);
  registerAdminRoutes(app, deps);
  registerForgetRoutes(app, deps);
  registerEventRoutes(app);
  registerMerchRoutes(app, deps);
  registerListRoutes(app, deps);
  registerSiteRoutes(app, deps); // /openapi.json, /docs, /widget.js, the demo page at / and its read-only JSON routes

  app.notFound((c) =>
    problemResponse(404, "not-found", "Not found", `No route for ${c.req.method} ${c.req.path}; see /docs for the API.`, c.req.path),
  );

  app.onError((err, c) => errorResponse(err, c.req.path));
  serveHotRoutesFirst(app);

  return Object.assign(app, { deps });
}

export type EdgerecApp = ReturnType<typeof createApp>;
