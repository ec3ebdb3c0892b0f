/**
 * Price buckets on a log scale at quantiles of the catalogue's own prices, so each
 * bucket holds about the same number of items whatever the currency or range.
 * Returns the upper edges (ascending); bucket b holds prices <= edges[b].
 */
export function priceEdges(prices: ArrayLike<number>, buckets: number): number[] {
  const logs: number[] = [];
  for (let i = 0; i < prices.length; i++) {
    const p = prices[i];
    if (Number.isFinite(p) && p > 0) logs.push(Math.log(p));
  }
  if (logs.length === 0 || buckets < 2) return [];
  logs.sort((a, b) => a - b);
  const edges: number[] = [];
  for (let b = 1; b < buckets; b++) {
    const e = Math.exp(logs[Math.min(logs.length - 1, Math.floor((b * logs.length) / buckets))]);
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** The bucket of a price given priceEdges(); -1 when the price is unknown or not positive. */
export function priceBucket(price: number | undefined, edges: number[]): number {
  if (price === undefined || !Number.isFinite(price) || price <= 0) return -1;
  let b = 0;
  while (b < edges.length && price > edges[b]) b++;
  return b;
}
