/**
 * <edgerec-recommendations>: the embeddable widget. Entry point of /widget.js.
 *
 *   <script src="https://api.example.com/widget.js" type="module"></script>
 *   <edgerec-recommendations item="B000123" k="8" heading="You may also like"></edgerec-recommendations>
 *
 * Contract with the host page: one API call per attribute change, and whatever goes wrong
 * (HTTP error, timeout, empty result, bad attributes) the element hides itself quietly.
 */
import { fetchItems, fetchRecommendations, type RecommendationQuery, type RecommendationResponse } from "./api.ts";
import { queueEvent, type EventFields } from "../browser-shared/event-beacon.ts";
import { trackClicks, trackImpressions, type EdgerecEventDetail, type ServedList } from "./events.ts";
import { recentlyViewed, rememberViewed } from "./recent.ts";
import { renderCards, renderSkeleton, type RenderOptions } from "./render.ts";
import { styles } from "./styles.ts";

const ATTRIBUTES = ["api", "item", "user", "user-token", "items", "recent", "k", "category", "layout", "heading", "currency", "locale", "timeout", "reasons", "placement", "mode"];
const DEFAULT_K = 8;
const MAX_K = 50;
const DEFAULT_TIMEOUT_MS = 3000;

// Without an `api` attribute the widget talks to the origin it was loaded from.
const scriptOrigin = (() => {
  try {
    return new URL(import.meta.url).origin;
  } catch {
    return "";
  }
})();

/**
 * Records a shopper event from the store's own pages (add to cart, checkout), e.g.
 *   import { track } from "https://api.example.com/widget.js";
 *   track("purchase", { user: "u42", item: "B0001", price: 12.5, quantity: 2 });
 * Queued and sent with the widget's own events (on pagehide at the latest). `api` defaults to
 * the origin widget.js was loaded from.
 */
export function track(type: string, fields: EventFields & { api?: string } = {}): void {
  const { api = scriptOrigin, ...rest } = fields;
  queueEvent(String(api), { ...rest, type });
}

/** `no-track`, or `consent` set to no/false/denied/0, turns sending off (the DOM events still fire). */
function trackingOff(el: Element): boolean {
  return el.hasAttribute("no-track") || /^(no|false|denied|0)$/i.test(el.getAttribute("consent") ?? "");
}

let sheet: CSSStyleSheet | undefined;

/**
 * A constructed stylesheet shared by every instance; unlike a <style> element it is not blocked
 * by a store's Content-Security-Policy without 'unsafe-inline'. <style> is the fallback.
 */
function adoptStyles(root: ShadowRoot): void {
  try {
    sheet ??= new CSSStyleSheet();
    if (!sheet.cssRules.length) sheet.replaceSync(styles);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = styles;
    root.prepend(style);
  }
}

function intAttr(value: string | null, fallback: number, min: number, max: number): number {
  const n = Number.parseInt(value ?? "", 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

export class EdgerecRecommendations extends HTMLElement {
  static observedAttributes = ATTRIBUTES;
  private readonly shadow: ShadowRoot;
  private readonly mount: HTMLElement;
  private controller?: AbortController;
  private stopImpressions = () => {};
  private scheduled = false;
  private list: ServedList = { version: "", send: () => {} };

  constructor() {
    super();
    this.shadow = this.attachShadow({ mode: "open" });
    this.mount = document.createElement("div");
    this.shadow.append(this.mount);
    adoptStyles(this.shadow);
    trackClicks(this, this.shadow, () => this.list);
  }

  connectedCallback(): void {
    this.schedule();
  }

  disconnectedCallback(): void {
    this.controller?.abort();
    this.stopImpressions();
  }

  attributeChangedCallback(_name: string, oldValue: string | null, newValue: string | null): void {
    if (oldValue !== newValue && this.isConnected) this.schedule();
  }

  /** Coalesces several attribute changes in one task into a single request. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (this.isConnected) void this.load();
    });
  }

  private query(): RecommendationQuery {
    const list = (name: string) =>
      (this.getAttribute(name) ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const items = list("items");
    const recent = list("recent");
    return {
      api: this.getAttribute("api") ?? scriptOrigin,
      item: this.getAttribute("item") || undefined,
      user: this.getAttribute("user") || undefined,
      userToken: this.getAttribute("user-token") || undefined,
      items: items.length > 0 ? items : undefined,
      recent: recent.length > 0 ? recent : undefined,
      k: intAttr(this.getAttribute("k"), DEFAULT_K, 1, MAX_K),
      category: this.getAttribute("category") || undefined,
      mode: ((m) => (m === "trending" || m === "together" ? m : undefined))(this.getAttribute("mode")),
    };
  }

  private renderOptions(): RenderOptions {
    return {
      heading: this.getAttribute("heading") ?? "Recommended for you",
      layout: this.getAttribute("layout") === "grid" ? "grid" : "carousel",
      locale: this.getAttribute("locale") || document.documentElement.lang || undefined,
      currency: (this.getAttribute("currency") || "USD").toUpperCase(),
      showReason: this.hasAttribute("reasons"),
    };
  }

  private show(content: HTMLElement): void {
    this.stopImpressions();
    this.stopImpressions = () => {};
    this.mount.replaceChildren(content);
    this.hidden = false;
  }

  private hide(reason: string): void {
    this.stopImpressions();
    this.stopImpressions = () => {};
    this.mount.replaceChildren();
    this.hidden = true;
    this.dispatchEvent(new CustomEvent("edgerec:hidden", { detail: { reason }, bubbles: true, composed: true }));
  }

  private servedList(response: RecommendationResponse, query: RecommendationQuery): ServedList {
    const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
    const list: ServedList = {
      version: String(response.version ?? ""),
      recId: str(response.recId),
      variant: str(response.variant),
      placement: this.getAttribute("placement") || undefined,
      send: (type: string, d: EdgerecEventDetail) => {
        if (trackingOff(this)) return;
        queueEvent(query.api, { type, item: d.id, position: d.position, recId: d.recId, variant: d.variant, placement: d.placement, user: query.user });
      },
    };
    return list;
  }

  private async load(): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const query = this.query();
    const opts = this.renderOptions();
    const recent = this.getAttribute("mode") === "recent";
    if (query.item) rememberViewed(query.item);
    this.show(renderSkeleton(opts, Math.min(query.k, 6)));
    try {
      const timeout = intAttr(this.getAttribute("timeout"), DEFAULT_TIMEOUT_MS, 1, 60_000);
      const response: RecommendationResponse = recent
        ? { items: await fetchItems(query.api, recentlyViewed(query.item, query.k), timeout, controller.signal) }
        : await fetchRecommendations(query, timeout, controller.signal);
      if (controller !== this.controller) return; // a newer request owns the element now
      const items = (response.items ?? []).filter((item) => item && typeof item.id === "string" && typeof item.title === "string");
      if (items.length === 0) return this.hide("empty");
      this.list = this.servedList(response, query);
      const { root, cards } = renderCards(opts, items.slice(0, query.k));
      this.show(root);
      this.stopImpressions = trackImpressions(this, cards, this.list);
    } catch (err) {
      if (controller !== this.controller) return;
      this.hide(controller.signal.aborted ? "aborted" : (err as Error)?.name === "AbortError" ? "timeout" : "error");
    }
  }
}

if (!customElements.get("edgerec-recommendations")) {
  customElements.define("edgerec-recommendations", EdgerecRecommendations);
}
