/** What every route shares: the app's types, artifact/variant selection and the response writer. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { configOf, type Env } from "../config.ts";
import { cacheControl, etagFor, matchesIfNoneMatch } from "../http/cache.ts";
import { markPrepared } from "../http/edge.ts";
import { fnv1a } from "../http/hash.ts";
import { ItemJson } from "../http/item-json.ts";
import { JsonWriter } from "../http/json-writer.ts";
import { SECURITY_HEADERS } from "../http/security.ts";
import type { ForgottenShoppers } from "../privacy/forgotten.ts";
import { compileFilter, type ItemFilter, MAX_K, type RecommendedItem } from "../recommend/index.ts";
import { merchandise } from "../merch/apply.ts";
import { fetchSize, type ListPlan, planFor } from "../merch/plan.ts";
import { acceptNewEntry, type FilterInput as ListFilters } from "../merch/new-items.ts";
import { writeOverlayItem } from "../merch/render.ts";
import type { ListKind } from "../artifact/index.ts";
import { MerchState } from "../merch/state.ts";
import type { MerchStore } from "../merch/store.ts";
import type { TrendingStore } from "../merch/trending-store.ts";
import type { ListContext, MerchView } from "../merch/view.ts";
import type { ArtifactStore } from "../store/artifact-store.ts";
import type { Catalog } from "../store/catalog.ts";
import { ServedArtifact } from "../store/served.ts";

export type AppEnv = { Bindings: Env; Variables: { jsonBody: unknown } };
export type App = OpenAPIHono<AppEnv>;
export type Ctx = Context<AppEnv>;

export interface Deps {
  store: ArtifactStore;
  /** Shoppers to serve as unknown (KV tombstones, privacy/forgotten.ts). */
  forgotten: ForgottenShoppers;
  /** The catalogue overlay and merchandising rules (KV), per isolate. */
  merch: MerchStore;
  /** The trending list (KV), per isolate. */
  trending: TrendingStore;
}

export type VariantName = "control" | "treatment";

export interface Picked {
  /** The version this request is served from (captured once: one response, one version). */
  catalog: Catalog;
  variant: VariantName;
  /** An A/B test is running (so responses vary by session). */
  abActive?: boolean;
  /** The overlay and rules this request is served with (captured once, like the catalogue). */
  merch: MerchState;
}

/**
 * The request's waitUntil, looked up only when a background check is actually started:
 * Hono's `executionCtx` getter throws (building a stack trace) when there is none, as
 * under `app.request()` in Node, which is too slow for every request.
 */
export function waitUntilOf(c: Ctx): () => WaitUntil | undefined {
  return () => {
    try {
      return c.executionCtx;
    } catch {
      return undefined;
    }
  };
}

export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/** `fn(value)`, after the value settles when it is a promise: keeps the synchronous case free of await hops. */
export function andThen<T, R>(value: T | Promise<T>, fn: (v: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/**
 * The artifact this request is served from, captured once so the whole response comes from
 * one version. With an A/B test configured, a stable FNV-1a hash of the session/user id puts
 * AB_SHARE of identities on the treatment version; anyone else (or if it fails to load) gets control.
 * Synchronous when the version is loaded and no treatment has to be waited for.
 */
export function pick(c: Ctx, deps: Deps, identity: string | undefined): Picked | Promise<Picked> {
  const env = c.env ?? {};
  const ctx = waitUntilOf(c);
  // Both loads start at once: a cold isolate reads the artifact and the (small) merch head in parallel.
  const control = deps.store.current(env, ctx);
  const merch = deps.merch.current(env, ctx);
  if (merch instanceof Promise || control instanceof Promise) return Promise.all([merch, control]).then(([m, cat]) => pickWith(c, deps, identity, m, cat));
  return pickWith(c, deps, identity, merch, control);
}

function pickWith(c: Ctx, deps: Deps, identity: string | undefined, merch: MerchState, control: Catalog): Picked | Promise<Picked> {
  const env = c.env ?? {};
  const ctx = waitUntilOf(c);
  const config = configOf(env);
  if (config.abShare > 0 && config.abVersion) {
    const id = identity ?? c.req.header("x-session-id");
    if (id && inTreatment(config.abVersion, id, config.abShare)) {
      return andThen(deps.store.variant(env, config.abVersion, ctx), (treatment): Picked =>
        treatment ? { catalog: treatment, variant: "treatment", abActive: true, merch } : { catalog: control, variant: "control", abActive: true, merch },
      );
    }
    return { catalog: control, variant: "control", abActive: true, merch };
  }
  return { catalog: control, variant: "control", merch };
}

export function inTreatment(abVersion: string, identity: string, share: number): boolean {
  return fnv1a(identity, fnv1a(abVersion)) / 4294967296 < share;
}

/** Path plus query of the request URL, without re-parsing it. */
export function pathAndQuery(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start < 0 ? "/" : url.slice(start);
}

export interface CacheInfo {
  etag: string;
  cacheControl: string;
}

/** ETag + Cache-Control for a GET, or a ready 304 when the client already has this body. */
export function conditional(c: Ctx, picked: Picked, personal: boolean): CacheInfo | Response {
  // The overlay and rules change bodies without a new artifact version: their versions are part of the tag.
  const version = picked.merch.empty ? picked.catalog.version : `${picked.catalog.version}~${picked.merch.key}`;
  const etag = etagFor(version, picked.variant, pathAndQuery(c.req.url));
  const info = { etag, cacheControl: cacheControl(configOf(c.env ?? {}).cacheMaxAge, personal) };
  if (matchesIfNoneMatch(c.req.header("if-none-match"), etag)) {
    return markPrepared(new Response(null, { status: 304, headers: headersFor(picked, info) }));
  }
  return info;
}

function headersFor(picked: Picked, cache: CacheInfo | undefined): Record<string, string> {
  // One object literal (not a spread): it is built for every response on the hot path.
  const h: Record<string, string> = {
    "x-content-type-options": SECURITY_HEADERS["x-content-type-options"],
    "referrer-policy": SECURITY_HEADERS["referrer-policy"],
    "content-security-policy": SECURITY_HEADERS["content-security-policy"],
    "content-type": "application/json; charset=utf-8",
    "cache-control": cache ? cache.cacheControl : "no-store",
  };
  if (cache) h.etag = cache.etag;
  // The body depends on the A/B arm, which depends on the session: shared caches must key on it.
  if (picked.abActive) h.vary = "X-Session-Id";
  return h;
}

const writer = new JsonWriter();

/**
 * Recommendation ids (`recId`): a random per-isolate prefix and a counter — unique without a
 * random draw per response. Events that name it tie a click or purchase to the list it came from.
 */
let recIdPrefix = "";
let recIdCounter = 0;
export function nextRecId(): string {
  // Drawn on first use: workerd forbids random values in global scope.
  if (!recIdPrefix) recIdPrefix = crypto.getRandomValues(new Uint32Array(2)).reduce((s, x) => s + x.toString(36).padStart(7, "0"), "");
  return recIdPrefix + (recIdCounter++).toString(36);
}

/**
 * Writes a recommendation list straight into bytes (see JsonWriter): item metadata is copied
 * from the artifact's UTF-8 tables, so nothing is stringified per request.
 * `head` is extra JSON members, each starting with a comma: serialised, or written into the writer.
 */
export function listResponse(
  picked: Picked,
  from: ServedArtifact | readonly ServedArtifact[],
  items: readonly RecommendedItem[],
  head: string | ((w: JsonWriter) => void),
  cache: CacheInfo | undefined,
): Response {
  const w = writer.reset();
  w.ascii('{"version":').string(picked.catalog.version).ascii(picked.variant === "control" ? ',"variant":"control"' : ',"variant":"treatment"');
  w.ascii(',"recId":"').ascii(nextRecId()).ascii('"');
  if (typeof head === "function") head(w);
  else if (head) w.raw(head);
  w.ascii(',"items":[');
  const merch = picked.merch.empty ? undefined : picked.merch;
  const single = from instanceof ServedArtifact ? from : undefined;
  const singleView = single && merch ? merch.viewFor(single) : undefined;
  const singleJson = single ? ItemJson.of(single) : undefined;
  for (let r = 0; r < items.length; r++) {
    const it = items[r];
    w.ascii(r === 0 ? "{" : ",{");
    const served = single ?? (from as readonly ServedArtifact[])[r];
    const view = single ? singleView : merch?.viewFor(served);
    if (view && view.rendersFromOverlay(it.index)) writeOverlayItem(w, view, it.index);
    else (singleJson ?? ItemJson.of(served)).write(w, it.index);
    w.ascii(',"score":').fixed4(it.score).ascii(',"reason":').string(it.reason).ascii("}");
  }
  w.ascii("]}");
  // Fetch's "extract a body" copies a BufferSource at construction, so handing over a view of
  // the shared scratch buffer is safe (and saves a copy).
  return markPrepared(new Response(w.view() as Uint8Array<ArrayBuffer>, { status: 200, headers: headersFor(picked, cache) }));
}

export function jsonResponse(picked: Picked, value: Record<string, unknown>, cache: CacheInfo | undefined): Response {
  const body = JSON.stringify({ version: picked.catalog.version, variant: picked.variant, ...value });
  return markPrepared(new Response(body, { status: 200, headers: headersFor(picked, cache) }));
}

/** Six significant digits are plenty for a ranking score and keep bodies short. */
export function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : 0;
}

/** A list request's filters: those a new product is checked against, and the shopper's purchases. */
export interface FilterInput extends ListFilters {
  /** Items the shopper bought (id, Unix seconds), for notRecentlyBought rules. */
  bought?: readonly { item: string; at: number }[];
}

/** Query/body filters → the recommenders' ItemFilter (unknown excluded ids simply cannot be recommended). */
export function toFilter(served: ServedArtifact, input: FilterInput, extraExclude?: readonly string[], view?: MerchView): ItemFilter | undefined {
  const { category, minPrice, maxPrice } = input;
  let exclude: Set<number> | undefined;
  for (const list of [input.exclude, extraExclude]) {
    if (!list) continue;
    for (const id of list) {
      const i = served.itemIndex(id);
      if (i >= 0) (exclude ??= new Set()).add(i);
    }
  }
  let brands: Uint8Array | undefined;
  let brandOf: Int32Array | undefined;
  if (input.brand?.length) {
    const v = view ?? MerchState.EMPTY.viewFor(served);
    brandOf = v.brandOf();
    brands = new Uint8Array(v.brandCount());
    for (const b of input.brand) {
      const id = v.brandId(b);
      if (id >= 0) brands[id] = 1;
    }
  }
  const blocked = view?.blocked;
  if (category === undefined && minPrice === undefined && maxPrice === undefined && !exclude && !blocked && !brands) return undefined;
  const pathOverride = view?.hasPathOverrides ? (i: number) => view.pathBytesOf(i) : undefined;
  return { category, minPrice, maxPrice, exclude, blocked, prices: view?.prices, pathOverride, brands, brandOf };
}

/** Everything a list route needs to apply the overlay and the rules to one list. */
export interface ListMerch {
  view: MerchView | undefined;
  /** The rules that apply to this list (undefined without a view). */
  plan: ListPlan | undefined;
  filter: ItemFilter | undefined;
  ctx: ListContext;
  /** Passes the request's filters and the blocked mask: artifact items and new products alike. */
  accept: (index: number) => boolean;
  /** How many items to ask the recommender for (more when a rule may drop or re-order), and on a retry. */
  fetchK: number;
  retryK: number;
}

export function listMerch(
  picked: Picked,
  served: ServedArtifact,
  input: FilterInput,
  list: ListKind,
  k: number,
  page?: { id: string; index: number },
  extraExclude?: readonly string[],
): ListMerch {
  const view = picked.merch.empty ? undefined : picked.merch.viewFor(served);
  // Without request filters the filter depends on the view alone: made once per view, not per request.
  const plain = view !== undefined && isPlain(input) && !extraExclude?.length;
  const filter = plain ? (view.plainFilter ??= { f: toFilter(served, input, undefined, view) }).f : toFilter(served, input, extraExclude, view);
  const ctx: ListContext = { list, category: input.category };
  if (page) {
    ctx.pageItemId = page.id;
    ctx.pageItem = page.index;
    if (view?.categoryScoped) ctx.pagePath = page.index >= view.n ? view.entryPath[page.index - view.n] : view.pathOf(page.index);
  }
  if (view && input.bought?.length) {
    ctx.bought = [];
    for (const b of input.bought) {
      const i = served.itemIndex(b.item);
      if (i >= 0) ctx.bought.push({ index: i, at: b.at });
    }
  }
  let accept: (index: number) => boolean;
  if (plain) accept = view.plainAccept ??= anyIndexAccept(view, compileFilter(served.artifact, filter), input);
  else {
    const artifactAccept = compileFilter(served.artifact, filter);
    accept = view ? anyIndexAccept(view, artifactAccept, input) : artifactAccept;
  }
  const plan = view ? planFor(view, ctx) : undefined;
  const fetchK = fetchSize(plan, k);
  return { view, plan, filter, ctx, accept, fetchK, retryK: fetchK > k ? Math.min(MAX_K, 4 * k + 10) : k };
}

function isPlain(input: FilterInput): boolean {
  return input.category === undefined && input.minPrice === undefined && input.maxPrice === undefined && !input.exclude?.length && !input.brand?.length;
}

/** Accepts artifact items by `artifactAccept` and new products (index ≥ n) by the request's filters. */
function anyIndexAccept(view: MerchView, artifactAccept: (i: number) => boolean, input: FilterInput): (index: number) => boolean {
  return (i) => (i >= view.n ? acceptNewEntry(view, i - view.n, input) : artifactAccept(i));
}

/**
 * The list with the rules applied, at most k: `produce(n)` asks the recommender for n items,
 * first a few more than k (m.fetchK), and only when rules left fewer than k of a full answer,
 * once more with many more (m.retryK): the common case pays for a short over-fetch only.
 */
export function finishList(m: ListMerch, k: number, produce: (n: number) => RecommendedItem[]): RecommendedItem[] {
  const items = produce(m.fetchK);
  const out = merchandise(m.view, m.plan, items, k, m.ctx, m.accept);
  if (out.length >= k || items.length < m.fetchK || m.retryK <= m.fetchK) return out;
  return merchandise(m.view, m.plan, produce(m.retryK), k, m.ctx, m.accept);
}
