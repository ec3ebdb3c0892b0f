import { afterAll, describe, expect, it } from "vitest";
import { attributeSet } from "../../../trainer/data/item-fields.ts";
import { loadDataset } from "../../../trainer/data/load.ts";
import { rowIndices } from "../../../trainer/data/matrix.ts";
import { buildItemFeatures } from "../../../trainer/features/item-features.ts";
import { fixtureDir } from "./fixtures.ts";

const fx = fixtureDir();
afterAll(() => fx.cleanup());

describe("item attributes as a set", () => {
  it("attributeSet splits lists and strings, drops markup and repeats, keeps no order meaning", () => {
    expect(attributeSet("wood|toddler|wood")).toEqual(["wood", "toddler"]);
    expect(attributeSet('["a", 3, ["b"]]')).toEqual(["a", "3", "b"]);
    expect(attributeSet(["<b>red</b>", ""])).toEqual(["red"]);
    expect(attributeSet("")).toBeUndefined();
    expect(attributeSet(undefined)).toBeUndefined();
  });

  it("a tags column and --attribute-columns become unordered attributes; categories stay a path", async () => {
    const data = fx.write("attr-ratings.csv", "user,item,rating\nu1,i1,5\nu1,i2,4\nu2,i2,3\n");
    const items = fx.write("attr-items.csv", "id,title,categories,tags,color\ni1,Blocks,Toys|Building,wood|toddler,red\ni2,Puzzle,Toys|Puzzles,toddler|wood|cardboard,blue|red\n");
    const d = await loadDataset({ interactions: [data], items, attributeColumns: ["color"] });
    const byId = new Map(d.items.map((m) => [m.id, m]));
    expect(byId.get("i1")).toMatchObject({ categories: ["Toys", "Building"], attributes: ["wood", "toddler", "color:red"] });
    expect(byId.get("i2")!.attributes).toEqual(["toddler", "wood", "cardboard", "color:blue", "color:red"]);
    await expect(loadDataset({ interactions: [data], items, attributeColumns: ["size"] })).rejects.toThrow(/--attribute-columns: no column "size"; columns found: id, title, categories, tags, color/);
  });

  it("reads attributes from JSON-lines catalogues too", async () => {
    const data = fx.write("attr-ratings2.csv", "user,item,rating\nu1,i1,5\nu2,i2,3\n");
    const items = fx.write("attr-items.jsonl", '{"id":"i1","attributes":[17,4],"material":"wood"}\n{"id":"i2","tags":"4|9"}\n');
    const d = await loadDataset({ interactions: [data], items, itemsFormat: "json", attributeColumns: ["material"] });
    expect(d.items.find((m) => m.id === "i1")!.attributes).toEqual(["17", "4", "material:wood"]);
    expect(d.items.find((m) => m.id === "i2")!.attributes).toEqual(["4", "9"]);
  });

  it("each attribute is one feature whatever its position, with no path features", () => {
    const items = [
      { id: "a", attributes: ["x", "y"], categories: ["T", "B"] },
      { id: "b", attributes: ["y", "x"], categories: ["T", "B"] },
    ];
    const { matrix, names } = buildItemFeatures(items, { sets: ["attributes"], minCount: 1 });
    const of = (i: number) => Array.from(rowIndices(matrix, i), (c) => names[c]).sort();
    expect(of(0)).toEqual(["attr:x", "attr:y"]);
    expect(of(1)).toEqual(of(0));
    const withCats = buildItemFeatures(items, { sets: ["categories"], minCount: 1 });
    expect(withCats.names).toContain("path:T>B");
  });
});
