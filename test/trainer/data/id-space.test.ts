import { describe, expect, it } from "vitest";
import { IdInterner } from "../../../trainer/data/id-space.ts";

describe("IdInterner", () => {
  it("keeps numeric-looking ids distinct from their other spellings, in first-seen order", () => {
    const ix = new IdInterner();
    const seq = ["17", "017", "abc", "0", "17", "4194304", "99999999", "0", "017"];
    const got = seq.map((s) => ix.intern(s));
    expect(got).toEqual([0, 1, 2, 3, 0, 4, 5, 3, 1]);
    expect(ix.ids).toEqual(["17", "017", "abc", "0", "4194304", "99999999"]);
    expect(ix.get("17")).toBe(0);
    expect(ix.get("18")).toBeUndefined();
    expect(ix.get("017")).toBe(1);
    expect(ix.get("5000000")).toBeUndefined();
    expect(ix.size).toBe(6);
  });

  it("of() keeps a list's ids at their positions and refuses duplicates", () => {
    const ix = IdInterner.of(["b", "7", "a"]);
    expect([ix.get("b"), ix.get("7"), ix.get("a"), ix.intern("c")]).toEqual([0, 1, 2, 3]);
    expect(ix.ids).toEqual(["b", "7", "a", "c"]);
    expect(() => IdInterner.of(["x", "y", "x"])).toThrow(/1 duplicate id/);
  });
});
