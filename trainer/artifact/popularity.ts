/**
 * Items ordered by interaction count (most first, ties by index), overall and per category.
 * Every item appears, cold ones last, so filtered "popular" queries can always fill up.
 */
export function popularityOrder(
  counts: Uint32Array,
  topCategory: Uint32Array,
  nCategories: number,
): { overall: Uint32Array; byCategoryPtr: Uint32Array; byCategoryIds: Uint32Array } {
  const n = counts.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  const overall = Uint32Array.from(order);
  const byCategoryPtr = new Uint32Array(nCategories + 1);
  for (let i = 0; i < n; i++) if (topCategory[i] < nCategories) byCategoryPtr[topCategory[i] + 1]++;
  for (let c = 0; c < nCategories; c++) byCategoryPtr[c + 1] += byCategoryPtr[c];
  const fill = byCategoryPtr.slice(0, nCategories);
  const byCategoryIds = new Uint32Array(byCategoryPtr[nCategories]);
  for (const i of order) if (topCategory[i] < nCategories) byCategoryIds[fill[topCategory[i]]++] = i;
  return { overall, byCategoryPtr, byCategoryIds };
}
