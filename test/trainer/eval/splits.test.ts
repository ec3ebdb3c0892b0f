import { describe, expect, it } from "vitest";
import type { Interactions } from "../../../trainer/data/types.ts";
import { holdOutPerUser, itemColdStart, leaveLastOut, randomSplit } from "../../../trainer/eval/splits.ts";
import { createRng } from "../../../trainer/util/rng.ts";

function interactions(rows: [number, number, number][], nUsers: number, nItems: number): Interactions {
  return {
    userIds: Array.from({ length: nUsers }, (_, i) => `u${i}`),
    itemIds: Array.from({ length: nItems }, (_, i) => `i${i}`),
    users: Int32Array.from(rows.map((r) => r[0])),
    items: Int32Array.from(rows.map((r) => r[1])),
    ratings: new Float32Array(rows.length).fill(Number.NaN),
    times: Float64Array.from(rows.map((r) => r[2])),
  };
}

const pairs = (x: Interactions) => Array.from(x.users, (u, k) => `${u}:${x.items[k]}`).sort();

describe("leaveLastOut", () => {
  it("puts each user's latest interaction in test, the one before in dev, and keeps the first in train", () => {
    const x = interactions(
      [
        [0, 0, 30], [0, 1, 10], [0, 2, 20], [0, 3, 40], // u0: test 3, dev 0, train 1,2
        [1, 4, 5], [1, 5, 6], // u1: two → test 5, no dev, train 4
        [2, 6, 1], // u2: one → train only
        [3, 7, 9], [3, 8, 9], [3, 9, 9], // u3: tie in time → later row is later
      ],
      4,
      10,
    );
    const s = leaveLastOut(x, { dev: true });
    expect(pairs(s.test)).toEqual(["0:3", "1:5", "3:9"]);
    expect(pairs(s.dev!)).toEqual(["0:0", "3:8"]);
    expect(pairs(s.train)).toEqual(["0:1", "0:2", "1:4", "2:6", "3:7"]);
    expect(s.train.userIds).toBe(x.userIds);
  });
});

describe("randomSplit", () => {
  it("is seeded, disjoint and complete", () => {
    const rows: [number, number, number][] = [];
    for (let u = 0; u < 10; u++) for (let i = 0; i < 10; i++) rows.push([u, i, 0]);
    const x = interactions(rows, 10, 10);
    const a = randomSplit(x, 0.2, createRng(1));
    const b = randomSplit(x, 0.2, createRng(1));
    const c = randomSplit(x, 0.2, createRng(2));
    expect(pairs(a.test)).toEqual(pairs(b.test));
    expect(pairs(a.test)).not.toEqual(pairs(c.test));
    expect(a.test.users.length).toBe(20);
    expect([...pairs(a.train), ...pairs(a.test)].sort()).toEqual(pairs(x));
  });
});

describe("itemColdStart", () => {
  it("holds out every interaction of a seeded fraction of items", () => {
    const rows: [number, number, number][] = [];
    for (let u = 0; u < 5; u++) for (let i = 0; i < 10; i++) rows.push([u, i, 0]);
    const x = interactions(rows, 5, 10);
    const s = itemColdStart(x, 0.2, createRng(3));
    expect(s.coldItems.length).toBe(2);
    const cold = new Set(s.coldItems);
    expect(Array.from(s.train.items).some((i) => cold.has(i))).toBe(false);
    expect(Array.from(s.test.items).every((i) => cold.has(i))).toBe(true);
    expect(s.test.items.length).toBe(10);
    expect(Array.from(itemColdStart(x, 0.2, createRng(3)).coldItems)).toEqual(Array.from(s.coldItems));
  });
});

describe("holdOutPerUser", () => {
  it("holds out up to n per user, keeping at least one in train", () => {
    const x = interactions([[0, 0, 0], [0, 1, 0], [0, 2, 0], [1, 3, 0]], 2, 4);
    const s = holdOutPerUser(x, 2, createRng(0));
    expect(s.valid.users.length).toBe(2);
    expect(Array.from(s.train.users).filter((u) => u === 1)).toHaveLength(1);
  });
});
