/** Each rule kind changes the lists as docs/merchandising.md says; malformed documents are refused. */
import { beforeEach, describe, expect, inject, it } from "vitest";
import { type Artifact, decodeArtifact, indexOfString, stringAt } from "../../../src/artifact/index.ts";
import { download, problemOf } from "../support/helpers.ts";
import { type Api, basketIds, ids, itemId, readyMerch, send } from "./helpers.ts";

async function setRules(api: Api, doc: unknown): Promise<void> {
  const res = await send(api, "PUT", "/v1/admin/rules", doc);
  if (res.status !== 200) throw new Error(`rules refused: ${await res.text()}`);
}

async function list(api: Api, path: string): Promise<any[]> {
  const res = await api.json(path);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items;
}

/**
 * Reference greedy MMR over a ranked pool (relevance by rank, 1 - r/|pool|; similarity the cosine
 * of the items' int8 vectors): the pool positions of the first `take` picks, in order.
 */
function greedyMmr(artifact: Artifact, pool: number[], lambda: number, take: number): number[] {
  const vectors = artifact.itemVectors!;
  const dot = (a: number, b: number) => {
    let s = 0;
    for (let j = 0; j < vectors.dim; j++) s += vectors.int8![a * vectors.dim + j] * vectors.int8![b * vectors.dim + j];
    return s;
  };
  const norm = pool.map((i) => Math.sqrt(dot(i, i)) || 1);
  const maxSim = pool.map(() => 0);
  const used = pool.map(() => false);
  const picks: number[] = [];
  for (let t = 0; t < take; t++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let r = 0; r < pool.length; r++) {
      const s = lambda * (1 - r / pool.length) - (1 - lambda) * maxSim[r];
      if (!used[r] && s > bestScore) [best, bestScore] = [r, s];
    }
    used[best] = true;
    picks.push(best);
    for (let r = 0; r < pool.length; r++) maxSim[r] = Math.max(maxSim[r], dot(pool[best], pool[r]) / (norm[best] * norm[r]));
  }
  return picks;
}

describe("merchandising rules", () => {
  let api: Api;
  beforeEach(async () => {
    api = await readyMerch();
  });

  it("pin: globally, for a category, and on one item's page, with reason promoted", async () => {
    const before = await ids(api, "/v1/popular?k=10");
    const pinned = before[7];
    const pagePin = itemId(42);
    await setRules(api, {
      rules: [
        { kind: "pin", item: pinned, position: 1 },
        { kind: "pin", item: pagePin, position: 2, where: { item: itemId(3) } },
      ],
    });
    const after = await list(api, "/v1/popular?k=10");
    expect(after[0]).toMatchObject({ id: pinned, reason: "promoted" });
    expect(after.map((i) => i.id)).toHaveLength(10);
    expect(after.filter((i) => i.id === pinned)).toHaveLength(1);
    const page = await list(api, `/v1/items/${itemId(3)}/similar?k=5`);
    expect(page[1]).toMatchObject({ id: pagePin, reason: "promoted" });
    const otherPage = await ids(api, `/v1/items/${itemId(4)}/similar?k=5`);
    expect(otherPage[1]).not.toBe(pagePin);
    // A category-scoped pin shows only in that category's lists.
    const snack = (await ids(api, "/v1/popular?k=30&category=snacks"))[20];
    await setRules(api, { rules: [{ kind: "pin", item: snack, position: 1, where: { category: "Snacks" } }] });
    expect((await ids(api, "/v1/popular?k=5&category=snacks"))[0]).toBe(snack);
    expect((await ids(api, "/v1/popular?k=5"))[0]).not.toBe(snack);
  });

  it("boost and bury by brand, category, price range and item set re-order the list", async () => {
    const base = await list(api, "/v1/popular?k=20");
    const brand = base[15].brand;
    const countBrand = (items: any[]) => items.slice(0, 5).filter((i) => i.brand === brand).length;
    await setRules(api, { rules: [{ kind: "boost", match: { brands: [brand] }, factor: 10 }] });
    const boosted = await list(api, "/v1/popular?k=20");
    expect(countBrand(boosted)).toBeGreaterThan(countBrand(base));
    expect(boosted[0]).toMatchObject({ brand, reason: "promoted" });

    const cat = base[0].topCategory;
    const share = (items: any[]) => items.slice(0, 10).filter((i) => i.topCategory === cat).length;
    await setRules(api, { rules: [{ kind: "bury", match: { categories: [cat] }, factor: 50 }] });
    const buried = await list(api, "/v1/popular?k=20");
    expect(share(buried)).toBeLessThan(share(base));
    expect(buried[0].topCategory).not.toBe(cat);

    await setRules(api, { rules: [{ kind: "boost", match: { minPrice: 15, maxPrice: 20 }, factor: 20 }] });
    const pricey = await list(api, "/v1/popular?k=20");
    expect(pricey[0].price).toBeGreaterThanOrEqual(15);

    const last = base[19].id;
    await setRules(api, { rules: [{ kind: "boost", match: { items: [last] }, factor: 100 }] });
    expect((await ids(api, "/v1/popular?k=20"))[0]).toBe(last);
  });

  it("boost 'new' lifts items first added through the overlay", async () => {
    // A trained item without interactions that the overlay (re-)lists counts as new: find one
    // deep in some similar-items list of the (seeded) synthetic catalogue.
    let page = "";
    let target = "";
    let position = -1;
    for (let i = 0; i < 40 && !target; i++) {
      const items = await list(api, `/v1/items/${itemId(i)}/similar?k=60`);
      const at = items.findIndex((it, p) => p >= 5 && it.interactions === 0);
      if (at >= 0) [page, target, position] = [itemId(i), items[at].id, at];
    }
    expect(target).not.toBe("");
    await send(api, "PATCH", `/v1/admin/items/${target}`, { inStock: true });
    await setRules(api, { rules: [{ kind: "boost", match: { new: true }, factor: 100 }] });
    const after = await list(api, `/v1/items/${page}/similar?k=60`);
    expect(after[0]).toMatchObject({ id: target, reason: "promoted" });
    expect(position).toBeGreaterThan(0);
  });

  it("hide by brand, and filter on brand scoped to similar items", async () => {
    const base = await list(api, "/v1/popular?k=10");
    const brand = base[0].brand;
    await setRules(api, { rules: [{ kind: "hide", match: { brands: [brand] } }] });
    for (const path of ["/v1/popular?k=50", `/v1/items/${itemId(3)}/similar?k=50`, "/v1/users/u2/recommendations?k=50"]) {
      for (const i of await list(api, path)) expect(i.brand).not.toBe(brand);
    }
    await setRules(api, { rules: [{ kind: "filter", match: { brands: [brand] }, where: { lists: ["similar"] } }] });
    const onlyBrand = await list(api, `/v1/items/${itemId(3)}/similar?k=5`);
    expect(onlyBrand.length).toBeGreaterThan(0);
    for (const i of onlyBrand) expect(i.brand).toBe(brand);
    const popular = await list(api, "/v1/popular?k=10");
    expect(popular.some((i) => i.brand !== brand)).toBe(true);
  });

  it("in stock only is on by default and can be switched off", async () => {
    const top = (await ids(api, "/v1/popular?k=1"))[0];
    await send(api, "PATCH", `/v1/admin/items/${top}`, { inStock: false });
    expect(await ids(api, "/v1/popular?k=10")).not.toContain(top);
    await setRules(api, { inStockOnly: false });
    expect((await ids(api, "/v1/popular?k=10"))[0]).toBe(top);
  });

  it("caps per brand and per category level", async () => {
    await setRules(api, { rules: [{ kind: "cap", by: "brand", max: 1 }] });
    const capped = await list(api, "/v1/popular?k=10");
    expect(capped).toHaveLength(10);
    expect(new Set(capped.map((i) => i.brand)).size).toBe(10);
    await setRules(api, { rules: [{ kind: "cap", by: "category", level: 2, max: 2 }] });
    const byPath = await list(api, `/v1/items/${itemId(3)}/similar?k=10`);
    const counts = new Map<string, number>();
    for (const i of byPath) counts.set(i.category, (counts.get(i.category) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
  });

  it("rules scoped to lists change only those lists, however the requests alternate", async () => {
    const similarPath = `/v1/items/${itemId(3)}/similar?k=10`;
    const userPath = "/v1/users/u2/recommendations?k=10";
    const baseSimilar = await list(api, similarPath);
    const basePopular = await list(api, "/v1/popular?k=10");
    const baseUser = await ids(api, userPath);
    const last = baseSimilar[9].id;
    const hidden = basePopular[0].id;
    await setRules(api, {
      rules: [
        { kind: "boost", match: { items: [last] }, factor: 100, where: { lists: ["similar"] } },
        { kind: "hide", match: { items: [hidden] }, where: { lists: ["popular"] } },
        { kind: "pin", item: basePopular[5].id, position: 1, where: { lists: ["popular", "trending"] } },
      ],
    });
    for (let round = 0; round < 2; round++) {
      const similar = await list(api, similarPath);
      expect(similar[0]).toMatchObject({ id: last, reason: "promoted" });
      const popular = await list(api, "/v1/popular?k=10");
      expect(popular.map((i) => i.id)).not.toContain(hidden);
      expect(popular[0]).toMatchObject({ id: basePopular[5].id, reason: "promoted" });
      // None of the three reaches a list kind it does not name.
      expect(await ids(api, userPath)).toEqual(baseUser);
    }
  });

  it("a category cap counts an item the overlay moved in its new category", async () => {
    const page = itemId(3);
    const base = await list(api, `/v1/items/${page}/similar?k=10`);
    // Move three of the list into one new category path: a cap of 1 per path keeps only the first of them.
    const moved = [base[1].id, base[4].id, base[6].id];
    for (const id of moved) await send(api, "PATCH", `/v1/admin/items/${id}`, { categories: ["Moved", "Here"] });
    await setRules(api, { rules: [{ kind: "cap", by: "category", level: 2, max: 1 }] });
    const capped = await list(api, `/v1/items/${page}/similar?k=10`);
    const listed = capped.map((i) => i.id);
    expect(listed).toContain(moved[0]);
    expect(listed).not.toContain(moved[1]);
    expect(listed).not.toContain(moved[2]);
    for (const i of capped.filter((x) => moved.includes(x.id))) expect(i.category).toBe("Moved > Here");
  });

  it("pin: a product known only from the overlay is pinned too, and an unknown one is ignored", async () => {
    await send(api, "PATCH", `/v1/admin/items/${itemId(5)}`, { price: 3 });
    const put = await send(api, "PUT", "/v1/admin/items/NEW-PIN", { title: "Kind Dark Chocolate Bar", brand: "Kind", categories: ["Snacks", "Bars"] });
    expect(put.status).toBeLessThan(300);
    await setRules(api, {
      rules: [
        { kind: "pin", item: "NEW-PIN", position: 2 },
        { kind: "pin", item: "NOT-IN-OVERLAY", position: 1 },
      ],
    });
    const after = await list(api, "/v1/popular?k=10");
    expect(after).toHaveLength(10);
    expect(after[1]).toMatchObject({ id: "NEW-PIN", reason: "promoted", title: "Kind Dark Chocolate Bar" });
    expect(after.map((i) => i.id)).not.toContain("NOT-IN-OVERLAY");
  });

  it("diversity (MMR): λ = 1 keeps the ranking, a low λ spreads it", async () => {
    const base = await ids(api, `/v1/items/${itemId(8)}/similar?k=10`);
    await setRules(api, { rules: [{ kind: "diversity", lambda: 1 }] });
    expect(await ids(api, `/v1/items/${itemId(8)}/similar?k=10`)).toEqual(base);
    await setRules(api, { rules: [{ kind: "diversity", lambda: 0.2 }] });
    const diverse = await ids(api, `/v1/items/${itemId(8)}/similar?k=10`);
    expect(diverse).toHaveLength(10);
    expect(new Set(diverse).size).toBe(10);
    expect(diverse).not.toEqual(base);
    expect(diverse[0]).toBe(base[0]);
  });

  it("diversity (MMR) picks exactly what full greedy MMR over the items' int8 cosines picks", async () => {
    const artifact = await decodeArtifact(await download(inject("artifacts").v1.url));
    expect(artifact.itemVectors!.encoding).toBe("int8");
    for (const lambda of [0.2, 0.5, 0.7]) {
      await setRules(api, { rules: [{ kind: "diversity", lambda }] });
      for (const page of [8, 21, 333]) {
        // A k=10 list over-fetches 15 (k + max(5, k/2)); relevance is by rank, 1 - p/15.
        await setRules(api, { rules: [] });
        const pool = (await ids(api, `/v1/items/${itemId(page)}/similar?k=15`)).map((id) => indexOfString(artifact.items.ids, id));
        await setRules(api, { rules: [{ kind: "diversity", lambda }] });
        const got = await ids(api, `/v1/items/${itemId(page)}/similar?k=10`);
        expect(got).toEqual(greedyMmr(artifact, pool, lambda, 10).map((r) => stringAt(artifact.items.ids, pool[r])));
      }
    }
  });

  it("pins and new arrivals with diversity: the full greedy MMR list with the placements inserted in document order", async () => {
    // merch/apply.ts places pins before diversity picks (so MMR picks only what stays listed),
    // or after them when a pin names a candidate: both must give exactly this reference.
    const artifact = await decodeArtifact(await download(inject("artifacts").v1.url));
    expect((await send(api, "PUT", "/v1/admin/items/NEW-ARRIVAL", { title: "Kind Dark Chocolate Bar", brand: "Kind", categories: ["Snacks", "Bars"] })).status).toBeLessThan(300);
    const lambda = 0.5;
    for (const page of [8, 21]) {
      await setRules(api, { rules: [] });
      const poolItems = await list(api, `/v1/items/${itemId(page)}/similar?k=15`);
      const pool = poolItems.map((it) => indexOfString(artifact.items.ids, it.id));
      const picks = greedyMmr(artifact, pool, lambda, 10).map((r) => ({ id: poolItems[r].id, score: poolItems[r].score }));
      const outsiders = [100, 101, 102, 103, 104, 105].map((i) => itemId(i)).filter((id) => id !== itemId(page) && !poolItems.some((it) => it.id === id));
      const [outsider, first, second] = outsiders;
      const candidate = poolItems[1].id;
      for (const pins of [
        // Pins outside the candidates, one far down the list and pushed out by later ones.
        [{ item: outsider, position: 10 }, { item: first, position: 1 }, { item: second, position: 2 }],
        // A pin naming a candidate: picking comes first, and the pin moves the pick.
        [{ item: candidate, position: 2 }, { item: outsider, position: 4 }],
      ]) {
        await setRules(api, { rules: [{ kind: "diversity", lambda }, ...pins.map((p) => ({ kind: "pin", ...p })), { kind: "newArrivals", slots: 1, position: 6 }] });
        const expected: Array<{ id: string; score: number }> = [...picks];
        const insert = (entry: { id: string; score: number }, position: number) => {
          const at = expected.findIndex((e) => e.id === entry.id);
          if (at >= 0) expected.splice(at, 1);
          expected.splice(Math.min(position - 1, expected.length), 0, entry);
          expected.length = Math.min(expected.length, 10);
        };
        for (const p of pins) insert({ id: p.item, score: expected[0].score }, p.position);
        insert({ id: "NEW-ARRIVAL", score: 0 }, 6);
        const got = await list(api, `/v1/items/${itemId(page)}/similar?k=10`);
        expect(got.map((it) => [it.id, it.score])).toEqual(expected.map((e) => [e.id, e.score]));
      }
    }
  });

  it("never recommends what the shopper bought in the last N days, unless its category is repurchasable", async () => {
    const basket = [itemId(3)];
    const base = await basketIds(api, { items: basket, k: 10 });
    const bought = base[0];
    const now = Math.floor(Date.now() / 1000);
    await setRules(api, { rules: [{ kind: "notRecentlyBought", days: 30 }] });
    expect(await basketIds(api, { items: basket, k: 10, bought: [{ item: bought, at: now - 86_400 }] })).not.toContain(bought);
    expect(await basketIds(api, { items: basket, k: 10, bought: [{ item: bought, at: now - 40 * 86_400 }] })).toContain(bought);
    expect(await ids(api, `/v1/popular?k=50&bought=${base[0]}:${now}`)).not.toContain(bought);
    const category = (await api.json(`/v1/items/${bought}`)).body.item.topCategory;
    await setRules(api, { rules: [{ kind: "notRecentlyBought", days: 30, repurchasable: [category] }] });
    expect(await basketIds(api, { items: basket, k: 10, bought: [{ item: bought, at: now - 86_400 }] })).toContain(bought);
  });

  it("a malformed rules document is refused with every problem, and the previous rules stay in force", async () => {
    const pinned = (await ids(api, "/v1/popular?k=10"))[9];
    await setRules(api, { rules: [{ kind: "pin", item: pinned, position: 1 }] });
    const bad = await problemOf(
      await send(api, "PUT", "/v1/admin/rules", { rules: [{ kind: "pin", item: pinned, position: 0 }, { kind: "boost", match: {} }, { kind: "teleport" }] }),
      400,
    );
    const where = bad.errors.map((e: any) => e.location);
    expect(where.some((l: string) => l.includes("rules[0].position"))).toBe(true);
    expect(where.some((l: string) => l.includes("rules[1].match"))).toBe(true);
    expect(where.some((l: string) => l.includes("rules[2]"))).toBe(true);
    await problemOf(await send(api, "PUT", "/v1/admin/rules", "{not json"), 400);
    expect((await ids(api, "/v1/popular?k=10"))[0]).toBe(pinned);
    const model = await api.json("/v1/model");
    expect(model.body.rules.rules).toEqual([{ kind: "pin", item: pinned, position: 1 }]);
    expect(model.body.rules.version).toBe(1);
    const stored = await api.json("/v1/admin/rules", { headers: { authorization: "Bearer test-admin-token" } });
    expect(stored.body.rules).toHaveLength(1);
  });
});
