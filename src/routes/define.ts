/**
 * Registers a route twice over from one declaration: in the OpenAPI registry (so
 * /openapi.json is generated from the zod schemas) and on the Hono router with *synchronous*
 * zod validation. (@hono/zod-openapi's own validators use safeParseAsync, whose promise
 * machinery costs more than the whole recommendation on the hot path.)
 */
import type { RouteConfig } from "@hono/zod-openapi";
import type { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { invalid, type ProblemField } from "../http/problem.ts";
import type { App, Ctx } from "./context.ts";
import { hotHandler, hotRoutesOf } from "./hot.ts";

interface Schemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface Parsed<S extends Schemas> {
  params: Out<S["params"]>;
  query: Out<S["query"]>;
  body: Out<S["body"]>;
}

export interface RouteDeclaration<S extends Schemas> extends Omit<RouteConfig, "request" | "middleware"> {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  schemas: S;
  /** Runs before validation (e.g. the bounded JSON body reader). */
  middleware?: MiddlewareHandler[];
  /**
   * Exact shortcuts for the common inputs (schemas/common.ts): each returns what the schema
   * would, or undefined to let the schema decide (and explain a rejection).
   */
  fast?: { params?: (c: Ctx) => unknown; query?: (search: string) => unknown; body?: (json: unknown) => unknown };
  /** Answer in front of the middleware chain (routes/hot.ts): the recommendation routes. */
  hot?: boolean;
}

interface IssueLike {
  path: PropertyKey[];
  message: string;
}

export function issuesToFields(where: string, issues: readonly IssueLike[]): ProblemField[] {
  return issues.slice(0, 50).map((i) => {
    let location = where;
    for (const p of i.path) location += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
    return { location, message: i.message };
  });
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = issuesToFields(where, result.error.issues);
  throw invalid(errors, errors.length === 1 ? `${errors[0].location}: ${errors[0].message}` : undefined);
}

/** Query values as the validators expect: a string, or an array when a key repeats. */
function queryOf(c: Ctx): Record<string, string | string[]> {
  const url = c.req.url;
  if (url.indexOf("?") < 0) return {};
  const all = c.req.queries();
  const out: Record<string, string | string[]> = {};
  for (const key in all) out[key] = all[key].length === 1 ? all[key][0] : all[key];
  return out;
}

/** The URL's part after "?", "" when there is none. */
function searchOf(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? "" : url.slice(q + 1);
}

export function defineRoute<S extends Schemas>(app: App, declaration: RouteDeclaration<S>, handler: (c: Ctx, input: Parsed<S>) => Promise<Response> | Response): void {
  const { schemas, middleware = [], fast = {}, hot = false, ...doc } = declaration;
  const request: RouteConfig["request"] = {};
  if (schemas.params) request.params = schemas.params as never;
  if (schemas.query) request.query = schemas.query as never;
  if (schemas.body) request.body = { required: true, content: { "application/json": { schema: schemas.body as never } } };
  app.openAPIRegistry.registerPath({ ...doc, request } as RouteConfig);
  const honoPath = declaration.path.replace(/\{([^}]+)\}/g, ":$1");
  const { params, query, body } = schemas;
  const validated = (c: Ctx) => {
    const input = {
      params: params ? (fast.params?.(c) ?? parse(params, c.req.param(), "path")) : undefined,
      query: query ? (fast.query?.(searchOf(c.req.url)) ?? parse(query, queryOf(c), "query")) : undefined,
      body: body ? (fast.body?.(c.get("jsonBody")) ?? parse(body, c.get("jsonBody"), "body")) : undefined,
    } as Parsed<S>;
    return handler(c, input);
  };
  if (hot) {
    hotRoutesOf(app).on(declaration.method.toUpperCase(), honoPath, hotHandler(middleware, validated));
    return;
  }
  const on = app.on as unknown as (method: string, path: string, ...handlers: MiddlewareHandler[]) => void;
  on(declaration.method.toUpperCase(), honoPath, ...middleware, validated as unknown as MiddlewareHandler);
}
