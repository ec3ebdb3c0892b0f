/** /v1/trending (a KV object published by `edgerec trending`) and /v1/items/:id/together (an artifact section). */
import { beforeEach, describe, expect, it } from "vitest";
import { TRENDING_KEY } from "../../../src/artifact/index.ts";
import { baseEnv, problemOf } from "../support/helpers.ts";
import { type Api, ids, itemId, readyMerch, send } from "./helpers.ts";

function trendingDoc(items: string[]) {
  return JSON.stringify({
    format: 1,
    computedAt: "2026-12-06T12:00:00.000Z",
    recentHours: 24,
    baselineDays: 7,
    events: 1000,
    items: items.map((id, r) => ({ id, score: 10 - r * 0.5, recent: 50, baseline: 60 })),
  });
}

describe("more lists", () => {
  let api: Api;
  beforeEach(async () => {
    await baseEnv.KV.delete(TRENDING_KEY);
    api = await readyMerch();
  });

  it("trending serves the published list in order, through filters and rules; without one, popular items", async () => {
    const fallback = await api.json("/v1/trending?k=5");
    expect(fallback.body).toMatchObject({ fallback: "popular", computedAt: null });
    expect(fallback.body.items).toHaveLength(5);

    const list = [40, 41, 42, 43, 44, 45].map(itemId);
    await baseEnv.KV.put(TRENDING_KEY, trendingDoc([...list, "not-in-catalogue"]));
    const fresh = await readyMerch(); // a new isolate reads it on its first request
    const res = await fresh.json("/v1/trending?k=5");
    expect(res.status).toBe(200);
    expect(res.body.computedAt).toBe("2026-12-06T12:00:00.000Z");
    expect(res.body.fallback).toBeUndefined();
    expect(res.body.items.map((i: any) => i.id)).toEqual(list.slice(0, 5));
    expect(res.body.items[0].reason).toBe("trending");

    await send(fresh, "PATCH", `/v1/admin/items/${list[0]}`, { inStock: false });
    await send(fresh, "PUT", "/v1/admin/rules", { rules: [{ kind: "pin", item: list[5], position: 1, where: { lists: ["trending"] } }] });
    const after = await ids(fresh, "/v1/trending?k=3");
    expect(after).toEqual([list[5], list[1], list[2]]);
    const cat = (await fresh.json(`/v1/items/${list[2]}`)).body.item.topCategory;
    for (const i of (await fresh.json(`/v1/trending?k=10&category=${encodeURIComponent(cat)}`)).body.items) expect(i.topCategory).toBe(cat);
  });

  it("bought together lists partners by lift, falls back to similar items, and serves new products", async () => {
    let found = "";
    for (let i = 0; i < 50 && !found; i++) {
      const r = await api.json(`/v1/items/${itemId(i)}/together?k=5`);
      expect(r.status).toBe(200);
      if (r.body.source === "together") found = itemId(i);
    }
    expect(found).not.toBe("");
    const together = await api.json(`/v1/items/${found}/together?k=5`);
    expect(together.body.item).toEqual({ id: found });
    expect(together.body.items[0].reason).toMatch(/^bought with /);
    const first = together.body.items[0].id;
    await send(api, "PATCH", `/v1/admin/items/${first}`, { hidden: true });
    expect(await ids(api, `/v1/items/${found}/together?k=5`)).not.toContain(first);

    await send(api, "PUT", "/v1/admin/items/NEW-T", { title: "Kind Peanut Bar 12 pack", brand: "Kind", categories: ["Snacks", "Bars"] });
    const fresh = await api.json("/v1/items/NEW-T/together?k=4");
    expect(fresh.body.source).toBe("similar");
    expect(fresh.body.items).toHaveLength(4);
    await problemOf(await api.fetch("/v1/items/NOPE/together"), 404);
  });

  it("the OpenAPI document lists the new routes", async () => {
    const doc = (await api.json("/openapi.json")).body;
    for (const path of ["/v1/trending", "/v1/items/{id}/together", "/v1/admin/items/{id}", "/v1/admin/rules", "/v1/admin/rules/test"]) expect(doc.paths[path]).toBeDefined();
  });
});
