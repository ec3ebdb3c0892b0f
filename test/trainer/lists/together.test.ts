import { describe, expect, it } from "vitest";
import { neighbourAt, neighbourScore, rowLength } from "../../../src/artifact/index.ts";
import { basketsFromEvents, togetherLists } from "../../../trainer/lists/together.ts";

describe("togetherLists", () => {
  it("scores pairs by lift over shared baskets and drops pairs under the minimum support", () => {
    // Items: 0 bread, 1 butter, 2 milk (in everything), 3 jam (once with bread).
    const baskets = [
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
      [2, 4],
      [2, 5],
      [0, 3, 2],
      [1],
    ];
    const lists = togetherLists(baskets, 6, { minSupport: 2, k: 5 });
    // bread & butter: 3 shared of 6 multi-item baskets, each in 4 and 3 → lift 6·3/(4·3) = 1.5.
    expect(neighbourAt(lists, 0, 0)).toBe(1);
    expect(neighbourScore(lists, 0, 0)).toBeCloseTo(1.5, 2);
    // milk is in every basket: lift 1 with bread, ranked below butter.
    expect(neighbourAt(lists, 0, 1)).toBe(2);
    expect(neighbourScore(lists, 0, 1)).toBeCloseTo(1, 2);
    // jam shares one basket only: below the minimum support.
    expect(rowLength(lists, 3)).toBe(0);
  });

  it("groups purchase and cart events into baskets by order, then session", () => {
    const index = (id: string) => ["a", "b", "c"].indexOf(id);
    const baskets = basketsFromEvents(
      [
        { type: "purchase", item: "a", ts: 1, order: "o1" },
        { type: "purchase", item: "b", ts: 2, order: "o1" },
        { type: "view", item: "c", ts: 3, order: "o1" },
        { type: "add_to_cart", item: "c", ts: 4, session: "s1" },
        { type: "add_to_cart", item: "a", ts: 5, session: "s1" },
        { type: "purchase", item: "zzz", ts: 6, session: "s1" },
      ],
      index,
    );
    expect(baskets).toEqual([
      [0, 1],
      [2, 0],
    ]);
  });
});
