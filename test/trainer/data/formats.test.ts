import { afterAll, describe, expect, it } from "vitest";
import { loadDataset, loadSplitFiles } from "../../../trainer/data/load.ts";
import { interactionsToCsr } from "../../../trainer/data/interactions-matrix.ts";
import { sniffInteractionFormat, sniffItemsFormat } from "../../../trainer/data/sniff.ts";
import type { Interactions } from "../../../trainer/data/types.ts";
import { fixtureDir, zipArchive } from "./fixtures.ts";

const fx = fixtureDir();
afterAll(() => fx.cleanup());

/** (user, item) → rating, for order-independent assertions. */
function pairs(x: Interactions): Map<string, number> {
  const m = new Map<string, number>();
  for (let k = 0; k < x.users.length; k++) m.set(`${x.userIds[x.users[k]]}/${x.itemIds[x.items[k]]}`, x.ratings[k]);
  return m;
}

describe("delimited interactions", () => {
  it("reads a MovieLens-style gzipped tab file without header (named .txt: gzip is found by magic bytes)", async () => {
    const file = fx.write("u.data.txt", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t5\t881250950\n", { gzip: true });
    expect(await sniffInteractionFormat(file)).toBe("delimited");
    const d = await loadDataset({ interactions: [file] });
    expect(d.interactions.userIds).toEqual(["196", "186"]);
    expect(d.interactions.itemIds).toEqual(["242", "302"]);
    expect(pairs(d.interactions)).toEqual(new Map([["196/242", 3], ["196/302", 5], ["186/302", 3]]));
    expect(Array.from(d.interactions.times).sort()).toEqual([881250949, 881250950, 891717742]);
    expect(d.reports[0]).toMatchObject({ rowsRead: 3, accepted: 3, rejected: 0, duplicatesMerged: 0 });
    expect(d.items.map((i) => i.id)).toEqual(["242", "302"]);
  });

  it("reads the ReChorus CSV (header user_id,item_id,time, CRLF) as implicit feedback", async () => {
    const file = fx.write("train.csv", "user_id,item_id,time\r\n2177,3,965779200\r\n2177,5,965779300\r\n14,3,1000000000\r\n");
    const d = await loadDataset({ interactions: [file] });
    expect(d.interactions.users.length).toBe(3);
    expect(Array.from(d.interactions.ratings).every(Number.isNaN)).toBe(true);
    expect(Array.from(d.interactions.times)).toContain(965779200);
  });

  it("takes columns by name or position, with another delimiter and latin1", async () => {
    const file = fx.write("x.csv", Buffer.from("ts;rating;item;who\n5;4.5;caf\xe9;u1\n6;2;tea;u2\n", "latin1"));
    const d = await loadDataset({ interactions: [file], columns: { user: "who", item: 2, rating: "rating", time: "ts" }, encoding: "latin1" });
    expect(d.interactions.itemIds).toEqual(["café", "tea"]);
    expect(pairs(d.interactions).get("u1/café")).toBe(4.5);
  });

  it("reads a MovieLens 1M '::' file", async () => {
    const file = fx.write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n");
    const d = await loadDataset({ interactions: [file] });
    expect(pairs(d.interactions)).toEqual(new Map([["1/1193", 5], ["1/661", 3]]));
  });
});

describe("duplicates, k-core and matrices", () => {
  const rows = "u\ti\tr\tt\na\tx\t1\t10\na\tx\t5\t30\na\tx\t3\t20\nb\tx\t4\t5\n";
  it.each([
    ["latest", 5],
    ["first", 1],
    ["last", 3],
    ["max", 5],
    ["mean", 3],
  ] as const)("rule %s", async (rule, expected) => {
    const file = fx.write(`dup-${rule}.tsv`, rows);
    const d = await loadDataset({ interactions: [file], duplicates: rule });
    expect(pairs(d.interactions).get("a/x")).toBe(expected);
    expect(d.reports[0]).toMatchObject({ rowsRead: 4, accepted: 2, duplicatesMerged: 2 });
  });

  it("keeps the later row when times tie under 'latest'", async () => {
    const file = fx.write("tie.tsv", "a\tx\t1\t10\na\tx\t2\t10\n");
    const d = await loadDataset({ interactions: [file] });
    expect(pairs(d.interactions).get("a/x")).toBe(2);
  });

  it("applies an iterative k-core and reports it", async () => {
    // u3 has 1 interaction; removing it leaves item z with 1, which then goes too.
    const file = fx.write("core.tsv", ["u1\tx", "u1\ty", "u2\tx", "u2\ty", "u2\tz", "u3\tz"].join("\n") + "\n");
    const d = await loadDataset({ interactions: [file], kCore: 2 });
    expect(d.interactions.userIds).toEqual(["u1", "u2"]);
    expect(d.interactions.itemIds).toEqual(["x", "y"]);
    expect(d.interactions.users.length).toBe(4);
    expect(d.reports[0].notes?.join()).toMatch(/2-core .* removed 2 interactions, 1 users, 1 items/);
  });

  it("builds CSR matrices with ones, ratings, ±1 labels and positives", async () => {
    const file = fx.write("csr.tsv", "a\tx\t5\na\ty\t2\nb\ty\t4\n");
    const d = await loadDataset({ interactions: [file] });
    const ones = interactionsToCsr(d.interactions);
    expect(ones.nRows).toBe(2);
    expect(ones.nCols).toBe(2);
    expect(Array.from(ones.data)).toEqual([1, 1, 1]);
    expect(Array.from(interactionsToCsr(d.interactions, { kind: "rating" }).data)).toEqual([5, 2, 4]);
    expect(Array.from(interactionsToCsr(d.interactions, { kind: "labels", threshold: 4 }).data)).toEqual([1, -1, 1]);
    const pos = interactionsToCsr(d.interactions, { kind: "positives", threshold: 4 });
    expect(Array.from(pos.indptr)).toEqual([0, 1, 2]);
  });
});

describe("Amazon 2018 JSON lines", () => {
  const reviews = [
    { overall: 5.0, verified: true, reviewTime: "06 17, 2018", reviewerID: "U1", asin: "A1", style: { "Gift Amount:": " 50" }, reviewerName: "x", reviewText: "Great", summary: "Five", unixReviewTime: 1529193600 },
    { overall: 2.0, verified: false, reviewTime: "01 02, 2017", reviewerID: "U2", asin: "A1", summary: "meh", vote: "3" },
    { overall: 4.0, reviewerID: "U2", asin: "A3", unixReviewTime: 1500000000, image: ["http://i"] },
  ];
  const meta = [
    { category: ["Gift Cards", "Gift Cards &amp; More"], description: ["<b>Nice</b> card", "second"], title: "Card &amp; Co $100", also_buy: ["A3"], image: ["http://img/1.jpg"], brand: "Acme", also_view: [], main_cat: "Gift Cards", price: "$25.00", asin: "A1", rank: [] },
    { title: '<span class="a-size-medium a-color-secondary"', price: ".a-box-inner{background-color:#fff}", asin: "A2", imageURL: ["http://img/2.jpg"], category: [] },
    { title: "Only in catalogue", price: "", asin: "A4" },
    { title: "Repeated", asin: "A4" },
  ];

  it("reads gzipped reviews and metadata, cleans HTML, rejects CSS prices and appends catalogue-only items", async () => {
    const rf = fx.write("Gift_5.json.gz", reviews.map((r) => JSON.stringify(r)).join("\n") + "\n", { gzip: true });
    const mf = fx.write("meta_Gift.json.gz", meta.map((r) => JSON.stringify(r)).join("\n") + "\n", { gzip: true });
    expect(await sniffInteractionFormat(rf)).toBe("amazon-reviews");
    expect(await sniffItemsFormat(mf)).toBe("amazon-meta");
    const d = await loadDataset({ interactions: [rf], items: mf });
    expect(d.interactions.itemIds).toEqual(["A1", "A3", "A2", "A4"]);
    expect(d.items.map((i) => i.id)).toEqual(d.interactions.itemIds);
    expect(d.extra?.catalogueOnlyItems).toBe(2);
    expect(d.items[0]).toEqual({
      id: "A1",
      title: "Card & Co $100",
      brand: "Acme",
      categories: ["Gift Cards", "Gift Cards & More"],
      price: 25,
      description: "Nice card second",
      imageUrl: "http://img/1.jpg",
      alsoBuy: ["A3"],
    });
    expect(d.items[1]).toEqual({ id: "A3" });
    expect(d.items[2]).toEqual({ id: "A2", imageUrl: "http://img/2.jpg" });
    // reviewTime is used when unixReviewTime is absent.
    const k = Array.from(d.interactions.users).findIndex((u, n) => d.interactions.userIds[u] === "U2" && d.interactions.itemIds[d.interactions.items[n]] === "A1");
    expect(d.interactions.times[k]).toBe(Date.UTC(2017, 0, 2) / 1000);
    const metaReport = d.reports[1];
    expect(metaReport).toMatchObject({ rowsRead: 4, accepted: 3, duplicatesMerged: 1, rejected: 0, fieldProblems: 2 });
    expect(metaReport.fieldIssues?.map((p) => p.reason).join("\n")).toMatch(/title .* HTML fragment[\s\S]*price .* not a price/);
    expect(metaReport.notes?.join("\n")).toMatch(/1 of 2 items with interactions have no metadata record .*A3/);
  });

  it("can leave catalogue-only items out", async () => {
    const rf = fx.write("r2.json", reviews.map((r) => JSON.stringify(r)).join("\n"));
    const mf = fx.write("m2.json", meta.map((r) => JSON.stringify(r)).join("\n"));
    const d = await loadDataset({ interactions: [rf], items: mf, includeCatalogueItems: false });
    expect(d.interactions.itemIds).toEqual(["A1", "A3"]);
  });
});

describe("Amazon 2014 release", () => {
  it("reads reviews_*.json and Python-literal meta_*.json with categories lists", async () => {
    const rf = fx.write("reviews_Toys_5.json", [
      JSON.stringify({ reviewerID: "R1", asin: "0000031852", reviewerName: "J", helpful: [0, 0], reviewText: "ok", overall: 4.0, summary: "s", unixReviewTime: 1400000000, reviewTime: "05 13, 2014" }),
      JSON.stringify({ reviewerID: "R2", asin: "0000031852", overall: 1.0, unixReviewTime: 1400000001 }),
    ].join("\n"));
    const mf = fx.write("meta_Toys.json", [
      `{'asin': '0000031852', 'title': "Girls' Ballet \\"Tutu\\"", 'price': 3.17, 'imUrl': 'http://ecx/x.jpg', 'related': {'also_bought': ['B00JHONN1S'], 'also_viewed': ['B002BZX8Z6', 'B00JHONN1S']}, 'brand': 'Coxlures', 'categories': [['Sports & Outdoors', 'Other Sports', 'Dance'], ['Toys']]}`,
      `{'asin': 'B00JHONN1S', 'description': 'A \\'quoted\\' text', 'categories': [[]]}`,
    ].join("\n"));
    expect(await sniffItemsFormat(mf)).toBe("amazon-meta");
    const d = await loadDataset({ interactions: [rf], items: mf });
    expect(d.items[0]).toEqual({
      id: "0000031852",
      title: 'Girls\' Ballet "Tutu"',
      brand: "Coxlures",
      categories: ["Sports & Outdoors", "Other Sports", "Dance"],
      price: 3.17,
      imageUrl: "http://ecx/x.jpg",
      alsoBuy: ["B00JHONN1S"],
      alsoView: ["B002BZX8Z6", "B00JHONN1S"],
    });
    expect(d.items[1]).toEqual({ id: "B00JHONN1S", description: "A 'quoted' text" });
  });
});

describe("competition CSV", () => {
  const train =
    ",overall,verified,reviewTime,asin,reviewerName,reviewText,summary,unixReviewTime,vote,style,image,userid,itemid,rating\n" +
    `0,5.0,True,"06 17, 2018",B001,Ann,"Great coffee,\nwould buy ""again""",Yum,1529193600,,"{'Size:': ' 12'}",,10,100,1.0\n` +
    `1,3.0,False,"01 02, 2017",B002,Bob,"Multi\nline\ntext",Meh,1483315200,2,,,11,101,0.0\n` +
    `2,4.0,True,"01 03, 2017",B002,Ann,ok,Fine,1483401600,,,,10,101,1.0\n`;
  const test = "verified,reviewTime,asin,reviewerName,unixReviewTime,vote,style,image,userid,itemid,Id\n" +
    `True,"06 17, 2018",B001,Bob,1529193600,,,,11,100,0\n` +
    `True,"06 18, 2018",B003,Cy,1529280000,,,,12,102,1\n`;

  it("reads multi-line quoted reviews, an unnamed index column and overall as the rating", async () => {
    const tf = fx.write("train.csv", train);
    expect(await sniffInteractionFormat(tf)).toBe("competition-csv");
    const d = await loadDataset({ interactions: [tf] });
    expect(d.reports[0]).toMatchObject({ rowsRead: 3, accepted: 3, rejected: 0 });
    expect(pairs(d.interactions)).toEqual(new Map([["10/100", 5], ["11/101", 3], ["10/101", 4]]));
  });

  it("returns test rows with their Id in one id space with train", async () => {
    const tf = fx.write("train2.csv", train);
    const sf = fx.write("test.csv", test);
    const s = await loadSplitFiles({ train: tf, test: sf });
    expect(s.dataset.extra?.testRows?.ids).toEqual(["0", "1"]);
    const rows = s.dataset.extra!.testRows!;
    expect(s.train.userIds[rows.users[0]]).toBe("11");
    expect(s.train.itemIds[rows.items[0]]).toBe("100");
    expect(s.train.userIds[rows.users[1]]).toBe("12");
    expect(s.test!.userIds).toBe(s.train.userIds);
    expect(Array.from(s.test!.ratings).every(Number.isNaN)).toBe(true);
  });
});

describe("splits in one id space", () => {
  it("shares userIds/itemIds across train/dev/test and keeps dataset.interactions = train", async () => {
    const train = fx.write("s-train.csv", "user_id,item_id,time\r\n1,10,100\r\n1,11,101\r\n2,10,102\r\n");
    const dev = fx.write("s-dev.csv", "user_id,item_id,time\r\n1,12,103\r\n");
    const test = fx.write("s-test.csv", "user_id,item_id,time\r\n3,13,104\r\n");
    const s = await loadSplitFiles({ train, dev, test });
    expect(s.train.userIds).toEqual(["1", "2", "3"]);
    expect(s.train.itemIds).toEqual(["10", "11", "12", "13"]);
    expect(s.dev!.itemIds).toBe(s.train.itemIds);
    expect(s.test!.users.length).toBe(1);
    expect(s.dataset.interactions).toBe(s.train);
    expect(s.dataset.reports.map((r) => r.accepted)).toEqual([3, 1, 1]);
  });
});

describe("item metadata and user features", () => {
  it("reads MovieLens u.item (latin1, genre flags, u.genre next to it) and u.user", async () => {
    fx.write("u.genre", "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\nDocumentary|7\nDrama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\nRomance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n\n");
    const flags = (on: number[]) => Array.from({ length: 19 }, (_, k) => (on.includes(k) ? 1 : 0)).join("|");
    const item = fx.write("u.item", Buffer.from(`1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|${flags([3, 4, 5])}\n2|Les Mis\xe9rables (1995)|01-Jan-1995||http://x|${flags([8])}\n`, "latin1"));
    const user = fx.write("u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n");
    const data = fx.write("u.data", "1\t1\t5\t881250949\n2\t2\t3\t881250950\n2\t3\t3\t881250950\n");
    expect(await sniffItemsFormat(item)).toBe("movielens-item");
    const d = await loadDataset({ interactions: [data], items: item, userFeatures: user });
    expect(d.items[0]).toEqual({ id: "1", title: "Toy Story (1995)", url: "http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)", categories: ["Animation", "Children's", "Comedy"] });
    expect(d.items[1].title).toBe("Les Misérables (1995)");
    expect(d.items[2]).toEqual({ id: "3" });
    expect(d.userFeatures?.get("1")).toEqual(["age:18-24", "gender:M", "occupation:technician"]);
    expect(d.userFeatures?.get("2")).toEqual(["age:50-55", "gender:F", "occupation:other"]);
  });

  it("reads ReChorus item_meta.csv", async () => {
    const meta = fx.write("item_meta.csv", 'item_id,i_category,r_complement,r_substitute\r\n1,0,"[4, 2]","[2]"\r\n2,21,[],"[1]"\r\n');
    expect(await sniffItemsFormat(meta)).toBe("rechorus-meta");
    const data = fx.write("rc.csv", "user_id,item_id,time\r\n9,1,1\r\n");
    const d = await loadDataset({ interactions: [data], items: meta });
    expect(d.items).toEqual([
      { id: "1", alsoBuy: ["4", "2"], alsoView: ["2"] },
      { id: "2", categories: ["cat:21"], alsoView: ["1"] },
    ]);
  });

  it("reads a generic CSV catalogue with multi-line descriptions and a JSON-lines one", async () => {
    const csv = fx.write("catalog.csv", 'sku,name,brand,category,price,description,image_url,url\nP1,"Coffee, dark",Acme,Grocery > Coffee,$4.50,"Strong\nand dark",http://i/1,http://p/1\nP2,Tea,,Grocery|Tea,abc,,,\n');
    const data = fx.write("cat-int.csv", "user,item\nu,P1\nu,P2\n");
    const d = await loadDataset({ interactions: [data], items: csv });
    expect(d.items[0]).toEqual({ id: "P1", title: "Coffee, dark", brand: "Acme", categories: ["Grocery", "Coffee"], price: 4.5, description: "Strong and dark", imageUrl: "http://i/1", url: "http://p/1" });
    expect(d.items[1]).toEqual({ id: "P2", title: "Tea", categories: ["Grocery", "Tea"] });
    expect(d.reports[1].fieldProblems).toBe(1);

    const jl = fx.write("catalog.jsonl", [JSON.stringify({ id: "P1", title: "Coffee", categories: ["Grocery", "Coffee"], price: 4.5 }), JSON.stringify({ id: "P2", title: "Tea" })].join("\n"));
    expect(await sniffItemsFormat(jl)).toBe("json");
    const d2 = await loadDataset({ interactions: [data], items: jl });
    expect(d2.items[0]).toEqual({ id: "P1", title: "Coffee", categories: ["Grocery", "Coffee"], price: 4.5 });
  });
});

describe("user features from a table with a header", () => {
  it("turns every non-identifying column into column:value", async () => {
    const uf = fx.write("users.csv", "user_id,age,country,zip\nu1,31,DE,10115\nu2,,FR,\n");
    const data = fx.write("uf-int.csv", "user,item\nu1,x\nu2,x\n");
    const d = await loadDataset({ interactions: [data], userFeatures: uf });
    expect(d.userFeatures?.get("u1")).toEqual(["age:25-34", "country:DE"]);
    expect(d.userFeatures?.get("u2")).toEqual(["country:FR"]);
  });

  it("tells when a metadata file is passed as interactions", async () => {
    const mf = fx.write("meta_as_int.json", JSON.stringify({ asin: "A1", title: "x", also_buy: [] }) + "\n");
    await expect(loadDataset({ interactions: [mf] })).rejects.toThrow(/looks like product metadata.*\n.*--items/);
  });
});

describe("other JSON-lines interactions", () => {
  it("accepts user_id/item_id/rating/timestamp keys (ms or ISO times) and skips blank lines", async () => {
    const file = fx.write("events.jsonl", "\n" + [
      JSON.stringify({ user_id: "u1", item_id: "p1", rating: 4, timestamp: 1_600_000_000_000 }),
      "",
      JSON.stringify({ user_id: "u2", item_id: "p1", rating: 2, timestamp: "2020-09-13T12:26:40Z" }),
    ].join("\n") + "\n");
    const d = await loadDataset({ interactions: [file] });
    expect(pairs(d.interactions)).toEqual(new Map([["u1/p1", 4], ["u2/p1", 2]]));
    expect(Array.from(d.interactions.times)).toEqual([1_600_000_000, 1_600_000_000]);
    expect(d.reports[0]).toMatchObject({ rowsRead: 2, accepted: 2 });
  });

  it("finds the header of a delimited file after leading blank lines", async () => {
    const file = fx.write("blank-first.csv", "\n\nuser_id,item_id,rating\nu1,i1,5\n");
    const d = await loadDataset({ interactions: [file] });
    expect(pairs(d.interactions)).toEqual(new Map([["u1/i1", 5]]));
  });
});

describe("column defaults without a header", () => {
  it("puts rating and time in the free positions around given columns, and 'none' turns rating off", async () => {
    const file = fx.write("nohdr.tsv", "3\t881250949\t196\t242\n");
    const d = await loadDataset({ interactions: [file], columns: { user: 2, item: 3 } });
    expect(pairs(d.interactions)).toEqual(new Map([["196/242", 3]]));
    expect(d.interactions.times[0]).toBe(881250949);
    const d2 = await loadDataset({ interactions: [file], columns: { user: 2, item: 3, time: 1 } });
    expect(pairs(d2.interactions)).toEqual(new Map([["196/242", 3]]));
    expect(d2.interactions.times[0]).toBe(881250949);
    const ml = fx.write("ml-implicit.tsv", "196\t242\t3\t881250949\n");
    const d3 = await loadDataset({ interactions: [ml], columns: { rating: "none" } });
    expect(Number.isNaN(d3.interactions.ratings[0])).toBe(true);
    expect(d3.interactions.times[0]).toBe(881250949);
  });
});

describe("zip archives (as Kaggle ships competition files)", () => {
  it("streams the single file inside a zip", async () => {
    const body = "user_id,item_id,rating\n" + Array.from({ length: 2000 }, (_, k) => `u${k % 13},i${k},${(k % 5) + 1}`).join("\n") + "\n";
    const file = fx.write("train.csv.zip", zipArchive([{ name: "train.csv", content: body }]));
    const d = await loadDataset({ interactions: [file] });
    expect(d.reports[0]).toMatchObject({ rowsRead: 2000, accepted: 2000 });
    expect(d.interactions.userIds.length).toBe(13);
  });

  it("refuses an archive with several files, naming them", async () => {
    const file = fx.write("both.zip", zipArchive([{ name: "train.csv", content: "a,b\n" }, { name: "test.csv", content: "a,b\n" }]));
    await expect(loadDataset({ interactions: [file] })).rejects.toThrow(/zip archive holds 2 files \(train\.csv, test\.csv\); expected exactly one/);
  });
});

describe("MovieLens 1M layout", () => {
  it("reads ratings.dat, movies.dat and users.dat ('::')", async () => {
    const ratings = fx.write("ratings.dat", "1::1193::5::978300760\n2::1::3::978302109\n");
    const movies = fx.write("movies.dat", "1::Toy Story (1995)::Animation|Children's|Comedy\n1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n");
    const users = fx.write("users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n");
    expect(await sniffItemsFormat(movies)).toBe("movielens-item");
    const d = await loadDataset({ interactions: [ratings], items: movies, userFeatures: users });
    expect(d.items).toEqual([
      { id: "1193", title: "One Flew Over the Cuckoo's Nest (1975)", categories: ["Drama"] },
      { id: "1", title: "Toy Story (1995)", categories: ["Animation", "Children's", "Comedy"] },
    ]);
    expect(d.userFeatures?.get("1")).toEqual(["gender:F", "age:<18", "occupation:10"]);
    expect(d.userFeatures?.get("2")).toEqual(["gender:M", "age:56+", "occupation:16"]);
  });
});
