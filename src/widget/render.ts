/** Builds the card list with DOM APIs (textContent, never innerHTML) so item metadata cannot inject markup. */
import type { RecommendedItem } from "../browser-shared/api-client.ts";
import { formatPrice, safeUrl } from "./format.ts";

export interface RenderOptions {
  heading: string;
  layout: "carousel" | "grid";
  locale?: string;
  currency: string;
  showReason: boolean;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

// appendChild, not append: the worker tsconfig also loads HTMLRewriter's Element.append typing.
function add(parent: Node, ...children: Node[]): void {
  for (const child of children) parent.appendChild(child);
}

function frame(opts: RenderOptions, busy: boolean): { root: HTMLElement; list: HTMLUListElement } {
  const root = el("section", { class: opts.layout, part: "container" });
  const list = el("ul", { role: "list", part: "list" });
  if (opts.heading) {
    const id = "edgerec-heading";
    root.setAttribute("aria-labelledby", id);
    list.setAttribute("aria-labelledby", id);
    add(root, el("h2", { id, part: "heading" }, opts.heading));
  } else {
    list.setAttribute("aria-label", "Recommended products");
  }
  if (opts.layout === "carousel") list.tabIndex = 0; // lets keyboard users scroll the row
  if (busy) list.setAttribute("aria-busy", "true");
  if (opts.layout === "carousel" && !busy) add(root, rail(list));
  else add(root, list);
  return { root, list };
}

/** Back/forward buttons over a carousel, shown only when there is more to scroll that way. */
function rail(list: HTMLUListElement): HTMLElement {
  const wrap = el("div", { class: "rail" });
  const button = (dir: number) => {
    const b = el("button", { type: "button", part: "nav", class: dir < 0 ? "nav prev" : "nav next", "aria-label": dir < 0 ? "Scroll back" : "Scroll forward" }, dir < 0 ? "‹" : "›");
    b.hidden = true;
    b.addEventListener("click", () => list.scrollBy({ left: dir * list.clientWidth * 0.8, behavior: "smooth" }));
    return b;
  };
  const prev = button(-1);
  const next = button(1);
  const update = () => {
    prev.hidden = list.scrollLeft <= 8; // scroll snapping may rest a few pixels in
    next.hidden = list.scrollLeft + list.clientWidth >= list.scrollWidth - 8;
  };
  list.addEventListener("scroll", update, { passive: true });
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(update).observe(list);
  add(wrap, list, prev, next);
  return wrap;
}

/** Grey placeholder cards, as many as will arrive, so the page does not jump when they do. */
export function renderSkeleton(opts: RenderOptions, count: number): HTMLElement {
  const { root, list } = frame(opts, true);
  for (let i = 0; i < count; i++) {
    const li = el("li", { class: "sk", "aria-hidden": "true" });
    const a = el("a");
    add(a, el("div", { class: "ph" }), el("div", { class: "t" }), el("div", { class: "p" }));
    add(li, a);
    add(list, li);
  }
  return root;
}

export function renderCards(opts: RenderOptions, items: RecommendedItem[]): { root: HTMLElement; cards: HTMLElement[] } {
  const { root, list } = frame(opts, false);
  const cards = items.map((item, position) => {
    const li = el("li", { part: "card", "data-id": item.id, "data-position": String(position) });
    const price = formatPrice(item.price, opts.locale, opts.currency);
    const href = safeUrl(item.url, false);
    const a = el("a", href ? { href, part: "link" } : { part: "link", role: "group" });
    a.setAttribute("aria-label", price ? `${item.title}, ${price}` : item.title);
    const src = safeUrl(item.image, true);
    const placeholder = () => el("div", { class: "ph", part: "image", role: "img", "aria-label": item.title });
    if (src) {
      const img = el("img", { part: "image", src, alt: item.title, loading: "lazy", decoding: "async", width: "160", height: "160" });
      // A broken image link becomes the same neutral tile as a missing one, not a torn-image icon.
      img.addEventListener("error", () => img.replaceWith(placeholder()), { once: true });
      add(a, img);
    } else {
      add(a, placeholder());
    }
    add(a, el("span", { class: "t", part: "title" }, item.title));
    if (item.brand) add(a, el("span", { class: "b", part: "brand" }, item.brand));
    if (opts.showReason && item.reason) add(a, el("span", { class: "why", part: "reason" }, item.reason));
    if (price) add(a, el("span", { class: "p", part: "price" }, price));
    add(li, a);
    add(list, li);
    return li;
  });
  return { root, cards };
}
