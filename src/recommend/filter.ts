import type { Artifact } from "../artifact/index.ts";
import type { ItemFilter } from "./types.ts";

const encoder = new TextEncoder();
// " > " separates category path levels (see the Artifact type, src/artifact/artifact.ts).
const SEP0 = 0x20;
const SEP1 = 0x3e;

/** A per-request predicate over item indexes; built once, called per candidate without allocating. */
export type Accept = (item: number) => boolean;

const acceptAll: Accept = () => true;

export function compileFilter(artifact: Artifact, filter: ItemFilter | undefined): Accept {
  if (!filter) return acceptAll;
  const { minPrice, maxPrice, exclude, blocked, brands, brandOf, pathOverride } = filter;
  const key = filter.category ? lowerAscii(encoder.encode(filter.category.trim())) : undefined;
  const hasMin = minPrice !== undefined && Number.isFinite(minPrice);
  const hasMax = maxPrice !== undefined && Number.isFinite(maxPrice);
  if (!key && !hasMin && !hasMax && (!exclude || exclude.size === 0) && !blocked && !brands) return acceptAll;
  const prices = filter.prices ?? artifact.items.prices;
  const paths = artifact.items.categoryPaths;
  return (item: number) => {
    if (blocked && (blocked[item >> 3] >> (item & 7)) & 1) return false;
    if (exclude && exclude.has(item)) return false;
    if (hasMin || hasMax) {
      const p = prices[item];
      // An unknown price (NaN) fails any price bound: we cannot promise it is in range.
      if (!(p === p)) return false;
      if (hasMin && p < minPrice!) return false;
      if (hasMax && p > maxPrice!) return false;
    }
    if (brands && brands[brandOf![item]] !== 1) return false;
    if (key) {
      const own = pathOverride?.(item);
      if (own ? !pathHasLevels(own, 0, own.length, key) : !pathHasLevels(paths.data, paths.offsets[item], paths.offsets[item + 1], key)) return false;
    }
    return true;
  };
}

/**
 * True when path bytes [start,end) hold `key` as a run of whole levels: a prefix ("Grocery >
 * Beverages"), one level at any depth ("Coffee") or a run inside ("Beverages > Coffee").
 */
export function pathHasLevels(data: Uint8Array, start: number, end: number, key: Uint8Array): boolean {
  if (pathHasPrefix(data, start, end, key)) return true;
  for (let p = start; p + 3 + key.length <= end; p++) {
    if (data[p] === SEP0 && data[p + 1] === SEP1 && data[p + 2] === SEP0 && pathHasPrefix(data, p + 3, end, key)) return true;
  }
  return false;
}

/** True when path bytes [start,end) equal `key` or start with `key` followed by " > ". */
export function pathHasPrefix(data: Uint8Array, start: number, end: number, key: Uint8Array): boolean {
  const len = end - start;
  if (len < key.length) return false;
  for (let i = 0; i < key.length; i++) {
    let c = data[start + i];
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== key[i]) return false;
  }
  if (len === key.length) return true;
  return len >= key.length + 3 && data[start + key.length] === SEP0 && data[start + key.length + 1] === SEP1 && data[start + key.length + 2] === SEP0;
}

function lowerAscii(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x41 && bytes[i] <= 0x5a) bytes[i] += 0x20;
  return bytes;
}
