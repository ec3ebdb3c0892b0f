/**
 * Brands and category paths of an artifact interned to small ids (lower-cased), computed once
 * per artifact: rules then match a brand or category per distinct value instead of per item,
 * and caps count per id in a typed array.
 */
import { type Artifact, stringAt } from "../artifact/index.ts";

export interface Facets {
  /** Brand id of item i (an index into `brands`). */
  brandOf: Int32Array;
  brands: string[];
  brandIds: Map<string, number>;
  /** Category-path id of item i (an index into `paths`, lower-cased "a > b > c"). */
  pathOf: Int32Array;
  paths: string[];
}

const cache = new WeakMap<Artifact, Facets>();

export function facetsOf(artifact: Artifact): Facets {
  let f = cache.get(artifact);
  if (!f) {
    const n = artifact.header.counts.items;
    const brandIds = new Map<string, number>();
    const brands: string[] = [];
    const pathIds = new Map<string, number>();
    const paths: string[] = [];
    const brandOf = new Int32Array(n);
    const pathOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      brandOf[i] = intern(stringAt(artifact.items.brands, i).trim().toLowerCase(), brandIds, brands);
      pathOf[i] = intern(stringAt(artifact.items.categoryPaths, i).toLowerCase(), pathIds, paths);
    }
    f = { brandOf, brands, brandIds, pathOf, paths };
    cache.set(artifact, f);
  }
  return f;
}

export function intern(value: string, ids: Map<string, number>, list: string[]): number {
  let id = ids.get(value);
  if (id === undefined) {
    id = list.length;
    ids.set(value, id);
    list.push(value);
  }
  return id;
}

/**
 * True when lower-cased path "a > b > c" holds lower-cased `key` as a run of whole levels:
 * "b", "a > b" and "b > c" all match, "b >" or "ab" do not. This is what "a category at any
 * level" means for filters and rules.
 */
export function pathHasLevels(path: string, key: string): boolean {
  if (!key) return false;
  let from = 0;
  for (;;) {
    const at = path.indexOf(key, from);
    if (at < 0) return false;
    const startOk = at === 0 || path.startsWith(" > ", at - 3);
    const end = at + key.length;
    const endOk = end === path.length || path.startsWith(" > ", end);
    if (startOk && endOk) return true;
    from = at + 1;
  }
}

/** Level `level` (1 = top) and above of a path, e.g. level 2 of "a > b > c" is "a > b"; the whole path when shorter. */
export function pathPrefix(path: string, level: number): string {
  let at = -1;
  for (let l = 0; l < level; l++) {
    at = path.indexOf(" > ", at + 1);
    if (at < 0) return path;
    if (l < level - 1) at += 2;
  }
  return path.slice(0, at);
}
