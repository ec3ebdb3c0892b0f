import type { Artifact } from "../artifact/format.ts";
import type { ItemFilter } from "./types.ts";

const encoder = new TextEncoder();
// " > " separates category path levels (see format.ts).
const SEP0 = 0x20;
const SEP1 = 0x3e;

/** A per-request predicate over item indexes; built once, called per candidate without allocating. */
export type Accept = (item: number) => boolean;

const acceptAll: Accept = () => true;

export function compileFilter(artifact: Artifact, filter: ItemFilter | undefined): Accept {
  if (!filter) return acceptAll;
  const { minPrice, maxPrice, exclude } = filter;
  const key = filter.category ? lowerAscii(encoder.encode(filter.category.trim())) : undefined;
  const hasMin = minPrice !== undefined && Number.isFinite(minPrice);
  const hasMax = maxPrice !== undefined && Number.isFinite(maxPrice);
  if (!key && !hasMin && !hasMax && (!exclude || exclude.size === 0)) return acceptAll;
  const prices = artifact.items.prices;
  const paths = artifact.items.categoryPaths;
  return (item: number) => {
    if (exclude && exclude.has(item)) return false;
    if (hasMin || hasMax) {
      const p = prices[item];
      // An unknown price (NaN) fails any price bound: we cannot promise it is in range.
      if (!(p === p)) return false;
      if (hasMin && p < minPrice!) return false;
      if (hasMax && p > maxPrice!) return false;
    }
    if (key && !pathHasPrefix(paths.data, paths.offsets[item], paths.offsets[item + 1], key)) return false;
    return true;
  };
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
