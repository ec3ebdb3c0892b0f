/**
 * The demo store: its page at / and /demo, its script /demo.js, and the read-only JSON routes it
 * needs (title search, a sample of known shoppers, a shopper's history, the model card with the
 * training history). The page, the script and the shopper routes exist only with DEMO = "on" or
 * for the admin token.
 */
import { Hono } from "hono";
import { invalid, notFoundId } from "../http/problem.ts";
import { requireDemoOrAdmin } from "../privacy/demo-gate.ts";
import { requireUserToken } from "../privacy/user-token.ts";
import { type AppEnv, conditional, type Deps, type Ctx, jsonResponse, pick, waitUntilOf } from "../routes/context.ts";
import type { Catalog } from "../store/catalog.ts";
import type { ServedArtifact } from "../store/served.ts";
import { demoPageHtml } from "./demo-page.ts";
import { demoJs } from "./generated/demo-bundle.ts";
import { modelCard } from "./model-card.ts";
import { sampleUsers, userHistory } from "./shopper-sample.ts";
import { staticAsset } from "./static-asset.ts";
import { searchTitles } from "./title-search.ts";

// The demo page loads only its own scripts; images may be catalogue data: URIs or https URLs.
const DEMO_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

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

export function createDemoRoutes(deps: Deps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const page = demoPageHtml();

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
