import { InputError, type ItemMeta } from "../data/types.ts";

/**
 * Fills missing product URLs from a template such as 'https://shop.example/p/{id}' ({id} is
 * URL-encoded). Items that have a URL keep it. Returns how many were filled.
 */
export function fillItemUrls(items: ItemMeta[], template: string): number {
  if (!template.includes("{id}")) {
    throw new InputError(`--item-url ${JSON.stringify(template)} has no {id} placeholder`, undefined, undefined, "write e.g. --item-url 'https://shop.example/p/{id}'");
  }
  if (!/^https?:\/\//i.test(template) && !template.startsWith("/")) {
    throw new InputError(`--item-url ${JSON.stringify(template)} must start with http://, https:// or /`, undefined, undefined, "write e.g. --item-url 'https://shop.example/p/{id}'");
  }
  let filled = 0;
  for (const item of items) {
    if (item.url && item.url.trim()) continue;
    item.url = template.replaceAll("{id}", encodeURIComponent(item.id));
    filled++;
  }
  return filled;
}
