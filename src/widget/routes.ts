/**
 * What the worker serves for browsers: /widget.js (the embeddable element), the demo page at /
 * with its script, and three small read-only JSON routes the demo needs (title search, a sample
 * of known shoppers, a shopper's history) plus the model card with the training history.
 *
 * Mount from the app:  registerWidgetRoutes(app, { store })   (same shape as the API's route modules)
 */
import { Hono } from "hono";
import { fnv1a } from "../http/hash.ts";
import { SECURITY_HEADERS } from "../http/security.ts";
import { invalid, notFoundId } from "../http/problem.ts";
import { requireUserToken } from "../privacy/user-token.ts";
import { type App, type AppEnv, conditional, type Deps, type Ctx, jsonResponse, pick, waitUntilOf } from "../routes/context.ts";
import type { Catalog } from "../store/catalog.ts";
import type { ServedArtifact } from "../store/served.ts";
import { modelCard } from "../demo/model-card.ts";
import { requireDemoOrAdmin } from "../privacy/demo-gate.ts";
import { demoPageHtml } from "../demo/page.ts";
import { searchTitles } from "../demo/search.ts";
import { sampleUsers, userHistory } from "../demo/users.ts";
import { demoJs } from "./generated/demo-bundle.ts";
import { documentWidgetRoutes } from "./openapi.ts";
import { widgetJs } from "./generated/widget-bundle.ts";

// The demo page loads only its own scripts; images may be catalogue data: URIs or https URLs.
const DEMO_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function staticAsset(body: string, type: string, crossOrigin: boolean, extra: Record<string, string> = {}) {
  const etag = `"${fnv1a(body).toString(36)}-${body.length.toString(36)}"`;
  const headers: Record<string, string> = {
    "content-type": type,
    etag,
    // Short max-age plus ETag: stores pick up a new widget within minutes, revalidation is a 304.
    "cache-control": "public, max-age=300, stale-while-revalidate=86400",
    // Every response's headers (nosniff, no-referrer, CSP); a page may replace the CSP with its own.
    ...SECURITY_HEADERS,
    ...extra,
  };
  // A module script loaded from a store's origin is fetched in CORS mode; the widget is public code.
  if (crossOrigin) headers["access-control-allow-origin"] = "*";
  return (c: Ctx) => {
    if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
    return new Response(body, { status: 200, headers });
  };
}

/**
 * The artifact the demo searches and samples shoppers from: the whole catalogue for a single
 * artifact; for a sharded one, the shard that serves popular items (a partial view, which is
 * enough for a demo and avoids fetching every shard).
 */
async function searchable(catalog: Catalog): Promise<ServedArtifact> {
  return catalog.layout === "single" ? (catalog as ServedArtifact) : await catalog.popular();
}

function intQuery(c: Ctx, name: string, fallback: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalid([{ location: `query.${name}`, message: `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw.slice(0, 40))}` }]);
  }
  return n;
}

const demoOnly = async (c: Ctx, next: () => Promise<void>) => {
  requireDemoOrAdmin(c);
  await next();
};

export function createWidgetRoutes(deps: Deps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const page = demoPageHtml();

  routes.get("/widget.js", staticAsset(widgetJs, "text/javascript; charset=utf-8", true));
  // The demo (page, script, shopper listing and history) exists only with DEMO = "on" or for the admin token.
  const demoPage = staticAsset(page, "text/html; charset=utf-8", false, { "content-security-policy": DEMO_CSP, "referrer-policy": "no-referrer" });
  const demoScript = staticAsset(demoJs, "text/javascript; charset=utf-8", false);
  routes.use("/v1/users", demoOnly);
  routes.use("/v1/users/:id/history", demoOnly);
  routes.get("/demo.js", demoOnly, demoScript);
  routes.get("/", demoOnly, demoPage);
  routes.get("/demo", demoOnly, demoPage);

  routes.get("/v1/search", async (c) => {
    const q = c.req.query("q") ?? "";
    if (q.length > 100) throw invalid([{ location: "query.q", message: "at most 100 characters" }]);
    const limit = intQuery(c, "limit", 8, 1, 50);
    const picked = await pick(c, deps, undefined);
    const cache = conditional(c, picked, false);
    if (cache instanceof Response) return cache;
    const served = await searchable(picked.catalog);
    const items = searchTitles(served, q, limit).map((i) => served.itemView(i));
    return jsonResponse(picked, { query: q, items }, cache);
  });

  routes.get("/v1/users", async (c) => {
    const limit = intQuery(c, "limit", 20, 1, 200);
    const picked = await pick(c, deps, undefined);
    const forgotten = await deps.forgotten.current(c.env ?? {}, waitUntilOf(c));
    // The list depends on the tombstones too: never let a client revalidate a list naming a forgotten shopper.
    const cache = forgotten.size > 0 ? undefined : conditional(c, picked, false);
    if (cache instanceof Response) return cache;
    const users = sampleUsers(await searchable(picked.catalog), limit).filter((u) => !forgotten.has(u.id));
    return jsonResponse(picked, { users }, cache);
  });

  routes.get("/v1/users/:id/history", async (c) => {
    const id = c.req.param("id");
    const limit = intQuery(c, "limit", 20, 1, 200);
    await requireUserToken(c, [id]);
    const picked = await pick(c, deps, id);
    const forgotten = await deps.forgotten.has(c.env ?? {}, id, waitUntilOf(c));
    const cache = forgotten ? undefined : conditional(c, picked, true);
    if (cache instanceof Response) return cache;
    const found = forgotten ? null : await picked.catalog.user(id);
    if (!found) throw notFoundId("user", id, "path.id");
    const items = userHistory(found.served, found.index, limit).map((i) => found.served.itemView(i));
    return jsonResponse(picked, { user: id, items }, cache);
  });

  routes.get("/v1/model/card", async (c) => {
    const picked = await pick(c, deps, undefined);
    const cache = conditional(c, picked, false);
    if (cache instanceof Response) return cache;
    const extra = (await picked.catalog.popular()).artifact.extra;
    return jsonResponse(picked, { ...modelCard(picked.catalog.header, extra) }, cache);
  });

  return routes;
}

export function registerWidgetRoutes(app: App, deps: Deps): void {
  app.route("/", createWidgetRoutes(deps));
  documentWidgetRoutes(app);
}
