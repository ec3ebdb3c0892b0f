/**
 * A test double of the recommendation HTTP API (canned JSON), for widget behaviour the real
 * worker cannot be made to show on demand: 500s, hanging requests, empty results.
 * It also serves the real built /widget.js, with the CORS headers a module script needs.
 */
import { widgetJs } from "../../../src/site/generated/widget-bundle.ts";
import { send, startServer, type LocalServer } from "./http-server.ts";

export const CANNED_VERSION = "20261129T000000Z-c0ffee00";
const COLOURS = ["#f4a259", "#5b8e7d", "#8cb369", "#bc4b51", "#5d7ea8", "#e9c46a", "#9a8c98", "#2a9d8f", "#e76f51", "#264653"];

function image(i: number): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" fill="#f7f3ec"/><circle cx="50" cy="52" r="30" fill="${COLOURS[i % COLOURS.length]}"/></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

export function cannedItems(prefix: string, k: number) {
  return Array.from({ length: k }, (_, i) => ({
    id: `${prefix}-${i}`,
    title: `${prefix} product ${i + 1}`,
    brand: `Brand ${String.fromCharCode(65 + (i % 26))}`,
    price: 1.99 + i * 2.5,
    category: "Pantry > Snacks",
    image: image(i),
    url: `#item-${prefix}-${i}`,
    reason: `similar to ${prefix}`,
    score: 1 - i / 100,
  }));
}

export interface CannedApi extends LocalServer {
  /** Every API request seen: method, path with query, body. */
  requests: { method: string; url: string; body: string }[];
}

export async function startCannedApi(): Promise<CannedApi> {
  const requests: CannedApi["requests"] = [];
  const server = await startServer((req, res, body) => {
    const url = new URL(req.url ?? "/", "http://x");
    const cors = {
      "access-control-allow-origin": req.headers.origin ?? "*",
      "access-control-allow-methods": "GET, POST, OPTIONS",
      "access-control-allow-headers": "content-type",
      vary: "Origin",
    };
    if (url.pathname === "/widget.js") return send(res, 200, "text/javascript; charset=utf-8", widgetJs, cors);
    if (req.method === "OPTIONS") return send(res, 204, "text/plain", "", cors);
    requests.push({ method: req.method ?? "", url: url.pathname + url.search, body });
    const k = Number(url.searchParams.get("k") ?? 8);
    const json = (status: number, value: unknown) =>
      send(res, status, status < 400 ? "application/json" : "application/problem+json", JSON.stringify(value), cors);
    const similar = /^\/v1\/items\/([^/]+)\/similar$/.exec(url.pathname);
    if (similar) {
      const id = decodeURIComponent(similar[1]);
      if (id === "missing") return json(404, { type: "about:blank", title: "Not Found", status: 404, detail: "unknown item id: missing" });
      if (id === "boom") return json(500, { title: "Internal error", status: 500 });
      if (id === "empty") return json(200, { version: CANNED_VERSION, items: [] });
      if (id === "garbage") return send(res, 200, "application/json", "{not json", cors);
      if (id === "slow") return; // never answers: the widget's timeout must fire
      if (id === "broken-images") {
        // Image links that answer 404: the widget must show its neutral placeholder instead.
        const items = cannedItems(id, k).map((item, i) => ({ ...item, image: `http://${req.headers.host}/img/missing-${i}.png` }));
        return json(200, { version: CANNED_VERSION, items });
      }
      if (id === "hostile") {
        const title = `<img src=x onerror="window.__pwned=1">Tea`;
        return json(200, { version: CANNED_VERSION, items: [{ id: "h1", title, price: 2, image: "javascript:window.__pwned=2", url: "javascript:window.__pwned=3" }] });
      }
      return json(200, { version: CANNED_VERSION, items: cannedItems(id, k) });
    }
    const user = /^\/v1\/users\/([^/]+)\/recommendations$/.exec(url.pathname);
    if (user) return json(200, { version: CANNED_VERSION, fallback: "popular", items: cannedItems(`for ${decodeURIComponent(user[1])}`, k) });
    if (url.pathname === "/v1/recommendations" && req.method === "POST") {
      const parsed = JSON.parse(body) as { items: string[]; k: number };
      return json(200, { version: CANNED_VERSION, items: cannedItems(`cart ${parsed.items.join("+")}`, parsed.k) });
    }
    if (url.pathname === "/v1/popular") return json(200, { version: CANNED_VERSION, items: cannedItems("popular", k) });
    if (url.pathname === "/v1/trending") return json(200, { version: CANNED_VERSION, computedAt: "2026-12-06T12:00:00.000Z", items: cannedItems("trending", k) });
    const together = /^\/v1\/items\/([^/]+)\/together$/.exec(url.pathname);
    if (together) return json(200, { version: CANNED_VERSION, source: "together", items: cannedItems(`with ${decodeURIComponent(together[1])}`, k) });
    const item = /^\/v1\/items\/([^/]+)$/.exec(url.pathname);
    if (item) {
      const id = decodeURIComponent(item[1]);
      if (id === "missing") return json(404, { title: "Not Found", status: 404, detail: "unknown item id: missing" });
      return json(200, { version: CANNED_VERSION, item: { ...cannedItems(id, 1)[0], id, title: `Viewed ${id}` } });
    }
    return json(404, { title: "Not Found", status: 404 });
  });
  return Object.assign(server, { requests });
}
