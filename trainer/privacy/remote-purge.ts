/**
 * `edgerec forget --purge --remote`: the deployed worker rewrites its R2 event partitions
 * (POST /v1/admin/events/purge, one bounded page per call); this pages through them all.
 */
import { readDeployState, type DeployEnv } from "../wrangler/generated-config.ts";

export interface RemotePurgeTotals {
  forgotten: number;
  pages: number;
  scanned: number;
  rewritten: number;
  deleted: number;
  dropped: number;
  unparsed: number;
}

/** The worker URL: --api, else EDGEREC_API, else the URL `edgerec deploy` recorded for the environment. */
export function workerUrlFor(api: string | undefined, env: DeployEnv): string {
  const url = api ?? process.env.EDGEREC_API ?? readDeployState(env)?.url;
  if (!url) throw new Error(`--purge --remote goes through the deployed worker: pass --api <url> (or set EDGEREC_API); no URL is recorded for the ${env} deployment`);
  return url.replace(/\/+$/, "");
}

export function adminToken(): string {
  const token = process.env.EDGEREC_ADMIN_TOKEN;
  if (!token) throw new Error("--purge --remote needs the worker's admin token: set EDGEREC_ADMIN_TOKEN (the ADMIN_TOKEN secret)");
  return token;
}

export async function purgeRemoteEvents(base: string, token: string, limit: number, onPage: (totals: RemotePurgeTotals) => void = () => {}): Promise<RemotePurgeTotals> {
  const totals: RemotePurgeTotals = { forgotten: 0, pages: 0, scanned: 0, rewritten: 0, deleted: 0, dropped: 0, unparsed: 0 };
  const url = `${base}/v1/admin/events/purge`;
  let cursor: string | null = null;
  do {
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(cursor ? { cursor, limit } : { limit }),
      });
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new Error(`could not reach the worker at ${base} (${cause}): check --api / EDGEREC_API`);
    }
    if (res.status === 401) throw new Error(`${url} refused the admin token (401): set EDGEREC_ADMIN_TOKEN to the worker's ADMIN_TOKEN secret`);
    if (res.status === 404) throw new Error(`${url} answered 404: the worker at ${base} predates event purging; deploy this version first`);
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    const page = (await res.json()) as Omit<RemotePurgeTotals, "pages"> & { cursor: string | null };
    totals.forgotten = page.forgotten;
    totals.pages++;
    totals.scanned += page.scanned;
    totals.rewritten += page.rewritten;
    totals.deleted += page.deleted;
    totals.dropped += page.dropped;
    totals.unparsed += page.unparsed;
    onPage(totals);
    cursor = page.cursor;
  } while (cursor);
  return totals;
}
