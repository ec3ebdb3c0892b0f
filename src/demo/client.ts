/** JSON calls from the demo page to its own worker (same origin). */
import type { ModelCard } from "./model-card.ts";
import type { RecommendedItem } from "../widget/api.ts";

/** An item as the API returns it (the widget renders the same shape). */
export type Item = RecommendedItem;
/** GET /v1/model/card. */
export type ModelCardResponse = ModelCard;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: "application/json" } });
  const body = (await res.json().catch(() => null)) as (T & { detail?: string; title?: string }) | null;
  if (!res.ok || !body) throw new ApiError(res.status, body?.detail ?? body?.title ?? `HTTP ${res.status} from ${path}`);
  return body;
}

export const api = {
  search: (q: string, signal?: AbortSignal) => getJson<{ items: Item[] }>(`/v1/search?q=${encodeURIComponent(q)}&limit=8`, signal),
  item: (id: string) => getJson<{ item: Item }>(`/v1/items/${encodeURIComponent(id)}`),
  users: () => getJson<{ users: { id: string; historyLength: number }[] }>("/v1/users?limit=40"),
  history: (id: string) => getJson<{ items: Item[] }>(`/v1/users/${encodeURIComponent(id)}/history?limit=12`),
  modelCard: () => getJson<ModelCardResponse>("/v1/model/card"),
};
