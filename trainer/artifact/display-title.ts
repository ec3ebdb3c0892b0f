import type { ItemMeta } from "../data/types.ts";

/**
 * The title a card shows: the catalogue's, or a readable stand-in built from what is known
 * (brand, deepest category, id) so no product is served with an empty name.
 */
export function displayTitle(meta: ItemMeta | undefined, id: string): string {
  const title = meta?.title?.trim();
  if (title) return title;
  const category = meta?.categories?.length ? meta.categories[meta.categories.length - 1].trim() : "";
  const parts = [meta?.brand?.trim(), category].filter((p): p is string => Boolean(p));
  return parts.length ? `${parts.join(" ")} (${id})` : `Item ${id}`;
}
