/**
 * <edgerec-recommendations>: the embeddable widget. Entry point of /widget.js.
 *
 *   <script src="https://api.example.com/widget.js" type="module"></script>
 *   <edgerec-recommendations item="B000123" k="8" heading="You may also like"></edgerec-recommendations>
 *
 * Contract with the host page: one API call per attribute change, and whatever goes wrong
 * (HTTP error, timeout, empty result, bad attributes) the element hides itself quietly.
 */
import { fetchRecommendations, type RecommendationQuery } from "./api.ts";
import { trackClicks, trackImpressions } from "./events.ts";
import { renderCards, renderSkeleton, type RenderOptions } from "./render.ts";
import { styles } from "./styles.ts";

const ATTRIBUTES = ["api", "item", "user", "items", "recent", "k", "category", "layout", "heading", "currency", "locale", "timeout", "reasons"];
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
  private version = "";

  constructor() {
    super();
    this.shadow = this.attachShadow({ mode: "open" });
    this.mount = document.createElement("div");
    this.shadow.append(this.mount);
    adoptStyles(this.shadow);
    trackClicks(this, this.shadow, () => this.version);
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
      items: items.length > 0 ? items : undefined,
      recent: recent.length > 0 ? recent : undefined,
      k: intAttr(this.getAttribute("k"), DEFAULT_K, 1, MAX_K),
      category: this.getAttribute("category") || undefined,
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

  private async load(): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const query = this.query();
    const opts = this.renderOptions();
    this.show(renderSkeleton(opts, Math.min(query.k, 6)));
    try {
      const timeout = intAttr(this.getAttribute("timeout"), DEFAULT_TIMEOUT_MS, 1, 60_000);
      const response = await fetchRecommendations(query, timeout, controller.signal);
      if (controller !== this.controller) return; // a newer request owns the element now
      const items = (response.items ?? []).filter((item) => item && typeof item.id === "string" && typeof item.title === "string");
      if (items.length === 0) return this.hide("empty");
      this.version = String(response.version ?? "");
      const { root, cards } = renderCards(opts, items.slice(0, query.k));
      this.show(root);
      this.stopImpressions = trackImpressions(this, cards, this.version);
    } catch (err) {
      if (controller !== this.controller) return;
      this.hide(controller.signal.aborted ? "aborted" : (err as Error)?.name === "AbortError" ? "timeout" : "error");
    }
  }
}

if (!customElements.get("edgerec-recommendations")) {
  customElements.define("edgerec-recommendations", EdgerecRecommendations);
}
