import { describe, expect, it } from "vitest";
import { parsePythonLiteral } from "../../../trainer/data/python-literal.ts";

describe("parsePythonLiteral", () => {
  it("parses a 2014 Amazon metadata line", () => {
    const line = `{'asin': '0000031852', 'title': "Girls' Ballet Tutu", 'price': 3.17, 'imUrl': 'http://x/y.jpg', 'related': {'also_bought': ['B00JHONN1S', 'B002BZX8Z6'], 'bought_together': []}, 'salesRank': {'Toys & Games': 211836}, 'categories': [['Clothing, Shoes & Jewelry', 'Girls'], ['Sports & Outdoors']]}`;
    expect(parsePythonLiteral(line)).toEqual({
      asin: "0000031852",
      title: "Girls' Ballet Tutu",
      price: 3.17,
      imUrl: "http://x/y.jpg",
      related: { also_bought: ["B00JHONN1S", "B002BZX8Z6"], bought_together: [] },
      salesRank: { "Toys & Games": 211836 },
      categories: [["Clothing, Shoes & Jewelry", "Girls"], ["Sports & Outdoors"]],
    });
  });

  it("handles escapes, both quote kinds, constants, tuples and numbers", () => {
    expect(parsePythonLiteral(`'it\\'s a \\"test\\"\\n\\t\\\\ \\x41\\u00e9'`)).toBe(`it's a "test"\n\t\\ Aé`);
    expect(parsePythonLiteral(`"say 'hi'"`)).toBe("say 'hi'");
    expect(parsePythonLiteral(`[True, False, None, -1, 2.5e3, .5, (1, 'a'), ()]`)).toEqual([true, false, null, -1, 2500, 0.5, [1, "a"], []]);
    expect(parsePythonLiteral(`{1: u'x', 'k': [ ], }`)).toEqual({ "1": "x", k: [] });
    expect(parsePythonLiteral(`r'a\\d'`)).toBe("a\\d");
  });

  it("keeps a __proto__ key as data", () => {
    const v = parsePythonLiteral(`{'__proto__': {'polluted': True}}`) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it("refuses anything that is not a literal (no eval)", () => {
    expect(() => parsePythonLiteral(`__import__('os').system('x')`)).toThrow(SyntaxError);
    expect(() => parsePythonLiteral(`{'a': 1`)).toThrow(/expected/);
    expect(() => parsePythonLiteral(`'unterminated`)).toThrow(/unterminated/);
    expect(() => parsePythonLiteral(`{'a': 1} extra`)).toThrow(/after the value/);
    expect(() => parsePythonLiteral(`Truex`)).toThrow();
  });
});
