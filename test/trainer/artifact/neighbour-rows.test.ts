import { describe, expect, it } from "vitest";
import { forEachNeighbour, type NeighbourLists, neighbourAt, neighbourScore, NONE, quantizeNeighbours, rowLength } from "../../../src/artifact/index.ts";

/** Every (item, score, quantized) forEachNeighbour visits on row i. */
function visited(lists: NeighbourLists, i: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  forEachNeighbour(lists, i, (item, score, quantized) => out.push([item, score, quantized]));
  return out;
}

/** The same row read entry by entry through the other accessors. */
function readOneByOne(lists: NeighbourLists, i: number): [number, number][] {
  return Array.from({ length: rowLength(lists, i) }, (_, j) => [neighbourAt(lists, i, j), neighbourScore(lists, i, j)]);
}

describe("forEachNeighbour", () => {
  // Dense layout, k = 3: row 0 full, row 1 padded after one entry, row 2 all padding.
  const dense = quantizeNeighbours(
    3,
    Uint32Array.from([4, 2, 7, 5, NONE, NONE, NONE, NONE, NONE]),
    Float32Array.from([0.9, 0.5, 0.1, 2, 0, 0, 0, 0, 0]),
  );
  // Sparse layout: rows of 2, 0 and 1 entries.
  const sparse = quantizeNeighbours(3, Uint32Array.from([8, 1, 6]), Float32Array.from([-1, -3, 4]), Uint32Array.from([0, 2, 2, 3]));

  it("visits a row's real entries in rank order and stops at the padding", () => {
    expect(visited(dense, 0).map(([item]) => item)).toEqual([4, 2, 7]);
    expect(visited(dense, 1).map(([item]) => item)).toEqual([5]);
    expect(visited(dense, 2)).toEqual([]);
    expect(visited(sparse, 0).map(([item]) => item)).toEqual([8, 1]);
    expect(visited(sparse, 1)).toEqual([]);
    expect(visited(sparse, 2).map(([item]) => item)).toEqual([6]);
  });

  it("agrees with rowLength, neighbourAt and neighbourScore on both layouts", () => {
    for (const [lists, rows] of [[dense, 3], [sparse, 3]] as const) {
      for (let i = 0; i < rows; i++) {
        const got = visited(lists, i);
        const want = readOneByOne(lists, i);
        expect(got.map(([item]) => item)).toEqual(want.map(([item]) => item));
        got.forEach(([, score], j) => expect(score).toBeCloseTo(want[j][1], 6));
      }
    }
  });

  it("hands over the raw quantised byte and the score dequantised from the row's range", () => {
    const [[, top, qTop], [, middle, qMiddle], [, last, qLast]] = visited(dense, 0);
    expect([qTop, qMiddle, qLast]).toEqual([255, 128, 0]);
    expect(top).toBeCloseTo(0.9, 6);
    expect(middle).toBeCloseTo(0.1 + (128 / 255) * 0.8, 6);
    expect(last).toBeCloseTo(0.1, 6);
    // A one-entry row has no range: its entry is stored as 255 and scores lo (= hi).
    expect(visited(sparse, 2)).toEqual([[6, 4, 255]]);
  });
});
