/**
 * Listing a remote R2 bucket through Cloudflare's REST API. wrangler can put, get and delete R2
 * objects but not list them, and `edgerec gc --remote` must see every object, including those of
 * versions an interrupted publish never indexed. Needs an API token with R2 read access and the
 * account id, the same pair CI already uses for wrangler (CLOUDFLARE_API_TOKEN,
 * CLOUDFLARE_ACCOUNT_ID); CLOUDFLARE_API_BASE_URL, which wrangler honours too, points it elsewhere.
 */

/** What a listing gives per object (the shape of object-store.ts ListedObject, which imports this file). */
export interface RestListedObject {
  key: string;
  uploadedAt?: number;
}

export const DEFAULT_CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";

export interface R2RestAccess {
  accountId: string;
  token: string;
  bucket: string;
  /** Default https://api.cloudflare.com/client/v4. */
  apiBase?: string;
}

/** The access the environment gives, or undefined when the token or the account id is missing. */
export function r2RestAccessFromEnv(bucket: string, env: NodeJS.ProcessEnv = process.env): R2RestAccess | undefined {
  const token = env.CLOUDFLARE_API_TOKEN;
  const accountId = env.CLOUDFLARE_ACCOUNT_ID;
  if (!token || !accountId) return undefined;
  return { token, accountId, bucket, apiBase: env.CLOUDFLARE_API_BASE_URL || undefined };
}

interface ListPage {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: { key?: unknown; last_modified?: unknown; uploaded?: unknown }[];
  result_info?: { cursor?: string; is_truncated?: boolean };
}

/** Every object under `prefix`, following the API's cursor, with its upload time when the API gives one. */
export async function listR2Objects(access: R2RestAccess, prefix: string): Promise<RestListedObject[]> {
  const base = (access.apiBase ?? DEFAULT_CLOUDFLARE_API).replace(/\/+$/, "");
  const url = `${base}/accounts/${encodeURIComponent(access.accountId)}/r2/buckets/${encodeURIComponent(access.bucket)}/objects`;
  const out: RestListedObject[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    const query = new URLSearchParams({ prefix, per_page: "1000" });
    if (cursor) query.set("cursor", cursor);
    let response: Response;
    try {
      response = await fetch(`${url}?${query}`, { headers: { Authorization: `Bearer ${access.token}` } });
    } catch (err) {
      throw new Error(`listing R2 bucket ${access.bucket} through the Cloudflare API (${base}) failed: ${(err as Error).message}`);
    }
    const text = await response.text();
    let body: ListPage;
    try {
      body = JSON.parse(text) as ListPage;
    } catch {
      throw new Error(`listing R2 bucket ${access.bucket}: the Cloudflare API answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    if (!response.ok || body.success === false || !Array.isArray(body.result)) {
      const why = body.errors?.map((e) => `${e.code ?? ""} ${e.message ?? ""}`.trim()).join("; ") || `HTTP ${response.status}`;
      const hint = response.status === 401 || response.status === 403 ? " (check that CLOUDFLARE_API_TOKEN may read R2 in account CLOUDFLARE_ACCOUNT_ID)" : "";
      throw new Error(`listing R2 bucket ${access.bucket} through the Cloudflare API failed: ${why}${hint}`);
    }
    for (const o of body.result) {
      if (typeof o.key !== "string") throw new Error(`listing R2 bucket ${access.bucket}: page ${page + 1} has an object without a key`);
      const when = typeof o.last_modified === "string" ? o.last_modified : typeof o.uploaded === "string" ? o.uploaded : undefined;
      const ms = when ? Date.parse(when) : NaN;
      out.push(Number.isFinite(ms) ? { key: o.key, uploadedAt: ms } : { key: o.key });
    }
    cursor = body.result_info?.is_truncated ? body.result_info.cursor : undefined;
    if (!cursor) return out;
  }
}
