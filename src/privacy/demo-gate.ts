/**
 * The demo page and the routes that list shoppers or show one shopper's history are for local
 * development (DEMO = "on"). On a deployed worker they answer 404 as if absent — nothing tells a
 * visitor they exist — unless the caller holds the admin bearer token (a wrong token gets 401).
 */
import type { Context } from "hono";
import { configOf } from "../config.ts";
import { requireAdmin } from "../http/auth.ts";
import { ProblemError } from "../http/problem.ts";

export function requireDemoOrAdmin(c: Context<any>): void {
  const config = configOf(c.env ?? {});
  if (config.demo) return;
  const authorization = c.req.header("authorization");
  if (authorization === undefined) {
    throw new ProblemError(404, "not-found", "Not found", `No route for ${c.req.method} ${c.req.path}; see /docs for the API.`);
  }
  requireAdmin(authorization, config.adminToken);
}
