/**
 * A small but complete artifact built straight from the format module, so fuzz tests
 * start from valid bytes without depending on the trainer's build pipeline.
 */
import {
  NONE,
  encodeArtifact,
  quantizeNeighbours,
  quantizeVectors,
  stringTable,
  type Artifact,
} from "../../../src/artifact/index.ts";

export function tinyArtifact(nItems = 12, nUsers = 5, k = 4, version = "v-fuzz"): Artifact {
  const ids = Array.from({ length: nItems }, (_, i) => `item-${i}`);
  const neighbourIds = new Uint32Array(nItems * k);
  const scores = new Float32Array(nItems * k);
  for (let i = 0; i < nItems; i++) {
    for (let j = 0; j < k; j++) {
      neighbourIds[i * k + j] = j === k - 1 ? NONE : (i + j + 1) % nItems;
      scores[i * k + j] = 1 - j / k;
    }
  }
  const vectors = new Float32Array(nItems * 8).map((_, i) => Math.sin(i));
  const historyPtr = new Uint32Array(nUsers + 1);
  const history: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    history.push(u % nItems, (u + 3) % nItems);
    historyPtr[u + 1] = history.length;
  }
  return {
    header: {
      formatVersion: 1,
      version,
      createdAt: "2026-11-29T00:00:00Z",
      sourceHash: "0".repeat(64),
      model: { type: "hybrid", params: { dim: 8 } },
      metrics: { "ndcg@10": 0.1 },
      headlineMetric: "ndcg@10",
      counts: { items: nItems, users: nUsers, categories: 2 },
    },
    items: {
      ids: stringTable(ids, true),
      titles: stringTable(ids.map((id) => `Title ${id} ü`)),
      brands: stringTable(ids.map(() => "Brand")),
      categoryPaths: stringTable(ids.map((_, i) => (i % 2 ? "Snacks > Chips" : "Drinks"))),
      imageUrls: stringTable(ids.map((id) => `https://img.test/${id}.svg`)),
      urls: stringTable(ids.map((id) => `https://shop.test/${id}`)),
      prices: new Float32Array(nItems).map((_, i) => 1 + i),
      topCategory: new Uint32Array(nItems).map((_, i) => i % 2),
    },
    categories: { names: stringTable(["Drinks", "Snacks"]) },
    neighbours: quantizeNeighbours(k, neighbourIds, scores),
    contentNeighbours: quantizeNeighbours(k, neighbourIds.slice(), scores.slice()),
    itemInteractions: new Uint32Array(nItems).fill(3),
    popular: {
      overall: Uint32Array.from({ length: nItems }, (_, i) => i),
      byCategoryPtr: Uint32Array.from([0, 1, 2]),
      byCategoryIds: Uint32Array.from([0, 1]),
    },
    itemVectors: quantizeVectors(vectors, 8, "int8"),
    itemBiases: new Float32Array(nItems),
    users: {
      ids: stringTable(Array.from({ length: nUsers }, (_, u) => `user-${u}`), true),
      historyPtr,
      historyIds: Uint32Array.from(history),
    },
  };
}

export async function tinyArtifactBytes(): Promise<Uint8Array> {
  return encodeArtifact(tinyArtifact());
}
