import { describe, expect, it } from "vitest";
import { stringTable } from "../../../src/artifact/index.ts";
import { IdIndex } from "../../../src/store/id-index.ts";

describe("IdIndex", () => {
  it("finds every id, ASCII or not, and nothing else", () => {
    const ids = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? `prodüct-${i}-ß` : `P${i.toString(36)}`));
    ids.push("", "a\u0000b", "emoji-🍏");
    const index = new IdIndex(stringTable(ids, true));
    ids.forEach((id, i) => expect(index.get(id)).toBe(i));
    for (const miss of ["P", "nope", "prodüct-7-", "emoji-🍎", "P0 ", "p0"]) expect(index.get(miss)).toBe(-1);
  });

  it("keeps the first of duplicate ids", () => {
    const index = new IdIndex(stringTable(["a", "b", "a"], true));
    expect(index.get("a")).toBe(0);
    expect(index.get("b")).toBe(1);
  });
});
