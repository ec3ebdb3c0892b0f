/** GET /widget.js: the embeddable <edgerec-recommendations> element, readable from any store's origin. */
import { Hono } from "hono";
import type { AppEnv } from "../routes/context.ts";
import { widgetJs } from "./generated/widget-bundle.ts";
import { staticAsset } from "./static-asset.ts";

export function createWidgetScriptRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/widget.js", staticAsset(widgetJs, "text/javascript; charset=utf-8", true));
  return routes;
}
