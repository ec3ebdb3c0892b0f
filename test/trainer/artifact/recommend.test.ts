import { beforeAll, describe, expect, it } from "vitest";
import { type Artifact, decodeArtifact, indexOfString } from "../../../src/artifact/index.ts";
import { basketRecommendations, popularItems, scorePair, similarItems, userRecommendations } from "../../../src/recommend/index.ts";
import { buildArtifact } from "../../../trainer/artifact/build.ts";
import { GroupModel, GroupSimilarityModel, smallStore } from "../support/group-store.ts";

const store = smallStore();
let a: Artifact;
let knn: Artifact;

beforeAll(async () => {
  const model = new GroupModel(store.warmItems, store.interactions.userIds.length, store.groups);
  a = await decodeArtifact(await buildArtifact({ model, interactions: store.interactions, items: store.items, k: 10, userTopN: 20 }));
  const sim = new GroupSimilarityModel(store.warmItems, store.groups);
  knn = await decodeArtifact(await buildArtifact({ model: sim, interactions: store.interactions, items: store.items, k: 10, userTopN: 0 }));
});

const idx = (id: string) => indexOfString(a.items.ids, id);

describe("similarItems", () => {
  it("returns collaborative neighbours of the same group for a warm item, never the item itself", () => {
    const i = idx("item-4");
    const r = similarItems(a, i, { k: 5 });
    expect(r.source).toBe("collaborative");
    expect(r.items).toHaveLength(5);
    for (const x of r.items) {
      expect(x.index).not.toBe(i);
      expect(x.index % 3).toBe(1);
      expect(x.reason).toBe(`similar to ${store.items[4].title}`);
    }
    for (let p = 1; p < r.items.length; p++) expect(r.items[p - 1].score).toBeGreaterThanOrEqual(r.items[p].score);
  });

  it("falls back to content neighbours for an item nobody interacted with", () => {
    const i = idx("item-58");
    const r = similarItems(a, i, { k: 5 });
    expect(r.source).toBe("content");
    expect(r.items[0].index % 3).toBe(58 % 3);
  });

  it("applies category, price and exclude filters, topping up with popular items", () => {
    const i = idx("item-4");
    const exclude = new Set([idx("item-7"), idx("item-10")]);
    const r = similarItems(a, i, { k: 8, filter: { category: "beverages", minPrice: 2, maxPrice: 6, exclude } });
    expect(r.items.length).toBeGreaterThan(0);
    for (const x of r.items) {
      expect(exclude.has(x.index)).toBe(false);
      expect(a.items.prices[x.index]).toBeGreaterThanOrEqual(2);
      expect(a.items.prices[x.index]).toBeLessThanOrEqual(6);
      expect(x.index % 3).toBe(1);
    }
    const sub = similarItems(a, i, { k: 30, filter: { category: "Beverages > Beverages sub 0" } });
    for (const x of sub.items) expect(x.index % 2).toBe(0);
    const none = similarItems(a, i, { k: 5, filter: { category: "Bev" } });
    expect(none.items).toHaveLength(0);
  });

  it("returns no duplicates even when topping up", () => {
    const r = similarItems(a, idx("item-4"), { k: 59 });
    expect(new Set(r.items.map((x) => x.index)).size).toBe(r.items.length);
    expect(r.items).toHaveLength(59);
  });
});

describe("basketRecommendations", () => {
  it("aggregates neighbours of the basket, never returns the basket, and names the contributor", () => {
    const basket = [idx("item-0"), idx("item-3"), idx("item-6")];
    const r = basketRecommendations(a, basket, { k: 6 });
    expect(r).toHaveLength(6);
    for (const x of r) {
      expect(basket).not.toContain(x.index);
      expect(x.index % 3).toBe(0);
      expect(x.reason).toMatch(/^similar to Snacks product [036] /);
    }
  });

  it("weights recent items more: a mixed basket leans to its last item's group", () => {
    const basket = [idx("item-1"), idx("item-2")];
    const r = basketRecommendations(knn, basket, { k: 3, decay: 0.5 });
    expect(r[0].index % 3).toBe(2);
  });

  it("respects exclude and filters", () => {
    const basket = [idx("item-0")];
    const first = basketRecommendations(a, basket, { k: 3 });
    const r = basketRecommendations(a, basket, { k: 3, exclude: new Set([first[0].index]), filter: { maxPrice: 5 } });
    expect(r.map((x) => x.index)).not.toContain(first[0].index);
    for (const x of r) expect(a.items.prices[x.index]).toBeLessThanOrEqual(5);
  });
});

describe("userRecommendations", () => {
  it("serves every strategy without repeating the user's history", () => {
    const u = indexOfString(a.users.ids, "user-5");
    const history = new Set(a.users.historyIds.subarray(a.users.historyPtr[u], a.users.historyPtr[u + 1]));
    for (const strategy of ["precomputed", "vectors", "history"] as const) {
      const r = userRecommendations(a, u, { k: 5, strategy });
      expect(r.strategy).toBe(strategy);
      expect(r.items).toHaveLength(5);
      for (const x of r.items) {
        expect(history.has(x.index)).toBe(false);
        expect(x.index % 3).toBe(5 % 3);
      }
    }
    expect(userRecommendations(knn, u, { k: 5 }).strategy).toBe("history");
  });
});

describe("popularItems", () => {
  it("lists the most interacted items overall and per category", () => {
    const all = popularItems(a, { k: 5 });
    expect(all).toHaveLength(5);
    for (let p = 1; p < all.length; p++) expect(all[p - 1].score).toBeGreaterThanOrEqual(all[p].score);
    const dairy = popularItems(a, { category: "dairy", k: 4 });
    for (const x of dairy) {
      expect(x.index % 3).toBe(2);
      expect(x.reason).toBe("popular in Dairy");
    }
    const priced = popularItems(a, { category: "Dairy > Dairy sub 1", k: 50, filter: { maxPrice: 3 } });
    for (const x of priced) {
      expect(x.index % 2).toBe(1);
      expect(a.items.prices[x.index]).toBeLessThanOrEqual(3);
    }
  });
});

describe("scorePair", () => {
  it("gives a probability for a logistic model, higher for the user's own group", () => {
    const u = indexOfString(a.users.ids, "user-1");
    const mine = scorePair(a, u, idx("item-4"));
    const other = scorePair(a, u, idx("item-5"));
    expect(mine.kind).toBe("probability");
    expect(mine.score).toBeGreaterThan(other.score);
    expect(mine.score).toBeLessThan(1);
    expect(scorePair(a, -1, idx("item-4")).kind).toBe("probability");
    expect(scorePair(knn, u, idx("item-4")).kind).toBe("score");
  });
});
