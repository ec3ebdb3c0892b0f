/**
 * Sends shopper events to POST /v1/events: queued per API origin, flushed in one request when
 * 20 have gathered, when the page is hidden and on `pagehide` — with navigator.sendBeacon, which
 * the browser delivers even as the page unloads (its text/plain body the API reads as JSON).
 */
export type EventFields = Record<string, string | number | undefined>;

const queues = new Map<string, EventFields[]>();
const FLUSH_AT = 20;
let listening = false;

function post(api: string, events: EventFields[]): void {
  const url = `${api.replace(/\/+$/, "")}/v1/events`;
  const body = JSON.stringify(events);
  try {
    if (navigator.sendBeacon?.(url, body)) return;
  } catch {
    // fall through to fetch
  }
  fetch(url, { method: "POST", body, keepalive: true, credentials: "omit", headers: { "content-type": "text/plain" } }).catch(() => {});
}

export function flushEvents(): void {
  for (const [api, events] of queues) {
    while (events.length) post(api, events.splice(0, 500));
  }
}

/** The shopper's session id for this tab (sessionStorage), made on first use. */
export function sessionId(): string {
  const key = "edgerec-session";
  try {
    let id = sessionStorage.getItem(key);
    if (!id) sessionStorage.setItem(key, (id = crypto.randomUUID()));
    return id;
  } catch {
    return (sessionId as { id?: string }).id ??= crypto.randomUUID();
  }
}

export function queueEvent(api: string, event: EventFields): void {
  if (!listening) {
    listening = true;
    addEventListener("pagehide", flushEvents);
    document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && flushEvents());
  }
  let q = queues.get(api);
  if (!q) queues.set(api, (q = []));
  const clean: EventFields = {};
  for (const k in event) if (event[k] !== undefined && event[k] !== "") clean[k] = event[k];
  if (!clean.user && !clean.session) clean.session = sessionId();
  q.push(clean);
  if (q.length >= FLUSH_AT) flushEvents();
}
