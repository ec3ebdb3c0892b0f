/** The worker serving a real artifact built by the trainer from generated data (see ../support/global-setup.ts). */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { client, download, publishR2, unpublishAll } from "../support/helpers.ts";

const { trained, trainedNote } = inject("artifacts");

describe("serving a trainer-built artifact", () => {
  it("was built during setup", () => {
    expect(trainedNote).toBe("");
    expect(trained).not.toBeNull();
  });

  const api = client();
  beforeAll(async () => {
    if (!trained) return;
    await unpublishAll();
    await publishR2(trained.version, await download(trained.url));
  });

  it.skipIf(!trained)("similar items of a warm item come from the model's neighbours", async () => {
    const { status, body } = await api.json(`/v1/items/${encodeURIComponent(trained!.warmItem)}/similar?k=5`);
    expect(status).toBe(200);
    expect(body.version).toBe(trained!.version);
    expect(body.source).toBe("collaborative");
    expect(body.items.length).toBeGreaterThan(0);
    for (const item of body.items) {
      expect(item.title).toBeTruthy();
      expect(item.reason).toMatch(/^(similar to|popular)/);
    }
  });

  it.skipIf(!trained?.coldItem)("a catalogue-only (cold) item still gets similar items from its metadata", async () => {
    const { status, body } = await api.json(`/v1/items/${encodeURIComponent(trained!.coldItem!)}/similar?k=5`);
    expect(status).toBe(200);
    expect(["content", "popular"]).toContain(body.source);
    expect(body.items).toHaveLength(5);
  });

  it.skipIf(!trained)("users, basket, popular, score and model all answer from the trained artifact", async () => {
    const user = await api.json(`/v1/users/${encodeURIComponent(trained!.user)}/recommendations?k=5`);
    expect(user.status).toBe(200);
    expect(user.body.fallback).toBeUndefined();
    expect(user.body.items).toHaveLength(5);
    const basket = await api.post("/v1/recommendations", { items: [trained!.warmItem], k: 5 });
    expect(basket.status).toBe(200);
    expect((await api.json("/v1/popular?k=3")).body.items).toHaveLength(3);
    const score = await api.post("/v1/score", { pairs: [{ user: trained!.user, item: trained!.warmItem }] });
    const scored = (await score.json()) as any;
    expect(typeof scored.scores[0].score).toBe("number");
    const model = await api.json("/v1/model");
    expect(model.body.model.type).toBeTruthy();
    expect(model.body.metrics).toHaveProperty(["ndcg@10"]);
    // Where the served model's data came from, as the trainer recorded it.
    expect(model.body.trainedOn).toMatchObject({ source: "generated sample store (seed 11)", generatedSample: true });
    expect(model.body.trainedOn.interactions).toBeGreaterThan(0);
    expect(model.body.trainedOn.lastTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});
