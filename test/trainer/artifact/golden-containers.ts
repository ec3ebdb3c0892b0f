/**
 * One object of each container kind, built by hand with every optional section the format
 * knows (dense and sparse neighbour lists, int8 and float16 vectors, user top-N, bought
 * together, content index, manifest with a single-object twin, an id shard), so a test can pin
 * their encoded bytes: an artifact written by an older edgerec must decode to the same thing.
 */
import {
  type Artifact,
  type ArtifactManifest,
  buildContentIndex,
  encodeArtifact,
  encodeIdShard,
  encodeManifest,
  type IdShard,
  NONE,
  quantizeNeighbours,
  quantizeVectors,
  SHARD_KINDS,
  stringTable,
} from "../../../src/artifact/index.ts";

const ITEMS = 9;
const USERS = 4;
const K = 3;

export function goldenArtifact(): Artifact {
  const ids = Array.from({ length: ITEMS }, (_, i) => `sku-${i}`);
  const titles = ids.map((id, i) => `${i % 2 ? "Green" : "Red"} tea ${id} – ü`);
  const neighbourIds = new Uint32Array(ITEMS * K);
  const scores = new Float32Array(ITEMS * K);
  for (let i = 0; i < ITEMS; i++) {
    for (let j = 0; j < K; j++) {
      neighbourIds[i * K + j] = i === 4 && j > 0 ? NONE : (i + 2 * j + 1) % ITEMS;
      scores[i * K + j] = 0.9 - j * 0.2 + i * 0.01;
    }
  }
  // Sparse rows: only items 2 and 7 (the "cold" ones) have content neighbours.
  const contentPtr = Uint32Array.from([0, 0, 0, 2, 2, 2, 2, 2, 3, 3]);
  const vectors = new Float32Array(ITEMS * 4).map((_, i) => Math.sin(i * 0.7) * 3);
  const userVectors = new Float32Array(USERS * 4).map((_, i) => Math.cos(i * 0.3));
  return {
    header: {
      formatVersion: 1,
      version: "20261129T001500Z-golden",
      createdAt: "2026-11-29T00:15:00Z",
      sourceHash: "ab".repeat(32),
      model: { type: "slist", params: { neighbours: K, decay: 0.8 } },
      metrics: { "ndcg@10": 0.25, "hr@10": 0.5 },
      headlineMetric: "ndcg@10",
      counts: { items: ITEMS, users: USERS, categories: 2 },
      trainedOn: { interactions: 40, users: USERS, items: ITEMS, firstTime: "2026-01-01T00:00:00Z", lastTime: null, source: "golden.csv" },
      candidates: [{ family: "slist", description: "SLIST", validation: { "ndcg@10": 0.2 }, fitSeconds: 1.5, chosen: true }],
      dataQuality: {
        catalogueItems: ITEMS,
        missing: { title: 0, image: 0.1, url: 0, price: 0.2, category: 0 },
        rows: { read: 50, kept: 40, merged: 5, rejected: 5 },
        last30DaysShare: null,
      },
      catalogSketch: [17, 4_000_000_000],
      sequence: { decay: 0.8, historyLength: 5 },
    },
    items: {
      ids: stringTable(ids, true),
      titles: stringTable(titles),
      brands: stringTable(ids.map((_, i) => (i % 3 ? "Leaf & Co" : ""))),
      categoryPaths: stringTable(ids.map((_, i) => (i % 2 ? "Tea > Green" : "Tea > Black"))),
      imageUrls: stringTable(ids.map((id) => `https://img.test/${id}.png`)),
      urls: stringTable(ids.map((id) => `https://shop.test/p/${id}`)),
      prices: new Float32Array(ITEMS).map((_, i) => (i === 3 ? NaN : 2.5 * i)),
      topCategory: new Uint32Array(ITEMS).map((_, i) => (i === 8 ? NONE : i % 2)),
    },
    categories: { names: stringTable(["Black", "Green"]) },
    neighbours: quantizeNeighbours(K, neighbourIds, scores),
    contentNeighbours: quantizeNeighbours(K, Uint32Array.from([5, 6, 1]), Float32Array.from([0.7, 0.3, 0.9]), contentPtr),
    itemInteractions: Uint32Array.from([5, 4, 0, 3, 1, 6, 2, 0, 1]),
    popular: {
      overall: Uint32Array.from([5, 0, 1, 3, 6, 4, 8, 2, 7]),
      byCategoryPtr: Uint32Array.from([0, 3, 5]),
      byCategoryIds: Uint32Array.from([0, 6, 4, 5, 1]),
    },
    itemVectors: quantizeVectors(vectors, 4, "int8"),
    itemBiases: new Float32Array(ITEMS).map((_, i) => i * 0.125 - 0.5),
    users: {
      ids: stringTable(Array.from({ length: USERS }, (_, u) => `shopper-${u}`), true),
      historyPtr: Uint32Array.from([0, 2, 2, 5, 6]),
      historyIds: Uint32Array.from([1, 3, 0, 5, 8, 2]),
      topPtr: Uint32Array.from([0, 2, 3, 3, 5]),
      topIds: Uint32Array.from([4, 6, 7, 1, 2]),
      vectors: quantizeVectors(userVectors, 4, "float16"),
      biases: Float32Array.from([0.1, -0.2, 0, 0.3]),
    },
    together: quantizeNeighbours(2, Uint32Array.from([1, 0, 5]), Float32Array.from([2, 1.5, 3]), Uint32Array.from([0, 1, 2, 2, 2, 2, 3, 3, 3, 3])),
    contentIndex: buildContentIndex(ITEMS, (i) => ({ title: titles[i], brand: "Leaf & Co", category: i % 2 ? "Tea > Green" : "Tea > Black" }), Uint32Array.from([5, 4, 0, 3, 1, 6, 2, 0, 1])),
    extra: { chart: { epochs: [1, 2], loss: [0.5, 0.25] } },
  };
}

export function goldenManifest(): ArtifactManifest {
  const kinds = ["popular", "items", "users", "item-ids", "user-ids"] as const;
  const sha256 = new Uint8Array(32 * kinds.length).map((_, i) => (i * 37) & 0xff);
  return {
    header: goldenArtifact().header,
    shards: {
      kind: Uint8Array.from(kinds.map((k) => SHARD_KINDS.indexOf(k))),
      bytes: Uint32Array.from([1000, 20_000, 15_000, 300, 200]),
      items: Uint32Array.from([0, ITEMS, 0, ITEMS, 0]),
      users: Uint32Array.from([0, 0, USERS, 0, USERS]),
      sha256,
    },
    popularShard: 0,
    parts: {
      itemShards: Uint32Array.from([0, 1]),
      itemStarts: Uint32Array.from([0, 2, ITEMS]),
      userShards: Uint32Array.from([2]),
      userStarts: Uint32Array.from([0, USERS]),
    },
    itemIdShards: Uint32Array.from([3]),
    userIdShards: Uint32Array.from([4]),
    single: { key: "artifacts/20261129T001500Z-golden/artifact.bin", bytes: 40_000, sha256: sha256.slice(0, 32) },
  };
}

export function goldenIdShard(): IdShard {
  const ids = Array.from({ length: ITEMS }, (_, i) => `sku-${i}`);
  return {
    kind: "item-ids",
    version: "20261129T001500Z-golden",
    bucket: 0,
    buckets: 1,
    ids: stringTable(ids, true),
    shard: new Uint16Array(ITEMS).fill(1),
    local: Uint32Array.from(ids.map((_, i) => i)),
  };
}

/** The three containers' bytes, in the order artifact, manifest, id shard. */
export async function goldenBytes(): Promise<[Uint8Array, Uint8Array, Uint8Array]> {
  return [await encodeArtifact(goldenArtifact()), await encodeManifest(goldenManifest()), await encodeIdShard(goldenIdShard())];
}
