/** A tiny element builder for the demo script (appendChild only: see src/widget/render.ts). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`demo page has no #${id}`);
  return node as T;
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** Only inline images and web URLs from the catalogue reach src attributes. */
export function imageSrc(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^(data:image\/|https?:\/\/|\/)/i.test(url) ? url : undefined;
}

export function money(price: number | null | undefined): string {
  return typeof price === "number" && Number.isFinite(price)
    ? new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(price)
    : "";
}
