/**
 * Admin-only (bearer ADMIN_TOKEN) read access to the stored event objects, so operators and
 * `edgerec events|train|report --remote` can list and fetch them through the deployed worker
 * (wrangler has no R2 object listing).
 */
import { configOf } from "../config.ts";
import { EVENTS_PREFIX, REPORT_HTML_KEY } from "../artifact/index.ts";
import { requireAdmin } from "../http/auth.ts";
import { ProblemError } from "../http/problem.ts";
import type { App } from "../routes/context.ts";
import { registerEventPurgeRoute } from "./purge-route.ts";

// The report is our own HTML with inline styles and SVG only: no scripts, nothing fetched.
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

export function registerEventAdminRoutes(app: App): void {
  app.get("/v1/admin/report", async (c) => {
    const env = c.env ?? {};
    requireAdmin(c.req.header("authorization"), configOf(env).adminToken);
    const object = await env.ARTIFACTS.get(REPORT_HTML_KEY);
    if (!object) throw new ProblemError(404, "no-report", "No report published", "Run `edgerec report --events … --publish local|remote` to publish one.");
    return new Response(object.body, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": REPORT_CSP } });
  });

  app.get("/v1/admin/events", async (c) => {
    const env = c.env ?? {};
    requireAdmin(c.req.header("authorization"), configOf(env).adminToken);
    const prefix = c.req.query("prefix") ?? EVENTS_PREFIX;
    if (!prefix.startsWith(EVENTS_PREFIX)) throw new ProblemError(400, "invalid-request", "Invalid request", `prefix must start with ${EVENTS_PREFIX}`);
    const listed = await env.ARTIFACTS.list({ prefix, cursor: c.req.query("cursor") || undefined, limit: 1000 });
    return c.json(
      {
        objects: listed.objects.map((o) => ({ key: o.key, size: o.size, uploaded: o.uploaded.toISOString() })),
        cursor: listed.truncated ? listed.cursor : null,
      },
      200,
      { "cache-control": "no-store" },
    );
  });

  app.get("/v1/admin/events/object", async (c) => {
    const env = c.env ?? {};
    requireAdmin(c.req.header("authorization"), configOf(env).adminToken);
    const key = c.req.query("key") ?? "";
    if (!key.startsWith(EVENTS_PREFIX)) throw new ProblemError(400, "invalid-request", "Invalid request", `key must start with ${EVENTS_PREFIX}`);
    const object = await env.ARTIFACTS.get(key);
    if (!object) throw new ProblemError(404, "not-found", "Not found", `No event object ${key}`);
    return new Response(object.body, { headers: { "content-type": "application/gzip", "cache-control": "no-store" } });
  });

  registerEventPurgeRoute(app);
}
