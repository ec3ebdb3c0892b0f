import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sharedDataRoot as DATA } from "../../../bench/lib/data-root.ts";
import { loadDataset, loadSplitFiles } from "../../../trainer/data/load.ts";

const ML = join(DATA, "movielens-100k");
const GROCERY = join(DATA, "amazon-grocery-2014-5core");
const GIFT = join(DATA, "amazon-gift-cards-2018");
const MAG = join(DATA, "amazon-magazine-subscriptions-2018");

describe.skipIf(!existsSync(join(ML, "u.data.gz")))("real data: MovieLens 100k", () => {
  it("u.data: 100,000 ratings, 943 × 1682, with genres and user features", async () => {
    const d = await loadDataset({ interactions: [join(ML, "u.data.gz")], items: join(ML, "u.item.gz"), userFeatures: join(ML, "u.user.gz") });
    expect(d.interactions.users.length).toBe(100_000);
    expect(d.interactions.userIds.length).toBe(943);
    expect(d.interactions.itemIds.length).toBe(1682);
    expect(d.reports[0]).toMatchObject({ rowsRead: 100_000, accepted: 100_000, rejected: 0, duplicatesMerged: 0 });
    const byId = new Map(d.items.map((i) => [i.id, i]));
    expect(byId.get("1")).toMatchObject({ title: "Toy Story (1995)", categories: ["Animation", "Children's", "Comedy"] });
    expect(d.items.some((i) => i.title?.includes("Misérables"))).toBe(true);
    expect(d.userFeatures?.size).toBe(943);
    expect(d.userFeatures?.get("1")).toEqual(["age:18-24", "gender:M", "occupation:technician"]);
  });

  it("ua.base + ua.test share one id space (90,570 + 9,430)", async () => {
    const s = await loadSplitFiles({ train: join(ML, "ua.base.gz"), test: join(ML, "ua.test.gz") });
    expect(s.train.users.length).toBe(90_570);
    expect(s.test!.users.length).toBe(9_430);
    expect(s.train.userIds.length).toBe(943);
    expect(s.train.itemIds.length).toBe(1682);
    expect(s.test!.itemIds).toBe(s.train.itemIds);
  });
});

describe.skipIf(!existsSync(join(GROCERY, "train.csv.gz")))("real data: Amazon Grocery 2014 5-core (ReChorus)", () => {
  it("train/dev/test + item_meta in one id space", async () => {
    const s = await loadSplitFiles(
      { train: join(GROCERY, "train.csv.gz"), dev: join(GROCERY, "dev.csv.gz"), test: join(GROCERY, "test.csv.gz") },
      { items: join(GROCERY, "item_meta.csv.gz") },
    );
    expect(s.train.users.length).toBe(121_892);
    expect(s.dev!.users.length).toBe(14_681);
    expect(s.test!.users.length).toBe(14_681);
    expect(s.train.userIds.length).toBe(14_681);
    expect(s.train.itemIds.length).toBe(8_713);
    expect(s.dataset.items.length).toBe(8_713);
    expect(s.dataset.items.filter((i) => i.categories).length).toBe(364);
    expect(s.dataset.items.filter((i) => i.alsoBuy).length).toBe(7_999);
    expect(s.dataset.items.filter((i) => i.alsoView).length).toBe(7_994);
    expect(s.dataset.reports.every((r) => r.rejected === 0 && r.duplicatesMerged === 0)).toBe(true);
  });
});

describe.skipIf(!existsSync(join(GIFT, "Gift_Cards_5.json.gz")))("real data: Amazon Gift Cards 2018", () => {
  it("2,972 reviews → 2,965 after merging 7 duplicate rows; 148 reviewed items all with metadata", async () => {
    const d = await loadDataset({ interactions: [join(GIFT, "Gift_Cards_5.json.gz")], items: join(GIFT, "meta_Gift_Cards.json.gz") });
    expect(d.reports[0]).toMatchObject({ rowsRead: 2972, accepted: 2965, duplicatesMerged: 7, rejected: 0 });
    expect(d.interactions.users.length).toBe(2965);
    expect(d.interactions.userIds.length).toBe(458);
    const reviewed = d.items.slice(0, 148);
    expect(d.extra?.catalogueOnlyItems).toBe(1547 - 148);
    expect(reviewed.every((i) => i.title && !i.title.includes("<"))).toBe(true);
    expect(reviewed.filter((i) => i.brand).length).toBe(119);
    expect(d.reports[1].notes?.some((n) => /no metadata record/.test(n))).toBe(false);
  });

  it("the imageURL variant gives the same images", async () => {
    const a = await loadDataset({ interactions: [join(GIFT, "Gift_Cards_5.json.gz")], items: join(GIFT, "meta_Gift_Cards.json.gz") });
    const b = await loadDataset({ interactions: [join(GIFT, "Gift_Cards_5.json.gz")], items: join(GIFT, "meta-variant-imageURL/meta_Gift_Cards.json.gz") });
    expect(b.items.map((i) => i.imageUrl)).toEqual(a.items.map((i) => i.imageUrl));
    expect(a.items.slice(0, 148).filter((i) => i.imageUrl).length).toBe(116);
  });
});

describe.skipIf(!existsSync(join(MAG, "Magazine_Subscriptions_5.json.gz")))("real data: Amazon Magazine Subscriptions 2018 (messy)", () => {
  it("merges 73 repeated pairs, reports the 6 items without metadata and rejects HTML titles / CSS prices", async () => {
    const d = await loadDataset({ interactions: [join(MAG, "Magazine_Subscriptions_5.json.gz")], items: join(MAG, "meta_Magazine_Subscriptions.json.gz") });
    expect(d.reports[0]).toMatchObject({ rowsRead: 2375, accepted: 2302, duplicatesMerged: 73, rejected: 0 });
    expect(d.interactions.itemIds.length - (d.extra?.catalogueOnlyItems ?? 0)).toBe(157);
    const meta = d.reports[1];
    expect(meta).toMatchObject({ rowsRead: 3385, accepted: 2320, duplicatesMerged: 1065, rejected: 0 });
    const note = meta.notes?.find((n) => /no metadata record/.test(n)) ?? "";
    expect(note).toMatch(/^6 of 157 items/);
    for (const asin of ["B000IMVNQU", "B001684M22", "B00EVV77A0", "B00EZB37X2", "B00I8P3HR2", "B000ZLY992"]) expect(note).toContain(asin);
    const reasons = meta.fieldIssues!.map((p) => p.reason).join("\n");
    expect(reasons).toMatch(/title .* HTML fragment/);
    expect(d.items.every((i) => !i.title || !/[<>]/.test(i.title))).toBe(true);
    const reviewed = d.items.slice(0, 157);
    expect(reviewed.filter((i) => i.title).length).toBe(3);
    expect(d.items.every((i) => i.price === undefined || Number.isFinite(i.price))).toBe(true);
    // 16 distinct products carry CSS/JS text as their price; none has a real one.
    expect(meta.notes?.join("\n")).toMatch(/fields ignored \(rows kept\): \d+ title, 16 price/);
    expect(d.items.filter((i) => i.price !== undefined).length).toBe(0);
  });
});
