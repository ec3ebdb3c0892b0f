/** A served artifact's items written as JSON bytes (http/item-json.ts) agree with its plain-object view, cache full or not. */
import { describe, expect, it } from "vitest";
import { decodeArtifact, encodeArtifact, stringTable } from "../../../src/artifact/index.ts";
import { ItemJson, writeTitle } from "../../../src/http/item-json.ts";
import { JsonWriter } from "../../../src/http/json-writer.ts";
import { ServedArtifact } from "../../../src/store/served.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";

async function served(itemCacheBytes: number) {
  const a = syntheticArtifact({ items: 300, seed: 5 });
  // Titles that need JSON escaping and non-ASCII text must survive the byte copy.
  const titles = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `Crème "brûlée" \\ ${i}\n` : i % 3 === 1 ? `Äpfel 🍏 ${i}` : `Plain ${i}`));
  a.items.titles = stringTable(titles);
  return new ServedArtifact(await decodeArtifact(await encodeArtifact(a)), 0, 0, 0, itemCacheBytes);
}

describe("ItemJson.write", () => {
  it.each([["roomy cache", 1 << 20], ["cache that fills up", 2048]])("%s: every item's fields equal itemView", async (_, itemCacheBytes) => {
    const s = await served(itemCacheBytes);
    const json = ItemJson.of(s);
    expect(ItemJson.of(s)).toBe(json);
    const w = new JsonWriter();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < s.itemCount; i++) {
        w.reset().ascii("{");
        json.write(w, i);
        w.ascii("}");
        expect(JSON.parse(new TextDecoder().decode(w.view()))).toEqual(s.itemView(i));
      }
    }
  });

  it("a title is the item's title as JSON, or its id when the title is empty", async () => {
    const a = syntheticArtifact({ items: 4, seed: 5 });
    a.items.titles = stringTable(["Crème \"brûlée\"", "", "Äpfel 🍏", ""]);
    const s = new ServedArtifact(await decodeArtifact(await encodeArtifact(a)), 0, 0, 0);
    const w = new JsonWriter();
    const titles = [0, 1, 2, 3].map((i) => {
      writeTitle(w.reset(), s, i);
      return JSON.parse(new TextDecoder().decode(w.view()));
    });
    expect(titles).toEqual(["Crème \"brûlée\"", s.itemId(1), "Äpfel 🍏", s.itemId(3)]);
  });

  it("scores are written with at most 4 decimals", () => {
    const w = new JsonWriter();
    const cases: [number, string][] = [[0, "0"], [0.5, "0.5"], [-0.0625, "-0.0625"], [1.23456, "1.2346"], [-3.99999, "-4"], [197, "197"], [NaN, "null"]];
    for (const [x, text] of cases) expect(new TextDecoder().decode(w.reset().fixed4(x).view())).toBe(text);
  });
});
