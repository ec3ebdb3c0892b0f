/**
 * The one way the browser code (widget and demo) calls the edgerec API: a JSON request with an
 * optional time limit, no cookies, and an error that carries the HTTP status and the problem's text.
 */

/** An item as the API returns it in every list (the widget's cards and the demo render this shape). */
export interface RecommendedItem {
  id: string;
  title: string;
  brand?: string;
  price?: number | null;
  category?: string;
  image?: string;
  url?: string;
  reason?: string;
  score?: number;
}

/** An answer the caller cannot use: an HTTP error status, or a body that is not a JSON object. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface JsonCall {
  init?: RequestInit;
  signal?: AbortSignal;
  /** Abort the call after this many milliseconds. */
  timeoutMs?: number;
}

/**
 * Resolves with the parsed JSON object; rejects with an ApiError on an HTTP error or a body that
 * is not a JSON object (with the problem's detail or title when the API sent one), and as fetch
 * does on a network error, abort or timeout.
 */
export async function fetchJson<T extends object>(url: string, call: JsonCall = {}): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  call.signal?.addEventListener("abort", abort);
  if (call.signal?.aborted) abort();
  const timer = call.timeoutMs === undefined ? undefined : setTimeout(abort, call.timeoutMs);
  try {
    const res = await fetch(url, { ...call.init, signal: controller.signal, credentials: "omit" });
    if (!res.ok) {
      const problem = (await res.json().catch(() => null)) as { detail?: string; title?: string } | null;
      throw new ApiError(res.status, problem?.detail ?? problem?.title ?? `HTTP ${res.status} from ${url}`);
    }
    const body = (await res.json()) as unknown;
    if (!body || typeof body !== "object") throw new ApiError(res.status, `expected a JSON object from ${url}`);
    return body as T;
  } finally {
    clearTimeout(timer);
    call.signal?.removeEventListener("abort", abort);
  }
}
