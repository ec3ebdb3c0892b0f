/**
 * Everything the worker serves for people and browsers rather than for a store's backend: the
 * widget script, the demo store (page, script and its read-only JSON routes), /openapi.json and /docs.
 *
 * Mount from the app:  registerSiteRoutes(app, deps)   (same shape as the API's route modules)
 */
import type { App, Deps } from "../routes/context.ts";
import { registerApiDocs } from "./api-docs.ts";
import { createDemoRoutes } from "./demo-routes.ts";
import { documentDemoRoutes } from "./demo-openapi.ts";
import { createWidgetScriptRoutes } from "./widget-script.ts";

export function registerSiteRoutes(app: App, deps: Deps): void {
  registerApiDocs(app);
  app.route("/", createWidgetScriptRoutes());
  app.route("/", createDemoRoutes(deps));
  documentDemoRoutes(app);
}
