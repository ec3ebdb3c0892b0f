/**
 * Analytics events for the host store: `edgerec:impression` once per card when at least half of it
 * is on screen, `edgerec:click` when a card is followed. Both bubble and cross the shadow boundary,
 * and — unless the element has `no-track` (or `consent="no"`) — are also sent to POST /v1/events
 * with the response's recId and variant and the element's placement (src/browser-shared/event-beacon.ts).
 */
export interface EdgerecEventDetail {
  id: string;
  position: number;
  version: string;
  recId?: string;
  variant?: string;
  placement?: string;
}

/** What a list was served as: read when an event fires (a newer response may have replaced it). */
export interface ServedList {
  version: string;
  recId?: string;
  variant?: string;
  placement?: string;
  /** Sends the event to the API (no-op when tracking is off). */
  send(type: "impression" | "click", detail: EdgerecEventDetail): void;
}

/** Returns false when a listener called preventDefault(). */
export function emit(host: HTMLElement, type: "impression" | "click", detail: EdgerecEventDetail, list?: ServedList): boolean {
  list?.send(type, detail);
  return host.dispatchEvent(new CustomEvent(`edgerec:${type}`, { detail, bubbles: true, composed: true, cancelable: type === "click" }));
}

function detailOf(card: Element, list: ServedList): EdgerecEventDetail {
  const { version, recId, variant, placement } = list;
  return { id: card.getAttribute("data-id") ?? "", position: Number(card.getAttribute("data-position")), version, recId, variant, placement };
}

/** Watches cards for visibility; returns a disconnect function for the next render. */
export function trackImpressions(host: HTMLElement, cards: HTMLElement[], list: ServedList): () => void {
  if (typeof IntersectionObserver === "undefined") {
    for (const card of cards) emit(host, "impression", detailOf(card, list), list);
    return () => {};
  }
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target); // once per item per render
        emit(host, "impression", detailOf(entry.target, list), list);
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
export function trackClicks(host: HTMLElement, root: ShadowRoot, list: () => ServedList): void {
  root.addEventListener("click", (event) => {
    const card = (event.target as Element | null)?.closest?.("li[data-id]");
    if (card && !emit(host, "click", detailOf(card, list()), list())) event.preventDefault();
  });
}
