import { describe, expect, it } from "vitest";
import {
  ArtifactError,
  decodeArtifact,
  indexOfString,
  NONE,
  neighbourAt,
  readVector,
  rowLength,
  stringAt,
} from "../../../src/artifact/index.ts";
import { buildArtifact, buildArtifactObject } from "../../../trainer/artifact/build.ts";
import { exactNeighbours } from "../../../trainer/artifact/exact-neighbours.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { GroupModel, GroupSimilarityModel, smallStore } from "../support/group-store.ts";

describe("buildArtifact", () => {
  const store = smallStore();
  const model = new GroupModel(store.warmItems, store.interactions.userIds.length, store.groups);

  it("round-trips through the decoder with header, metadata and vectors", async () => {
    const bytes = await buildArtifact({ model, interactions: store.interactions, items: store.items, metrics: { "ndcg@10": 0.3 }, headlineMetric: "ndcg@10" });
    const a = await decodeArtifact(bytes);
    expect(a.header.version).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(a.header.sourceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.header.model.type).toBe("group-mf");
    expect(a.header.metrics["ndcg@10"]).toBe(0.3);
    expect(a.header.counts).toEqual({ items: 60, users: 40, categories: 3 });
    const i = indexOfString(a.items.ids, "item-59");
    expect(i).toBeGreaterThanOrEqual(0);
    expect(stringAt(a.items.titles, i)).toBe(store.items[59].title);
    expect(stringAt(a.items.categoryPaths, i)).toBe("Dairy > Dairy sub 1");
    expect(a.items.prices[i]).toBe(10);
    expect(a.itemVectors?.dim).toBe(8);
    const v = readVector(a.itemVectors!, 0, new Float32Array(8));
    expect(v[0]).toBeGreaterThan(0.7);
    expect(a.users.vectors?.dim).toBe(8);
    expect(a.users.historyPtr[40]).toBe(a.users.historyIds.length);
  });

  it("gives warm items collaborative neighbours of their own group, and cold items content neighbours", async () => {
    const { artifact: a } = await buildArtifactObject({ model, interactions: store.interactions, items: store.items, k: 5 });
    for (let i = 0; i < store.warmItems; i++) {
      expect(rowLength(a.neighbours, i)).toBe(5);
      for (let j = 0; j < 5; j++) {
        const n = neighbourAt(a.neighbours, i, j);
        expect(n).not.toBe(i);
        expect(n % 3).toBe(i % 3);
        expect(a.itemInteractions[n]).toBeGreaterThan(0);
      }
      expect(rowLength(a.contentNeighbours, i)).toBe(0);
    }
    for (let i = store.warmItems; i < 60; i++) {
      expect(a.itemInteractions[i]).toBe(0);
      expect(rowLength(a.contentNeighbours, i)).toBeGreaterThan(0);
      expect(neighbourAt(a.contentNeighbours, i, 0) % 3).toBe(i % 3);
    }
  });

  it("takes neighbours from item similarities for EASE/item-kNN-like models", async () => {
    const knn = new GroupSimilarityModel(store.warmItems, store.groups);
    const { artifact: a } = await buildArtifactObject({ model: knn, interactions: store.interactions, items: store.items, k: 4 });
    expect(a.itemVectors).toBeUndefined();
    expect(neighbourAt(a.neighbours, 10, 0) % 3).toBe(1);
    expect(neighbourAt(a.neighbours, 10, 0)).not.toBe(10);
  });

  it("stores each user's recent items oldest first, and the model's top-N when asked", async () => {
    const { artifact: a } = await buildArtifactObject({ model, interactions: store.interactions, items: store.items, historyLength: 3, userTopN: 5 });
    const u = 4;
    const h = a.users.historyIds.subarray(a.users.historyPtr[u], a.users.historyPtr[u + 1]);
    expect(h.length).toBeLessThanOrEqual(3);
    const last = store.interactions.items[(u + 1) * 8 - 1];
    expect(h[h.length - 1]).toBe(last);
    const top = a.users.topIds!.subarray(a.users.topPtr![u], a.users.topPtr![u + 1]);
    expect(top.length).toBe(5);
    const seen = new Set(Array.from(store.interactions.items.subarray(u * 8, u * 8 + 8)));
    for (const item of top) expect(seen.has(item)).toBe(false);
  });

  it("orders popularity overall and per category", async () => {
    const { artifact: a } = await buildArtifactObject({ model, interactions: store.interactions, items: store.items });
    const counts = a.itemInteractions;
    for (let p = 1; p < a.popular.overall.length; p++) expect(counts[a.popular.overall[p - 1]]).toBeGreaterThanOrEqual(counts[a.popular.overall[p]]);
    expect(a.popular.overall.length).toBe(60);
    const c = 1;
    const list = a.popular.byCategoryIds.subarray(a.popular.byCategoryPtr[c], a.popular.byCategoryPtr[c + 1]);
    expect(list.length).toBe(20);
    for (const i of list) expect(a.items.topCategory[i]).toBe(c);
  });
});

describe("exactNeighbours", () => {
  it("matches brute force: SIMD on one thread, SIMD on worker threads, and plain JS", async () => {
    const rng = createRng(3);
    const n = 300;
    const dim = 6;
    const v = Float32Array.from({ length: n * dim }, () => rng.next() - 0.5);
    const candidates = Uint32Array.from({ length: n }, (_, i) => i).filter((i) => i % 7 !== 0);
    const single = await exactNeighbours({ vectors: v, dim, k: 10, candidates, threads: 1 });
    const parallel = await exactNeighbours({ vectors: v, dim, k: 10, candidates, threads: 2, minParallelWork: 0 });
    const plain = await exactNeighbours({ vectors: v, dim, k: 10, candidates, threads: 1, simd: false });
    for (let i = 0; i < n; i++) {
      const scored = Array.from(candidates)
        .filter((j) => j !== i)
        .map((j) => {
          let s = 0;
          for (let d = 0; d < dim; d++) s += v[i * dim + d] * v[j * dim + d];
          return [j, Math.fround(s)] as const;
        })
        .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      const expected = scored.slice(0, 10).map(([j]) => j);
      expect(Array.from(single.ids.subarray(i * 10, i * 10 + 10))).toEqual(expected);
      expect(Array.from(parallel.ids.subarray(i * 10, i * 10 + 10))).toEqual(expected);
      expect(Array.from(plain.ids.subarray(i * 10, i * 10 + 10))).toEqual(expected);
    }
  });

  it("pads rows with NONE when there are fewer candidates than k", async () => {
    const v = new Float32Array([1, 0, 0, 1, 1, 1]);
    const r = await exactNeighbours({ vectors: v, dim: 2, k: 4, threads: 1 });
    expect(Array.from(r.ids.subarray(0, 4))).toEqual([2, 1, NONE, NONE]);
  });
});

describe("decodeArtifact refuses bad input", () => {
  const store = smallStore({ items: 20, users: 10 });
  const model = new GroupModel(store.warmItems, 10, store.groups);

  it("a flipped byte, a truncated file, a wrong format version, and not-an-artifact", async () => {
    const bytes = await buildArtifact({ model, interactions: store.interactions, items: store.items });
    const corrupt = bytes.slice();
    corrupt[corrupt.length - 3] ^= 0xff;
    await expect(decodeArtifact(corrupt)).rejects.toThrow(/checksum mismatch/);
    await expect(decodeArtifact(bytes.slice(0, bytes.length - 100))).rejects.toThrow(/checksum mismatch|truncated/);
    await expect(decodeArtifact(bytes.slice(0, 30))).rejects.toThrow(/truncated/);
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(8, 99, true);
    await expect(decodeArtifact(future)).rejects.toThrow(/format version 99 is not supported/);
    await expect(decodeArtifact(new TextEncoder().encode('{"not":"an artifact"} padding padding padding padding'))).rejects.toThrow(ArtifactError);
  });
});

describe("approximate neighbours", () => {
  it("come from usearch above the threshold, with recall against exact measured and recorded", async () => {
    const { smallStore: make, GroupModel: Model } = await import("../support/group-store.ts");
    const store = make({ items: 400, users: 60, cold: 0 });
    const model = new Model(400, 60, store.groups, 16);
    const lines: string[] = [];
    const { artifact, report } = await buildArtifactObject({ model, interactions: store.interactions, items: store.items, k: 10, annThreshold: 100, annRecallSample: 50, log: (l) => lines.push(l) });
    expect(report.annRecall).toBeGreaterThan(0.8);
    expect(lines.join("\n")).toMatch(/recall@10 against exact on 50 items = [01]\.\d+/);
    expect((artifact.extra?.build as { neighbourSource: string }).neighbourSource).toBe("approximate");
    for (let i = 0; i < 50; i++) {
      expect(neighbourAt(artifact.neighbours, i, 0)).not.toBe(i);
      expect(neighbourAt(artifact.neighbours, i, 0) % store.groups).toBe(i % store.groups);
    }
  });
});

describe("decode options", () => {
  it("accepts a digest computed while streaming instead of hashing again, and refuses a wrong one", async () => {
    const { createHash } = await import("node:crypto");
    const { CHECKSUM_START_OFFSET } = await import("../../../src/artifact/index.ts");
    const store = smallStore({ items: 20, users: 10 });
    const bytes = await buildArtifact({ model: new GroupModel(store.warmItems, 10, store.groups), interactions: store.interactions, items: store.items });
    const digest = new Uint8Array(createHash("sha256").update(bytes.subarray(CHECKSUM_START_OFFSET)).digest());
    expect((await decodeArtifact(bytes, { digest })).header.counts.items).toBe(20);
    const wrong = digest.slice();
    wrong[0] ^= 1;
    await expect(decodeArtifact(bytes, { digest: wrong })).rejects.toThrow(/checksum mismatch/);
  });

  it("deep validation refuses a well-signed artifact whose lists name missing items", async () => {
    const { encodeArtifact } = await import("../../../src/artifact/index.ts");
    const store = smallStore({ items: 20, users: 10 });
    const { artifact } = await buildArtifactObject({ model: new GroupModel(store.warmItems, 10, store.groups), interactions: store.interactions, items: store.items });
    artifact.neighbours.ids[3] = 999;
    const bytes = await encodeArtifact(artifact);
    await expect(decodeArtifact(bytes, { deep: true })).rejects.toThrow(/refers to item 999 of 20/);
  });
});

describe("readWithDigest", () => {
  it("reads a chunked body and yields the digest decodeArtifact accepts", async () => {
    const { readWithDigest } = await import("../../../src/artifact/index.ts");
    const store = smallStore({ items: 20, users: 10 });
    const bytes = await buildArtifact({ model: new GroupModel(store.warmItems, 10, store.groups), interactions: store.interactions, items: store.items });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let p = 0; p < bytes.length; p += 7) controller.enqueue(bytes.slice(p, p + 7));
        controller.close();
      },
    });
    const read = await readWithDigest(body, 64);
    expect(read.bytes).toEqual(bytes);
    expect((await decodeArtifact(read.bytes, { digest: read.digest })).header.counts.items).toBe(20);
  });
});
