import { type Artifact, NONE, type NeighbourLists, stringAt } from "../../src/artifact/index.ts";

/**
 * The order items are numbered in across a sharded artifact's item parts (each part owns a
 * contiguous range of it): the popularity heads first, so the popular shard owns the items it
 * lists; then breadth-first over the neighbour graph, so an item's neighbours mostly land in
 * its own part and a similar-items query reads few parts. Seeds are taken in category-path
 * order, so items without neighbours still sit beside their category. Returns order[new] = old
 * and how many leading items are the popularity heads'.
 */
export function itemOrder(artifact: Artifact, head: { overall: number; perCategory: number }): { order: Uint32Array; headItems: number } {
  const n = artifact.header.counts.items;
  const order = new Uint32Array(n);
  const queued = new Uint8Array(n);
  let tail = 0;
  let next = 0;
  const enqueue = (g: number) => {
    if (g === NONE || g >= n || queued[g]) return;
    queued[g] = 1;
    order[tail++] = g;
  };
  const { popular } = artifact;
  for (let p = 0; p < Math.min(head.overall, popular.overall.length); p++) enqueue(popular.overall[p]);
  for (let c = 0; c + 1 < popular.byCategoryPtr.length; c++) {
    const end = Math.min(popular.byCategoryPtr[c + 1], popular.byCategoryPtr[c] + head.perCategory);
    for (let p = popular.byCategoryPtr[c]; p < end; p++) enqueue(popular.byCategoryIds[p]);
  }
  const headItems = tail;
  const paths = Array.from({ length: n }, (_, i) => stringAt(artifact.items.categoryPaths, i));
  const seeds = Array.from({ length: n }, (_, i) => i).sort((x, y) => (paths[x] < paths[y] ? -1 : paths[x] > paths[y] ? 1 : x - y));
  let seed = 0;
  // `order` doubles as the BFS queue: items are placed in the order they were queued.
  while (next < n) {
    if (next === tail) {
      while (queued[seeds[seed]]) seed++;
      enqueue(seeds[seed]);
    }
    const g = order[next++];
    enqueueRow(artifact.neighbours, g, enqueue);
    enqueueRow(artifact.contentNeighbours, g, enqueue);
  }
  return { order, headItems };
}

function enqueueRow(lists: NeighbourLists, g: number, enqueue: (g: number) => void): void {
  const start = lists.ptr ? lists.ptr[g] : g * lists.k;
  const end = lists.ptr ? lists.ptr[g + 1] : start + lists.k;
  for (let p = start; p < end; p++) {
    if (lists.ids[p] === NONE) break;
    enqueue(lists.ids[p]);
  }
}
