/**
 * "Recently viewed" for the widget: the item ids of the pages the shopper opened, kept in this
 * browser's localStorage only (no server state). Every widget with an `item` attribute records
 * that item; `mode="recent"` shows them, newest first, without the page's own item.
 */
const KEY = "edgerec:recent";
const KEEP = 20;

function read(): string[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? "[]") as unknown;
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string" && x.length > 0 && x.length <= 256) : [];
  } catch {
    return []; // storage disabled or a value another script wrote: nothing remembered
  }
}

export function rememberViewed(id: string): void {
  const ids = [id, ...read().filter((x) => x !== id)].slice(0, KEEP);
  try {
    localStorage.setItem(KEY, JSON.stringify(ids));
  } catch {
    // private mode or quota: the list simply is not kept
  }
}

export function recentlyViewed(except: string | undefined, k: number): string[] {
  return read()
    .filter((x) => x !== except)
    .slice(0, k);
}
