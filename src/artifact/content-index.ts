/**
 * The artifact's content index: token → items postings over title words, brand and category
 * levels, so an item known only from the catalogue overlay (added after training) can be
 * matched against the trained catalogue by its content. Built by the trainer's artifact
 * builder, read by the worker (merch/new-items.ts). Tokenising lives here so both sides agree.
 *
 * Compact by construction: a token's postings keep only its POSTINGS_CAP most-interacted items
 * (a frequent word matches too much to rank by anyway, and popular items are the safer
 * neighbours of a product nobody has seen yet), while `df` keeps its true frequency for idf.
 */
import { type StringTable, stringTable } from "./string-table.ts";

/** Token → items postings (the artifact's `contentIndex` section). */
export interface ContentIndex {
  /** Distinct tokens, with a sorted index for lookup. */
  tokens: StringTable;
  /** Items holding token t (most interacted first): ids[ptr[t] .. ptr[t+1]). */
  ptr: Uint32Array;
  ids: Uint32Array;
  /** Number of items holding token t (before the postings cap). */
  df: Uint32Array;
  /** Items indexed (for idf). */
  items: number;
}

export const POSTINGS_CAP = 256;
const MIN_WORD = 2;
const STOP = new Set(["and", "the", "for", "with", "of", "in", "a", "an", "to", "by", "on", "x"]);

/** Content of one item, as the index and a query see it. */
export interface ContentFields {
  title: string;
  brand: string;
  /** Category path "A > B > C" (levels joined by " > "). */
  category: string;
}

/**
 * Tokens of an item, deduplicated: lower-cased title words ("w:"), the whole brand ("b:") and
 * each category level ("c:"), so a brand or category word never matches a title word by accident.
 */
export function contentTokens(fields: ContentFields): string[] {
  const out = new Set<string>();
  for (const word of fields.title.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word.length >= MIN_WORD && !STOP.has(word) && !/^\d+$/.test(word)) out.add(`w:${word}`);
  }
  const brand = fields.brand.trim().toLowerCase();
  if (brand) out.add(`b:${brand}`);
  for (const level of fields.category.split(" > ")) {
    const l = level.trim().toLowerCase();
    if (l) out.add(`c:${l}`);
  }
  return [...out];
}

/** Builds the index over items 0..n-1; `interactions` orders each token's postings. */
export function buildContentIndex(n: number, fieldsOf: (i: number) => ContentFields, interactions: ArrayLike<number>): ContentIndex {
  const postings = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    for (const token of contentTokens(fieldsOf(i))) {
      let list = postings.get(token);
      if (!list) postings.set(token, (list = []));
      list.push(i);
    }
  }
  const tokens = [...postings.keys()];
  const ptr = new Uint32Array(tokens.length + 1);
  const df = new Uint32Array(tokens.length);
  let total = 0;
  tokens.forEach((t, i) => {
    const len = postings.get(t)!.length;
    df[i] = len;
    total += Math.min(len, POSTINGS_CAP);
    ptr[i + 1] = total;
  });
  const ids = new Uint32Array(total);
  tokens.forEach((t, i) => {
    const list = postings.get(t)!;
    if (list.length > POSTINGS_CAP) list.sort((a, b) => interactions[b] - interactions[a] || a - b);
    ids.set(list.slice(0, POSTINGS_CAP), ptr[i]);
  });
  return { tokens: stringTable(tokens, true), ptr, ids, df, items: n };
}
