import { afterAll, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { loadDataset } from "../../../trainer/data/load.ts";
import { InputError } from "../../../trainer/data/types.ts";
import { fixtureDir } from "./fixtures.ts";

const fx = fixtureDir();
afterAll(() => fx.cleanup());

async function inputError(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error("expected an InputError");
}

function rows(n: number, make: (k: number) => string): string {
  return Array.from({ length: n }, (_, k) => make(k)).join("\n") + "\n";
}

describe("bad input", () => {
  it("missing file", async () => {
    const e = await inputError(loadDataset({ interactions: [fx.dir + "/nope.csv"] }));
    expect(e.message).toMatch(/nope\.csv: file not found/);
  });

  it("empty file, and a file with only a header", async () => {
    expect((await inputError(loadDataset({ interactions: [fx.write("empty.csv", "")] }))).message).toMatch(/file is empty/);
    expect((await inputError(loadDataset({ interactions: [fx.write("hdr.csv", "user_id,item_id\n")] }))).message).toMatch(/no data rows/);
  });

  it("truncated gzip", async () => {
    const gz = gzipSync(Buffer.from(rows(5000, (k) => `${k % 50}\t${k}\t3\t${1e9 + k}`)));
    const file = fx.write("cut.tsv.gz", gz.subarray(0, Math.floor(gz.length / 2)));
    const e = await inputError(loadDataset({ interactions: [file] }));
    expect(e.message).toMatch(/cut\.tsv\.gz: compressed data is truncated/);
    expect(e.message).toMatch(/how to fix/);
  });

  it("wrong delimiter names the one that would work", async () => {
    const file = fx.write("tabs.tsv", rows(10, (k) => `${k}\t${k + 1}\t4\t${1e9 + k}`));
    const e = await inputError(loadDataset({ interactions: [file], delimiter: "," }));
    expect(e.message).toMatch(/every row has 1 column with delimiter ','; did you mean --delimiter '\\t'\?/);
  });

  it("missing required column names it and lists the columns found", async () => {
    const file = fx.write("cols.csv", "customer,product_name,stars\na,b,1\n");
    const e = await inputError(loadDataset({ interactions: [file], columns: { user: "customer", item: "sku" } }));
    expect(e.message).toMatch(/missing item column "sku"; columns found: customer, product_name, stars/);
    const e2 = await inputError(loadDataset({ interactions: [fx.write("cols2.csv", "who,what\nu1,i1\n")] }));
    expect(e2.message).toMatch(/missing user column .*columns found: who, what/);
  });

  it("non-numeric ratings are rejected with file and line; above the error ratio the run fails", async () => {
    const content = "user,item,rating\n" + rows(9, (k) => `u${k},i${k},4`) + "u9,i9,five\n";
    const file = fx.write("ratings.csv", content);
    const e = await inputError(loadDataset({ interactions: [file] }));
    expect(e.message).toMatch(/1 of 10 rows rejected \(10\.0% > allowed 1\.0%\)/);
    expect(e.message).toMatch(/line 11: rating "five" is not a number/);
    const d = await loadDataset({ interactions: [file], maxErrorRatio: 0.2 });
    expect(d.reports[0]).toMatchObject({ rowsRead: 10, accepted: 9, rejected: 1 });
    expect(d.reports[0].problems[0]).toEqual({ file, line: 11, reason: 'rating "five" is not a number' });
  });

  it("a few bad rows below the ratio are reported, not fatal", async () => {
    const content = rows(300, (k) => (k === 100 ? "only-one-field" : `u${k % 7}\ti${k}\t${(k % 5) + 1}`));
    const d = await loadDataset({ interactions: [fx.write("few.tsv", content)] });
    expect(d.reports[0]).toMatchObject({ rowsRead: 300, accepted: 299, rejected: 1 });
    expect(d.reports[0].problems[0].line).toBe(101);
  });

  it("an absurdly long line is rejected by number without buffering it", async () => {
    const long = "x".repeat(3000);
    const content = rows(200, (k) => (k === 50 ? `u1\t${long}\t3` : `u${k}\ti${k}\t3`));
    const d = await loadDataset({ interactions: [fx.write("long.tsv", content)], maxLineBytes: 1024, maxErrorRatio: 0.05 });
    expect(d.reports[0]).toMatchObject({ rowsRead: 200, accepted: 199, rejected: 1 });
    expect(d.reports[0].problems[0]).toMatchObject({ line: 51 });
    expect(d.reports[0].problems[0].reason).toMatch(/longer than 1024 bytes/);
  });

  it("a file that is one huge line fails with the line named", async () => {
    const e = await inputError(loadDataset({ interactions: [fx.write("one.json", "[" + "1,".repeat(5000) + "1]")], format: "amazon-reviews", maxLineBytes: 1024 }));
    expect(e.message).toMatch(/line 1: line longer than 1024 bytes/);
  });

  it("invalid UTF-8 is reported with an encoding hint", async () => {
    const body = Buffer.concat([Buffer.from("user,item\n"), Buffer.from(rows(20, (k) => `u${k},i${k}`)), Buffer.from("u\xe9,caf\xe9\n", "latin1")]);
    const file = fx.write("latin.csv", body);
    const e = await inputError(loadDataset({ interactions: [file] }));
    expect(e.message).toMatch(/line 22: invalid UTF-8 bytes; .*--encoding latin1/);
    const d = await loadDataset({ interactions: [file], encoding: "latin1" });
    expect(d.interactions.userIds).toContain("ué");
  });

  it("malformed JSON lines are counted per line", async () => {
    const good = rows(200, (k) => JSON.stringify({ reviewerID: `U${k % 9}`, asin: `A${k}`, overall: 5, unixReviewTime: 1e9 }));
    const file = fx.write("reviews.json", good + '{"reviewerID": "X", "asin": \n{"asin": "A1", "overall": 3}\n');
    const d = await loadDataset({ interactions: [file], maxErrorRatio: 0.05 });
    expect(d.reports[0]).toMatchObject({ rowsRead: 202, accepted: 200, rejected: 2 });
    expect(d.reports[0].problems.map((p) => [p.line, p.reason.split(":")[0]])).toEqual([[201, "not a JSON object"], [202, "missing reviewerID"]]);
  });

  it("a bad CSV quote in the competition layout is one rejected record", async () => {
    const head = "overall,asin,reviewText,userid,itemid,rating\n";
    const body = rows(150, (k) => `5.0,B${k},"text ${k}",${k % 9},${k},1.0`);
    const file = fx.write("comp.csv", head + body + '4.0,Bx,"never closed,1,2,1.0\n');
    const d = await loadDataset({ interactions: [file], maxErrorRatio: 0.05 });
    expect(d.reports[0].accepted).toBe(150);
    expect(d.reports[0].rejected).toBe(1);
  });
});

describe("files that are not text", () => {
  it("names broken zip archives and UTF-16 text with what to do", async () => {
    const zip = fx.write("train.csv.zip", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]));
    const e = await inputError(loadDataset({ interactions: [zip] }));
    expect(e.message).toMatch(/train\.csv\.zip: zip archive is truncated or corrupt.*\n.*how to fix/);
    const utf16 = fx.write("u16.csv", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("user,item\nu,i\n", "utf16le")]));
    expect((await inputError(loadDataset({ interactions: [utf16] }))).message).toMatch(/UTF-16.*\n.*iconv/);
  });
});
