/** ServedArtifact's byte-level JSON writing agrees with its plain-object view, cache full or not. */
import { describe, expect, it } from "vitest";
import { decodeArtifact, encodeArtifact, stringTable } from "../../../src/artifact/format.ts";
import { JsonWriter } from "../../../src/http/json-writer.ts";
import { ServedArtifact } from "../../../src/store/served.ts";
import { syntheticArtifact } from "../../support/synthetic-artifact.ts";

async function served(arenaBytes: number) {
  const a = syntheticArtifact({ items: 300, seed: 5 });
  // Titles that need JSON escaping and non-ASCII text must survive the byte copy.
  const titles = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `Crème "brûlée" \\ ${i}\n` : i % 3 === 1 ? `Äpfel 🍏 ${i}` : `Plain ${i}`));
  a.items.titles = stringTable(titles);
  return new ServedArtifact(await decodeArtifact(await encodeArtifact(a)), 0, 0, 0, arenaBytes);
}

describe("ServedArtifact.writeItem", () => {
  it.each([["roomy cache", 1 << 20], ["cache that fills up", 2048]])("%s: every item's fields equal itemView", async (_, arenaBytes) => {
    const s = await served(arenaBytes);
    const w = new JsonWriter();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < s.itemCount; i++) {
        w.reset().ascii("{");
        s.writeItem(w, i);
        w.ascii("}");
        expect(JSON.parse(new TextDecoder().decode(w.view()))).toEqual(s.itemView(i));
      }
    }
  });

  it("scores are written with at most 4 decimals", () => {
    const w = new JsonWriter();
    const cases: [number, string][] = [[0, "0"], [0.5, "0.5"], [-0.0625, "-0.0625"], [1.23456, "1.2346"], [-3.99999, "-4"], [197, "197"], [NaN, "null"]];
    for (const [x, text] of cases) expect(new TextDecoder().decode(w.reset().fixed4(x).view())).toBe(text);
  });
});
