/**
 * Title search for the demo's autocomplete. The lower-cased titles are decoded once per
 * artifact version (lazily, on the first search) and reused; ranking: title starts with the
 * query, then a word starts with it, then it occurs anywhere; ties go to the more popular item.
 */
import type { ServedArtifact } from "../store/served.ts";

const titleIndex = new WeakMap<ServedArtifact, string[]>();

function lowerTitles(served: ServedArtifact): string[] {
  let titles = titleIndex.get(served);
  if (!titles) {
    titles = new Array(served.itemCount);
    for (let i = 0; i < served.itemCount; i++) titles[i] = served.title(i).toLowerCase();
    titleIndex.set(served, titles);
  }
  return titles;
}

export function searchTitles(served: ServedArtifact, query: string, limit: number): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const exact = served.itemIndex(query.trim());
  const titles = lowerTitles(served);
  const interactions = served.artifact.itemInteractions;
  const hits: { i: number; rank: number }[] = exact >= 0 ? [{ i: exact, rank: -1 }] : [];
  for (let i = 0; i < titles.length; i++) {
    if (i === exact) continue;
    const at = titles[i].indexOf(q);
    if (at < 0) continue;
    const rank = at === 0 ? 0 : /[\s\-(/,&]/.test(titles[i][at - 1]) ? 1 : 2;
    hits.push({ i, rank });
  }
  hits.sort((a, b) => a.rank - b.rank || (interactions[b.i] ?? 0) - (interactions[a.i] ?? 0) || a.i - b.i);
  return hits.slice(0, limit).map((h) => h.i);
}
