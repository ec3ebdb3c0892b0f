/**
 * The basket scorer's candidate table, and basket scores against a plain reference sum
 * (Map-based, written for clarity) for baskets from 1 to 100 items — enough to make the
 * table grow past its first size.
 */
import { describe, expect, it } from "vitest";
import { decodeArtifact, encodeArtifact, NONE, rowLength, rowStart } from "../../../src/artifact/index.ts";
import { basketRecommendations } from "../../../src/recommend/basket.ts";
import { BLOCKED, CANDIDATE, CandidateTable } from "../../../src/recommend/candidates.ts";
import { similarSource } from "../../../src/recommend/similar.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";

describe("CandidateTable", () => {
  it("finds what was added, forgets it on clear, and grows on reset", () => {
    const table = new CandidateTable();
    for (const size of [10, 5000, 3]) {
      table.reset(size);
      const items = Array.from({ length: size }, (_, i) => i * 7919 + 13);
      items.forEach((item, i) => expect(table.add(item, i % 2 ? BLOCKED : CANDIDATE)).toBe(i));
      items.forEach((item, i) => {
        expect(table.find(item)).toBe(i);
        expect(table.items[i]).toBe(item);
      });
      expect(table.find(1)).toBe(-1);
      table.clear();
      for (const item of items) expect(table.find(item)).toBe(-1);
    }
  });
});

describe("basket scores", () => {
  it("equal the recency-weighted sum of the basket items' neighbour scores", async () => {
    const a = await decodeArtifact(await encodeArtifact(syntheticArtifact({ items: 2000, users: 5, seed: 11 })));
    let x = 5;
    const rnd = (n: number) => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n;
    for (const size of [1, 3, 10, 40, 100]) {
      const basket = Array.from({ length: size }, () => rnd(2000));
      const sums = new Map<number, number>();
      let weight = 1;
      for (let t = basket.length - 1; t >= 0; t--, weight *= 0.9) {
        const h = basket[t];
        const source = similarSource(a, h);
        if (source === "popular") continue;
        const lists = source === "collaborative" ? a.neighbours : a.contentNeighbours;
        // The dequantisation in the order the scorer uses, so sums (and ties) match bit for bit.
        const step = (lists.hi[h] - lists.lo[h]) / 255;
        for (let j = 0; j < rowLength(lists, h); j++) {
          const item = lists.ids[rowStart(lists, h) + j];
          if (item === NONE) break;
          if (basket.includes(item)) continue;
          sums.set(item, (sums.get(item) ?? 0) + weight * (lists.lo[h] + lists.quantized[rowStart(lists, h) + j] * step));
        }
      }
      const expected = [...sums].sort((p, q) => q[1] - p[1] || p[0] - q[0]).slice(0, 50);
      const got = basketRecommendations(a, basket, { k: 50, decay: 0.9 }).slice(0, expected.length);
      expect(got.map((r) => r.index)).toEqual(expected.map(([item]) => item));
      got.forEach((r, i) => expect(r.score).toBe(expected[i][1]));
    }
  });
});
