import { encodeArtifact, FORMAT_VERSION, quantizeNeighbours, stringTable, type Artifact } from "../../../src/artifact/index.ts";

/** A two-item artifact with the given metrics: enough for header-level checks (gate). */
export async function tinyArtifact(version: string, metrics: Record<string, number>, headlineMetric = "ndcg@10"): Promise<Uint8Array> {
  const ids = ["a", "b"];
  const artifact: Artifact = {
    header: {
      formatVersion: FORMAT_VERSION,
      version,
      createdAt: new Date(0).toISOString(),
      sourceHash: "0".repeat(64),
      model: { type: "test", params: {} },
      metrics,
      headlineMetric,
      counts: { items: 2, users: 0, categories: 0 },
    },
    items: {
      ids: stringTable(ids, true),
      titles: stringTable(["A", "B"]),
      brands: stringTable(["", ""]),
      categoryPaths: stringTable(["", ""]),
      imageUrls: stringTable(["", ""]),
      urls: stringTable(["", ""]),
      prices: new Float32Array([NaN, NaN]),
      topCategory: new Uint32Array([0xffffffff, 0xffffffff]),
    },
    categories: { names: stringTable([]) },
    neighbours: quantizeNeighbours(1, new Uint32Array([1, 0]), new Float32Array([1, 1])),
    contentNeighbours: quantizeNeighbours(1, new Uint32Array([1, 0]), new Float32Array([1, 1])),
    itemInteractions: new Uint32Array([1, 1]),
    popular: { overall: new Uint32Array([0, 1]), byCategoryPtr: new Uint32Array([0]), byCategoryIds: new Uint32Array(0) },
    users: { ids: stringTable([], true), historyPtr: new Uint32Array([0]), historyIds: new Uint32Array(0) },
  };
  return encodeArtifact(artifact);
}
