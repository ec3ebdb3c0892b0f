/**
 * Analytics events for the host store: `edgerec:impression` once per card when at least half of it
 * is on screen, `edgerec:click` when a card is followed. Both bubble and cross the shadow boundary.
 */
export interface EdgerecEventDetail {
  id: string;
  position: number;
  version: string;
}

/** Returns false when a listener called preventDefault(). */
export function emit(host: HTMLElement, type: "impression" | "click", detail: EdgerecEventDetail): boolean {
  return host.dispatchEvent(new CustomEvent(`edgerec:${type}`, { detail, bubbles: true, composed: true, cancelable: type === "click" }));
}

function detailOf(card: Element, version: string): EdgerecEventDetail {
  return { id: card.getAttribute("data-id") ?? "", position: Number(card.getAttribute("data-position")), version };
}

/** Watches cards for visibility; returns a disconnect function for the next render. */
export function trackImpressions(host: HTMLElement, cards: HTMLElement[], version: string): () => void {
  if (typeof IntersectionObserver === "undefined") {
    for (const card of cards) emit(host, "impression", detailOf(card, version));
    return () => {};
  }
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target); // once per item per render
        emit(host, "impression", detailOf(entry.target, version));
      }
    },
    { threshold: 0.5 },
  );
  for (const card of cards) observer.observe(card);
  return () => observer.disconnect();
}

/**
 * One delegated listener on the shadow root. The link is followed unless a listener cancels
 * `edgerec:click` (a single-page store that routes by itself calls preventDefault()).
 */
export function trackClicks(host: HTMLElement, root: ShadowRoot, version: () => string): void {
  root.addEventListener("click", (event) => {
    const card = (event.target as Element | null)?.closest?.("li[data-id]");
    if (card && !emit(host, "click", detailOf(card, version()))) event.preventDefault();
  });
}
