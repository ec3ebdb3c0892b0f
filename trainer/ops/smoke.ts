/**
 * A smoke request against a running worker (local `wrangler dev` or the deployed one):
 * waits until /healthz says an artifact is served (optionally a given version, since a
 * worker re-checks the `current` pointer only every ARTIFACT_RECHECK_SECONDS), then asks
 * for popular items, one item's similar items and a basket, and checks their shape.
 */
export interface SmokeOptions {
  /** Wait until this artifact version is served (e.g. the one just published). */
  expectVersion?: string;
  /** Give up after this long (default 90 s: a deployed worker may take one recheck period). */
  timeoutMs?: number;
  /** Pause between polls (default 500 ms). */
  pollMs?: number;
  fetchImpl?: typeof fetch;
  log?: (line: string) => void;
}

export interface SmokeResult {
  version: string;
  popular: string[];
  similar: { item: string; ids: string[] };
  basketIds: string[];
  millis: number;
}

interface Health {
  status: string;
  version: string | null;
  lastError?: { message: string } | null;
}

interface RecommendationList {
  version: string;
  items: { id: string; title: string; reason: string }[];
}

export async function smokeTest(baseUrl: string, options: SmokeOptions = {}): Promise<SmokeResult> {
  const base = baseUrl.replace(/\/+$/, "");
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? 90_000;
  const pollMs = options.pollMs ?? 500;
  const log = options.log ?? (() => {});
  const started = Date.now();
  let last = "no answer yet";
  let version: string | undefined;
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetchImpl(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) });
      const health = (await res.json()) as Health;
      last = `HTTP ${res.status}, status ${health.status}, version ${health.version ?? "none"}${health.lastError ? `, last error: ${health.lastError.message}` : ""}`;
      if (res.ok && health.version && (!options.expectVersion || health.version === options.expectVersion)) {
        version = health.version;
        break;
      }
      // /healthz reports without loading; a real request makes the worker load the artifact.
      if (!health.version || health.version !== options.expectVersion) await fetchImpl(`${base}/v1/model`).then((r) => r.body?.cancel());
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  if (!version) {
    throw new Error(
      `smoke: ${base} did not serve ${options.expectVersion ? `version ${options.expectVersion}` : "an artifact"} within ${Math.round(timeoutMs / 1000)} s (last: ${last}). ` +
        `Check that the artifact was published to the storage the worker reads (ARTIFACT_SOURCE) and see /healthz.`,
    );
  }
  log(`smoke: ${base}/healthz serves ${version}`);

  const getList = async (path: string, init?: RequestInit): Promise<RecommendationList> => {
    const res = await fetchImpl(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`smoke: ${init?.method ?? "GET"} ${path} answered HTTP ${res.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as RecommendationList;
    if (!Array.isArray(body.items)) throw new Error(`smoke: ${path} returned no items array: ${text.slice(0, 300)}`);
    for (const item of body.items) {
      if (typeof item.id !== "string" || typeof item.title !== "string" || typeof item.reason !== "string") {
        throw new Error(`smoke: ${path} returned an item without id/title/reason: ${JSON.stringify(item).slice(0, 300)}`);
      }
    }
    return body;
  };
  const popular = await getList("/v1/popular?k=5");
  if (popular.items.length === 0) throw new Error("smoke: /v1/popular returned no items");
  const seed = popular.items[0].id;
  const similar = await getList(`/v1/items/${encodeURIComponent(seed)}/similar?k=5`);
  const basket = await getList("/v1/recommendations", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ items: popular.items.slice(0, 2).map((i) => i.id), k: 5 }),
  });
  const result: SmokeResult = {
    version,
    popular: popular.items.map((i) => i.id),
    similar: { item: seed, ids: similar.items.map((i) => i.id) },
    basketIds: basket.items.map((i) => i.id),
    millis: Date.now() - started,
  };
  log(`smoke: popular ${result.popular.length}, similar to ${seed} ${result.similar.ids.length}, basket ${result.basketIds.length} items — ok`);
  return result;
}
