import { afterAll, describe, expect, it } from "vitest";
import { loadSequences } from "../../../../trainer/data/readers/sequences.ts";
import { leaveLastOut } from "../../../../trainer/eval/splits.ts";
import { InputError } from "../../../../trainer/data/types.ts";
import { fixtureDir } from "../fixtures.ts";
import { createRng } from "../../../../trainer/util/rng.ts";

const fx = fixtureDir();
afterAll(() => fx.cleanup());

/** Each user's item ids in the order the reader gives them. */
function sequences(d: Awaited<ReturnType<typeof loadSequences>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const x = d.interactions;
  for (let u = 0; u < x.userIds.length; u++) {
    const seq: string[] = [];
    for (let k = d.userStart[u]; k < d.userStart[u + 1]; k++) {
      expect(x.users[k]).toBe(u);
      expect(d.positions[k]).toBe(k - d.userStart[u]);
      seq.push(x.itemIds[x.items[k]]);
    }
    out.set(x.userIds[u], seq);
  }
  return out;
}

describe("sequence files (user item item … per line)", () => {
  it("reads a generated gzipped file back in order, with positions as times", async () => {
    const rng = createRng(7);
    const expected = new Map<string, string[]>();
    const lines: string[] = [];
    for (let u = 1; u <= 200; u++) {
      const len = 5 + rng.int(20);
      const seq = Array.from({ length: len }, () => String(1 + rng.int(300)));
      expected.set(String(u), seq);
      lines.push(`${u} ${seq.join(rng.next() < 0.5 ? " " : "\t")}`);
    }
    const file = fx.write("Gen.txt", lines.join("\n") + "\n", { gzip: true });
    const d = await loadSequences(file);
    expect(sequences(d)).toEqual(expected);
    const total = [...expected.values()].reduce((s, q) => s + q.length, 0);
    expect(d.interactions.users.length).toBe(total);
    expect(Array.from(d.interactions.times)).toEqual(Array.from(d.positions));
    expect(Array.from(d.interactions.ratings).every(Number.isNaN)).toBe(true);
    expect(d.reports[0]).toMatchObject({ rowsRead: 200, accepted: 200, rejected: 0 });
  });

  it("leave-last-out on the result takes the last item as test and the one before as dev", async () => {
    const file = fx.write("s.txt", "u1 10 11 12 13 14\nu2 20 21 22\n");
    const d = await loadSequences(file);
    const split = leaveLastOut(d.interactions, { dev: true });
    const name = (x: typeof split.test, k: number) => `${x.userIds[x.users[k]]}:${x.itemIds[x.items[k]]}`;
    expect(Array.from({ length: split.test.users.length }, (_, k) => name(split.test, k)).sort()).toEqual(["u1:14", "u2:22"]);
    expect(Array.from({ length: split.dev!.users.length }, (_, k) => name(split.dev!, k)).sort()).toEqual(["u1:13", "u2:21"]);
    expect(split.train.users.length).toBe(4);
  });

  it("keeps repeated items in order and says so; rejects item-less lines and repeated users with their line", async () => {
    const good = Array.from({ length: 300 }, (_, u) => `${u + 10} 1 2 3`);
    const file = fx.write("bad.txt", ["a 1 2 1", "b", "a 3 4", ...good].join("\n"));
    const d = await loadSequences(file, { maxErrorRatio: 0.05 });
    expect(sequences(d).get("a")).toEqual(["1", "2", "1"]);
    const r = d.reports[0];
    expect(r).toMatchObject({ rowsRead: 303, accepted: 301, rejected: 2 });
    expect(r.problems.map((p) => p.line)).toEqual([2, 3]);
    expect(r.problems[0].reason).toMatch(/has no items/);
    expect(r.problems[1].reason).toMatch(/already has a sequence on line 1/);
    expect(r.notes?.join(" ")).toMatch(/1 repeated items kept/);
  });

  it("fails with a clear error when most lines are not sequences", async () => {
    const file = fx.write("wrong.txt", "a\nb\nc 1\n");
    await expect(loadSequences(file)).rejects.toThrow(/2 of 3 rows rejected[\s\S]*how to fix: each line must be `user item item …`/);
  });

  it("reads the item2attributes object aligned with the item ids, reporting bad entries and gaps", async () => {
    const seq = fx.write("t.txt", "1 1 2 3\n2 2 3 4\n");
    const entries: Record<string, unknown> = { "1": [5, 6], "2": [6], "3": [], "9": [1] };
    for (let k = 100; k < 300; k++) entries[String(k)] = [k];
    entries["4"] = "brand";
    const attrs = fx.write("t_item2attributes.json", JSON.stringify(entries), { gzip: true });
    const d = await loadSequences(seq, { attributes: attrs });
    const byItem = Object.fromEntries(d.interactions.itemIds.map((id, i) => [id, d.itemAttributes![i]]));
    expect(byItem).toEqual({ "1": ["5", "6"], "2": ["6"], "3": [], "4": [] });
    const r = d.reports[1];
    expect(r).toMatchObject({ rejected: 1, accepted: 204 });
    expect(r.problems[0].reason).toMatch(/item "4": "brand" is not a list of attribute ids/);
    expect(r.notes).toEqual(["201 items have attributes but appear in no sequence (ignored)", "1 sequence items have no attribute entry"]);
  });

  it("refuses an attribute file that is not one JSON object", async () => {
    const seq = fx.write("t2.txt", "1 1 2\n");
    const attrs = fx.write("arr.json", "[1, 2]");
    await expect(loadSequences(seq, { attributes: attrs })).rejects.toThrow(InputError);
    await expect(loadSequences(seq, { attributes: attrs })).rejects.toThrow(/expected one JSON object, found an array/);
    const broken = fx.write("broken.json", "{\"1\": [1,");
    await expect(loadSequences(seq, { attributes: broken })).rejects.toThrow(/not valid JSON/);
  });
});
