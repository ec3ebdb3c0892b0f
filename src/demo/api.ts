/** JSON calls from the demo page to its own worker (same origin). */
import { fetchJson, type RecommendedItem } from "../browser-shared/api-client.ts";
import type { ModelCard } from "../site/model-card.ts";

/** An item as the API returns it (the widget renders the same shape). */
export type Item = RecommendedItem;
/** GET /v1/model/card. */
export type ModelCardResponse = ModelCard;

const getJson = <T extends object>(path: string, signal?: AbortSignal) => fetchJson<T>(path, { signal, init: { headers: { accept: "application/json" } } });

export const api = {
  search: (q: string, signal?: AbortSignal) => getJson<{ items: Item[] }>(`/v1/search?q=${encodeURIComponent(q)}&limit=8`, signal),
  item: (id: string) => getJson<{ item: Item }>(`/v1/items/${encodeURIComponent(id)}`),
  users: () => getJson<{ users: { id: string; historyLength: number }[] }>("/v1/users?limit=40"),
  history: (id: string) => getJson<{ items: Item[] }>(`/v1/users/${encodeURIComponent(id)}/history?limit=12`),
  modelCard: () => getJson<ModelCardResponse>("/v1/model/card"),
};
