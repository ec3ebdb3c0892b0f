/** JSON calls from the demo page to its own worker (same origin). */
export interface Item {
  id: string;
  title: string;
  brand?: string;
  price?: number | null;
  category?: string;
  image?: string;
  url?: string;
}

export interface ModelCardResponse {
  version: string;
  createdAt: string;
  model: { type: string; params: Record<string, unknown> };
  metrics: Record<string, number>;
  headlineMetric: string;
  counts: { items: number; users: number; categories: number };
  training: ({ epoch: number } & Record<string, number>)[];
}

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
