/** The live catalogue overlay through the admin API, inside workerd with real KV and R2. */
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../../src/app.ts";
import { client, problemOf } from "../support/helpers.ts";
import { type Api, basketIds, ids, itemId, readyMerch, send } from "./helpers.ts";

describe("catalogue overlay", () => {
  let api: Api;
  beforeEach(async () => {
    api = await readyMerch();
  });

  it("an item marked out of stock disappears from every route on the next request of the writing isolate", async () => {
    const popular = await ids(api, "/v1/popular?k=20");
    const target = popular[0];
    const similar = await ids(api, `/v1/items/${itemId(3)}/similar?k=50`);
    const user = await ids(api, "/v1/users/u1/recommendations?k=50");
    const basket = await basketIds(api, { items: [itemId(3)], k: 50 });
    // The chosen item is listed somewhere before; pick one per route that is listed there.
    const inSimilar = similar[0];
    const inUser = user[0];
    const inBasket = basket[0];
    for (const id of new Set([target, inSimilar, inUser, inBasket])) {
      const res = await send(api, "PATCH", `/v1/admin/items/${id}`, { inStock: false });
      expect(res.status).toBe(200);
    }
    const gone = [target, inSimilar, inUser, inBasket];
    const after = [
      ...(await ids(api, "/v1/popular?k=50")),
      ...(await ids(api, `/v1/items/${itemId(3)}/similar?k=50`)),
      ...(await ids(api, "/v1/users/u1/recommendations?k=50")),
      ...(await basketIds(api, { items: [itemId(3)], k: 50 })),
      ...(await ids(api, "/v1/popular?k=50&category=snacks")),
    ];
    for (const id of gone) expect(after).not.toContain(id);
    // Back in stock: listed again.
    await send(api, "PATCH", `/v1/admin/items/${target}`, { inStock: true });
    expect(await ids(api, "/v1/popular?k=20")).toContain(target);
  });

  it("hidden and removed items never appear; the item page itself still answers", async () => {
    const popular = await ids(api, "/v1/popular?k=5");
    await send(api, "PATCH", `/v1/admin/items/${popular[0]}`, { hidden: true });
    await send(api, "DELETE", `/v1/admin/items/${popular[1]}`);
    const after = await ids(api, "/v1/popular?k=50");
    expect(after).not.toContain(popular[0]);
    expect(after).not.toContain(popular[1]);
    expect((await api.json(`/v1/items/${popular[0]}/similar`)).status).toBe(200);
  });

  it("prices from the overlay are shown and filtered on", async () => {
    const first = await api.json("/v1/popular?k=1");
    const id = first.body.items[0].id;
    await send(api, "PATCH", `/v1/admin/items/${id}`, { price: 123.45, title: "Renamed Oat Milk" });
    const shown = await api.json("/v1/popular?k=1");
    expect(shown.body.items[0]).toMatchObject({ id, price: 123.45, title: "Renamed Oat Milk" });
    expect((await api.json(`/v1/items/${id}`)).body.item).toMatchObject({ price: 123.45, title: "Renamed Oat Milk" });
    expect(await ids(api, "/v1/popular?k=50&minPrice=100")).toEqual([id]);
    expect(await ids(api, "/v1/popular?k=50&maxPrice=20")).not.toContain(id);
  });

  it("categories from the overlay are shown and filtered on, at any level", async () => {
    const id = (await ids(api, "/v1/popular?k=1&category=snacks"))[0];
    await send(api, "PATCH", `/v1/admin/items/${id}`, { categories: ["Pantry", "Seasonal Treats"] });
    expect(await ids(api, "/v1/popular?k=100&category=seasonal%20treats")).toEqual([id]);
    expect(await ids(api, "/v1/popular?k=100&category=snacks")).not.toContain(id);
    const item = (await api.json(`/v1/items/${id}`)).body.item;
    expect(item).toMatchObject({ category: "Pantry > Seasonal Treats", topCategory: "Pantry" });
    // A second-level name of the trained catalogue filters too.
    const nuts = await api.json("/v1/popular?k=10&category=nuts");
    expect(nuts.body.items.length).toBeGreaterThan(0);
    for (const i of nuts.body.items) expect(i.category).toBe("Snacks > Nuts");
  });

  it("a new product gets content-similar items, its own page and a category slot with a new-arrivals rule", async () => {
    const res = await send(api, "PUT", "/v1/admin/items/NEW-1", {
      title: "Oatly Oat Milk Barista 1L",
      brand: "Oatly",
      categories: ["Beverages", "Plant Milk"],
      price: 2.5,
      image: "https://img.example.com/new-1.jpg",
    });
    expect(res.status).toBe(200);
    const similar = await api.json("/v1/items/NEW-1/similar?k=10");
    expect(similar.status).toBe(200);
    expect(similar.body.source).toBe("content");
    expect(similar.body.item).toEqual({ id: "NEW-1", title: "Oatly Oat Milk Barista 1L" });
    expect(similar.body.items).toHaveLength(10);
    // Content matches first: the best share brand and words with the new product.
    expect(similar.body.items[0].category).toMatch(/^Beverages/);
    expect(similar.body.items.slice(0, 3).some((i: any) => /Oat Milk|Oatly/.test(i.title))).toBe(true);
    const page = await api.json("/v1/items/NEW-1");
    expect(page.body.item).toMatchObject({ id: "NEW-1", price: 2.5, topCategory: "Beverages", interactions: 0 });
    // Without a rule it has no slot in a full category list; with newArrivals it takes one.
    expect(await ids(api, "/v1/popular?k=10&category=beverages")).not.toContain("NEW-1");
    expect((await send(api, "PUT", "/v1/admin/rules", { rules: [{ kind: "newArrivals", slots: 1, position: 2 }] })).status).toBe(200);
    const list = await api.json("/v1/popular?k=10&category=beverages");
    expect(list.body.items[1]).toMatchObject({ id: "NEW-1", reason: "new arrival", price: 2.5 });
    // Not in another category's list.
    expect(await ids(api, "/v1/popular?k=10&category=snacks")).not.toContain("NEW-1");
    // Unknown everywhere: still a 404.
    await problemOf(await api.fetch("/v1/items/NEVER-SEEN/similar"), 404);
  });

  it("another isolate applies the change at its next check of KV", async () => {
    const other = client({ ADMIN_TOKEN: "x", MERCH_RECHECK_SECONDS: "0" }, createApp());
    const target = (await ids(other, "/v1/popular?k=1"))[0];
    await send(api, "PATCH", `/v1/admin/items/${target}`, { inStock: false });
    // The check runs in the background of one request; the next one is served with the change.
    await other.fetch("/v1/popular?k=1");
    expect(await ids(other, "/v1/popular?k=20")).not.toContain(target);
  });

  it("refuses writes without the token, malformed changes, and new products without a title", async () => {
    await problemOf(await send(api, "PATCH", `/v1/admin/items/${itemId(1)}`, { inStock: false }, { "content-type": "application/json" }), 401);
    const bad = await problemOf(await send(api, "PATCH", `/v1/admin/items/${itemId(1)}`, { price: -3, colour: "red" }), 400);
    expect(bad.errors.map((e: any) => e.location).join(" ")).toMatch(/body/);
    const noTitle = await problemOf(await send(api, "PUT", "/v1/admin/items/BRAND-NEW", { price: 3 }), 400);
    expect(noTitle.detail).toMatch(/new product/);
    expect((await ids(api, "/v1/popular?k=50")).length).toBe(50);
  });

  it("ETags change with the overlay, so a cached list is not served stale", async () => {
    const first = await api.fetch("/v1/popular?k=3");
    const etag = first.headers.get("etag")!;
    const top = ((await first.json()) as any).items[0].id;
    await send(api, "PATCH", `/v1/admin/items/${top}`, { inStock: false });
    const again = await api.fetch("/v1/popular?k=3", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as any).items.map((i: any) => i.id)).not.toContain(top);
  });
});

