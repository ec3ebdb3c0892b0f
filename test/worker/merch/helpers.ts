/** Shared set-up of the merchandising tests: the synthetic artifact in R2, empty merch keys in KV, admin calls. */
import { inject } from "vitest";
import { MERCH_HEAD_KEY, OVERLAY_KEY, RULES_KEY } from "../../../src/artifact/index.ts";
import { baseEnv, client, download, publishR2, unpublishAll } from "../support/helpers.ts";

export const TOKEN = "test-admin-token";
export const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

const { v1 } = inject("artifacts");
export const v1Version = v1.version;

/** Item ids of the synthetic catalogue: "P" + base-36 of 100000 + index. */
export const itemId = (i: number) => `P${(100000 + i).toString(36).toUpperCase()}`;

export async function clearMerch(): Promise<void> {
  for (const key of [MERCH_HEAD_KEY, OVERLAY_KEY, RULES_KEY]) await baseEnv.KV.delete(key);
}

export async function readyMerch(vars: Record<string, string> = {}) {
  const bytes = await download(v1.url);
  await unpublishAll();
  await clearMerch();
  await publishR2(v1.version, bytes);
  return client({ ADMIN_TOKEN: TOKEN, ...vars });
}

export type Api = Awaited<ReturnType<typeof readyMerch>>;

export function send(api: Api, method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  return api.fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

export async function ids(api: Api, path: string, init?: RequestInit): Promise<string[]> {
  const res = await api.json(path, init);
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.items.map((i: { id: string }) => i.id);
}

export async function basketIds(api: Api, body: unknown): Promise<string[]> {
  const res = await api.post("/v1/recommendations", body);
  const json = (await res.json()) as any;
  if (res.status !== 200) throw new Error(`basket answered ${res.status}: ${JSON.stringify(json)}`);
  return json.items.map((i: { id: string }) => i.id);
}
