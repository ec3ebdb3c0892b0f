/** The one API call the widget makes, chosen by which of item / user / items is set. */
import { ApiError, fetchJson, type RecommendedItem } from "../browser-shared/api-client.ts";

export interface RecommendationResponse {
  version?: string;
  recId?: string;
  variant?: string;
  items?: RecommendedItem[];
}

export interface RecommendationQuery {
  api: string;
  item?: string;
  user?: string;
  /** The store's signed token for `user` (sent as ?token=, which needs no CORS preflight). */
  userToken?: string;
  items?: string[];
  /** Recently viewed / carted item ids, oldest first: sent as the basket request's `recent`. */
  recent?: string[];
  k: number;
  category?: string;
  /** Another kind of list: trending items, or items bought together with `item`. */
  mode?: "trending" | "together";
}

export function buildRequest(q: RecommendationQuery): { url: string; init: RequestInit } {
  const base = q.api.replace(/\/+$/, "");
  const params = new URLSearchParams({ k: String(q.k) });
  if (q.category) params.set("category", q.category);
  if ((q.items && q.items.length > 0) || (q.recent && q.recent.length > 0)) {
    // The API always leaves the basket and recent items themselves out of the answer.
    const body: Record<string, unknown> = { items: q.items ?? [], k: q.k };
    if (q.recent && q.recent.length > 0) body.recent = q.recent;
    if (q.category) body.filters = { category: q.category };
    return {
      url: `${base}/v1/recommendations`,
      init: { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    };
  }
  if (!q.item && q.user && q.userToken) params.set("token", q.userToken);
  const path = q.mode === "trending"
    ? "/v1/trending"
    : q.item
    ? `/v1/items/${encodeURIComponent(q.item)}/${q.mode === "together" ? "together" : "similar"}`
    : q.user
      ? `/v1/users/${encodeURIComponent(q.user)}/recommendations`
      : "/v1/popular";
  return { url: `${base}${path}?${params}`, init: { method: "GET" } };
}

/**
 * Display metadata of items by id (GET /v1/items/{id} each, in parallel), for lists the widget
 * keeps itself (recently viewed); ids the API does not know are left out.
 */
export async function fetchItems(api: string, ids: readonly string[], timeoutMs: number, signal: AbortSignal): Promise<RecommendedItem[]> {
  const base = api.replace(/\/+$/, "");
  // The calls run in parallel, so each one's time limit bounds the whole list.
  const found = await Promise.all(
    ids.map((id): Promise<RecommendedItem | undefined> =>
      fetchJson<{ item?: RecommendedItem }>(`${base}/v1/items/${encodeURIComponent(id)}`, { signal, timeoutMs }).then(
        (json) => (json.item ? { ...json.item, reason: "recently viewed" } : undefined),
        (err: unknown) => {
          if (err instanceof ApiError) return undefined;
          throw err;
        },
      ),
    ),
  );
  return found.filter((x): x is RecommendedItem => x !== undefined);
}

/** Resolves with the response, or rejects on HTTP error, malformed JSON, abort or timeout. */
export function fetchRecommendations(q: RecommendationQuery, timeoutMs: number, signal: AbortSignal): Promise<RecommendationResponse> {
  const { url, init } = buildRequest(q);
  return fetchJson<RecommendationResponse>(url, { init, signal, timeoutMs });
}
