import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../../trainer/data/load.ts";
import { ensureSample } from "../../../trainer/sample/ensure.ts";
import { writeAmazonFiles } from "../../../trainer/sample/amazon-files.ts";
import { generateStore } from "../../../trainer/sample/store.ts";

const small = { seed: 7, items: 800, users: 600 };
const store = generateStore(small);
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "edgerec-sample-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("sample storefront", () => {
  it("is deterministic per seed and differs across seeds", () => {
    const again = generateStore(small);
    expect(again.items).toEqual(store.items);
    expect(again.interactions).toEqual(store.interactions);
    const other = generateStore({ ...small, seed: 8 });
    expect(other.items.map((i) => i.title)).not.toEqual(store.items.map((i) => i.title));
  });

  it("has the documented shapes", () => {
    const { items, interactions } = store;
    expect(items).toHaveLength(800);
    expect(interactions.userIds).toHaveLength(600);
    expect(interactions.itemIds).toEqual(items.map((i) => i.id));
    expect(new Set(interactions.itemIds).size).toBe(800);
    const n = interactions.users.length;
    for (const arr of [interactions.items, interactions.ratings, interactions.times, store.sessions]) expect(arr.length).toBe(n);
    expect(new Set(store.shelves.map((s) => s.path[0])).size).toBe(8);
    for (const item of items) {
      expect(item.categories).toHaveLength(3);
      expect(item.title).toMatch(new RegExp(`^${item.brand!.replace(/[&']/g, ".")} `));
      expect(item.price).toBeGreaterThan(0);
      expect(item.imageUrl!.startsWith("data:image/svg+xml,")).toBe(true);
      expect(item.imageUrl!.length).toBeLessThan(600);
      expect(item.url).toMatch(/^https:\/\/shop\.example\.com\/products\/[a-z0-9-]+$/);
    }
    expect(new Set(items.map((i) => i.title)).size).toBe(items.length);
    const seen = new Set<string>();
    for (let k = 0; k < n; k++) {
      const r = interactions.ratings[k];
      expect(Number.isInteger(r) && r >= 1 && r <= 5).toBe(true);
      const key = `${interactions.users[k]}:${interactions.items[k]}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    // Every shopper rated something; ratings lean positive as in real stores.
    expect(new Set(interactions.users).size).toBe(600);
    const mean = interactions.ratings.reduce((a, b) => a + b, 0) / n;
    expect(mean).toBeGreaterThan(3.6);
    expect(mean).toBeLessThan(4.6);
  });

  it("prices follow a different distribution per category", () => {
    const medianOf = (top: string, leaf: string) => {
      const prices = store.items.filter((i) => i.categories![0] === top && i.categories![2] === leaf).map((i) => i.price!);
      prices.sort((a, b) => a - b);
      return prices[prices.length >> 1];
    };
    const pasta = medianOf("Grocery", "Pasta");
    const monitors = medianOf("Electronics", "Monitors");
    const tents = medianOf("Sports", "Tents");
    expect(monitors / pasta).toBeGreaterThan(20);
    expect(tents / pasta).toBeGreaterThan(15);
    // Log-normal: a clear spread within a shelf, and every price ends like a shop price.
    const coffee = store.items.filter((i) => i.categories![2] === "Coffee").map((i) => i.price!);
    expect(Math.max(...coffee) / Math.min(...coffee)).toBeGreaterThan(2.5);
    for (const p of store.items.map((i) => i.price!)) expect(Math.round(p * 100) % 50).toBe(49);
  });

  it("has a long tail of items and of users", () => {
    const { interactions } = store;
    const perItem = new Int32Array(800);
    for (const i of interactions.items) perItem[i]++;
    const sorted = Array.from(perItem).sort((a, b) => b - a);
    const n = interactions.users.length;
    const top20pct = sorted.slice(0, 160).reduce((a, b) => a + b, 0);
    expect(top20pct / n).toBeGreaterThan(0.45); // head: a fifth of the items hold about half of the ratings
    expect(sorted.filter((c) => c <= 2).length / 800).toBeGreaterThan(0.25); // tail
    const perUser = new Int32Array(600);
    for (const u of interactions.users) perUser[u]++;
    const users = Array.from(perUser).sort((a, b) => a - b);
    expect(users[300]).toBeLessThanOrEqual(6); // median shopper rates a handful
    expect(users[599]).toBeGreaterThan(5 * users[300]); // a few heavy users
  });

  it("is learnable but not trivial: taste-aware > popularity > random (leave-last-out HR@10)", () => {
    const { interactions, shelves } = store;
    const nU = 600;
    const nI = 800;
    const shelfOf = new Int32Array(nI);
    shelves.forEach((s, j) => s.items.forEach((i) => (shelfOf[i] = j)));
    const history: number[][] = Array.from({ length: nU }, () => []);
    const order = Array.from({ length: interactions.users.length }, (_, k) => k).sort(
      (a, b) => interactions.users[a] - interactions.users[b] || interactions.times[a] - interactions.times[b] || a - b,
    );
    for (const k of order) history[interactions.users[k]].push(interactions.items[k]);
    const heldOut = history.map((h) => (h.length >= 3 ? h.pop()! : -1));
    const popularity = new Float64Array(nI);
    for (const h of history) for (const i of h) popularity[i]++;
    const hitRate = (score: (u: number) => Float64Array) => {
      let hits = 0;
      let users = 0;
      for (let u = 0; u < nU; u++) {
        if (heldOut[u] < 0) continue;
        users++;
        const s = score(u);
        for (const i of history[u]) s[i] = -Infinity;
        const target = s[heldOut[u]];
        let rank = 0;
        for (let i = 0; i < nI; i++) if (s[i] > target || (s[i] === target && i < heldOut[u])) rank++;
        if (rank < 10) hits++;
      }
      return hits / users;
    };
    // Fixed pseudo-random scores (no Math.random in tests).
    const random = hitRate(() => Float64Array.from({ length: nI }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1));
    const popular = hitRate(() => Float64Array.from(popularity));
    const tasteAware = hitRate((u) => {
      const shelfCount = new Float64Array(shelves.length);
      for (const i of history[u]) shelfCount[shelfOf[i]]++;
      return Float64Array.from(popularity, (p, i) => (p + 1) * (shelfCount[shelfOf[i]] + 0.01));
    });
    expect(popular).toBeGreaterThan(3 * random);
    expect(tasteAware).toBeGreaterThan(2 * popular);
  });

  it("writes Amazon 2018 files that round-trip through the real readers", async () => {
    const dir = tempDir();
    const written = writeAmazonFiles(store, dir);
    const firstReview = JSON.parse(gunzipSync(readFileSync(written.reviews)).toString("utf8").split("\n")[0]);
    expect(Object.keys(firstReview)).toEqual(
      expect.arrayContaining(["overall", "verified", "reviewTime", "reviewerID", "asin", "reviewerName", "reviewText", "summary", "unixReviewTime"]),
    );
    const data = await loadDataset({ interactions: [written.reviews], items: written.meta });
    const n = store.interactions.users.length;
    expect(data.interactions.users.length).toBe(n);
    for (const report of data.reports) expect(report.rejected).toBe(0);
    // Same (user, item, rating, time) set, whatever the reader's index order.
    const key = (u: string, i: string, r: number, t: number) => `${u}|${i}|${r}|${t}`;
    const expected = new Set<string>();
    const si = store.interactions;
    for (let k = 0; k < n; k++) expected.add(key(si.userIds[si.users[k]], si.itemIds[si.items[k]], si.ratings[k], si.times[k]));
    const di = data.interactions;
    for (let k = 0; k < n; k++) expect(expected.has(key(di.userIds[di.users[k]], di.itemIds[di.items[k]], di.ratings[k], di.times[k]))).toBe(true);
    // Metadata: every catalogue item comes back (cold ones appended), with its display fields.
    expect(data.items).toHaveLength(800);
    const byId = new Map(data.items.map((m) => [m.id, m]));
    for (const item of store.items.slice(0, 50)) {
      const got = byId.get(item.id)!;
      expect(got.title).toBe(item.title);
      expect(got.brand).toBe(item.brand);
      expect(got.categories).toEqual(item.categories);
      expect(got.price).toBeCloseTo(item.price!, 2);
      expect(got.imageUrl).toBe(item.imageUrl);
    }
  });

  it("reuses existing files when asked for the same sample", () => {
    const dir = tempDir();
    const first = ensureSample(dir, { seed: 3, items: 200, users: 100 });
    expect(first.reused).toBe(false);
    const second = ensureSample(dir, { seed: 3, items: 200, users: 100 });
    expect(second.reused).toBe(true);
    expect(second.reviews).toBe(first.reviews);
    const third = ensureSample(dir, { seed: 4, items: 200, users: 100 });
    expect(third.reused).toBe(false);
  });
});
