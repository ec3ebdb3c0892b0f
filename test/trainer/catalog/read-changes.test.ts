import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readChanges } from "../../../trainer/catalog/read-changes.ts";

const dir = mkdtempSync(join(tmpdir(), "edgerec-changes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("readChanges", () => {
  it("reads CSV rows into writes and reports each bad row with its line and reason", async () => {
    const path = file(
      "changes.csv",
      [
        "id,op,in_stock,price,title,categories",
        "A1,,false,,,",
        "A2,patch,true,3.49,Oat Milk 1L,Beverages > Plant Milk",
        "A3,frobnicate,true,,,",
        "A4,,maybe,,,",
        ",,true,,,",
        "A5,put,,-2,,",
        "A6,delete,,,,",
        'A7,put,,2,"Barista, 1L",Beverages',
      ].join("\n"),
    );
    const read = await readChanges(path);
    expect(read.rows).toBe(8);
    expect(read.writes).toEqual([
      { id: "A1", op: "patch", change: { inStock: false } },
      { id: "A2", op: "patch", change: { inStock: true, price: 3.49, title: "Oat Milk 1L", categories: ["Beverages", "Plant Milk"] } },
      { id: "A6", op: "delete" },
      { id: "A7", op: "put", change: { price: 2, title: "Barista, 1L", categories: ["Beverages"] } },
    ]);
    expect(read.problems.map((p) => p.line)).toEqual([4, 5, 6, 7]);
    expect(read.problems[0].reason).toMatch(/op "frobnicate"/);
    expect(read.problems[1].reason).toMatch(/inStock "maybe"/);
    expect(read.problems[2].reason).toMatch(/id: missing/);
    expect(read.problems[3].reason).toMatch(/price/);
  });

  it("reads JSON lines, with categories as an array or a path, and reports bad lines", async () => {
    const path = file(
      "changes.jsonl",
      [
        '{"id":"B1","inStock":false}',
        "",
        '{"id":"B2","op":"put","title":"New Granola","brand":"Kind","categories":"Breakfast > Cereal","price":4.5}',
        "{not json",
        '{"id":"B3","colour":"red"}',
        "[1,2]",
      ].join("\n"),
    );
    const read = await readChanges(path);
    expect(read.rows).toBe(5);
    expect(read.writes).toEqual([
      { id: "B1", op: "patch", change: { inStock: false } },
      { id: "B2", op: "put", change: { title: "New Granola", brand: "Kind", categories: ["Breakfast", "Cereal"], price: 4.5 } },
    ]);
    expect(read.problems.map((p) => [p.line, p.reason])).toEqual([
      [4, expect.stringMatching(/^not JSON/)],
      [5, expect.stringMatching(/colour|Unrecognized/)],
      [6, expect.stringMatching(/^expected a JSON object/)],
    ]);
  });
});
