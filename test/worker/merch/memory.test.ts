/**
 * A 10,000-item overlay on a 20,000-item catalogue, loaded from real KV inside workerd: every
 * change is served, and what the overlay costs the isolate stays within its budget
 * (docs/merchandising.md: 16 MiB for 10,000 changed items with the rules, beside the artifact).
 */
import { describe, expect, it } from "vitest";
import { emptyOverlay, encodeArtifact, type ItemWrite, MERCH_HEAD_KEY, mergeChanges, OVERLAY_KEY } from "../../../src/artifact/index.ts";
import { ServedArtifact } from "../../../src/store/served.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { baseEnv, client, publishR2, unpublishAll } from "../support/helpers.ts";
import { clearMerch, ids, itemId, send } from "./helpers.ts";

const BUDGET_BYTES = 16 * 1024 * 1024;
const VERSION = "20261201T000000Z-00020000";

describe("a 10,000-item overlay", () => {
  it("loads from KV, is applied on every route, and stays within the memory budget", async () => {
    const items = 20_000;
    const bytes = await encodeArtifact(syntheticArtifact({ items, users: 2000, version: VERSION, seed: 11 }));
    await unpublishAll();
    await clearMerch();
    await publishR2(VERSION, bytes);
    const writes: ItemWrite[] = [];
    for (let w = 0; w < 9_900; w++) {
      const id = itemId(w * 2);
      writes.push(w % 3 === 0 ? { id, op: "patch", change: { inStock: false } } : { id, op: "patch", change: { price: 10 + (w % 50), title: `Relabelled ${w}` } });
    }
    for (let j = 0; j < 100; j++) writes.push({ id: `NEW-${j}`, op: "put", change: { title: `Oatly Oat Drink ${j}`, brand: "Oatly", categories: ["Beverages", "Plant Milk"], price: 2 } });
    const overlay = mergeChanges(emptyOverlay(), writes, new Date().toISOString());
    await baseEnv.KV.put(OVERLAY_KEY, JSON.stringify(overlay));
    await baseEnv.KV.put(MERCH_HEAD_KEY, JSON.stringify({ overlay: overlay.version, rules: 0 }));

    const api = client({ ADMIN_TOKEN: "t" });
    const model = await api.json("/v1/model");
    expect(model.body.overlay).toMatchObject({ version: 1, items: 10_000 });
    const outOfStock = new Set(writes.filter((w) => w.op === "patch" && w.change.inStock === false).map((w) => w.id));
    const listed = [...(await ids(api, "/v1/popular?k=100")), ...(await ids(api, `/v1/items/${itemId(1)}/similar?k=100`)), ...(await ids(api, "/v1/users/u3/recommendations?k=100"))];
    expect(listed.length).toBeGreaterThan(200);
    for (const id of listed) expect(outOfStock.has(id)).toBe(false);
    const relabelled = await api.json(`/v1/items/${itemId(2)}`);
    expect(relabelled.body.item).toMatchObject({ title: "Relabelled 1", price: 11 });
    expect((await api.json("/v1/items/NEW-7/similar?k=5")).body.source).toBe("content");
    await send(api, "PUT", "/v1/admin/rules", { rules: [{ kind: "cap", by: "brand", max: 3 }, { kind: "boost", match: { brands: ["Oatly"] } }] }, { authorization: "Bearer t", "content-type": "application/json" });
    expect((await ids(api, "/v1/popular?k=20")).length).toBe(20);

    const state = await api.app.deps.merch.current(api.env);
    const served = await api.app.deps.store.current(api.env);
    expect(served).toBeInstanceOf(ServedArtifact);
    const footprint = state.viewFor(served as ServedArtifact).footprintBytes();
    expect(footprint).toBeGreaterThan(items); // counts something real
    expect(footprint).toBeLessThan(BUDGET_BYTES);
  });
});
