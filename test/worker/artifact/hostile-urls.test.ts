/**
 * Defence in depth for catalogue URLs: an artifact carrying `javascript:` or `data:text/html`
 * image/product URLs (built by an older trainer or by hand) is served with those fields emptied,
 * on every route that shows item metadata, while http(s) links and inline images pass.
 */
import { env as workerEnv } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeArtifact, stringAt, stringTable } from "../../../src/artifact/index.ts";
import { createApp } from "../../../src/app.ts";
import type { Env } from "../../../src/config.ts";
import { syntheticArtifact } from "../../../tools/dev/synthetic-artifact.ts";
import { publish, versionId } from "../support/publish.ts";

const env = workerEnv as unknown as Env;
const VERSION = versionId(1901);
const app = createApp();
const HOSTILE = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", " JAVASCRIPT:alert(document.cookie)"];
let ids: string[];

beforeAll(async () => {
  const a = syntheticArtifact({ items: 60, users: 10, version: VERSION });
  const n = a.header.counts.items;
  ids = Array.from({ length: n }, (_, i) => stringAt(a.items.ids, i));
  // Items 0-2 hostile, item 3 an inline image and an https link, the rest as built.
  a.items.imageUrls = stringTable(Array.from({ length: n }, (_, i) => (i < 3 ? HOSTILE[i] : i === 3 ? "data:image/png;base64,iVBORw0KGgo=" : stringAt(a.items.imageUrls, i))));
  a.items.urls = stringTable(Array.from({ length: n }, (_, i) => (i < 3 ? HOSTILE[(i + 1) % 3] : i === 3 ? "https://shop.example/p/3" : stringAt(a.items.urls, i))));
  await publish(env.ARTIFACTS, VERSION, await encodeArtifact(a));
});

async function json(path: string): Promise<any> {
  const res = await app.request(`http://edgerec.test${path}`, {}, env);
  expect(res.status).toBe(200);
  return res.json();
}

describe("hostile catalogue URLs", () => {
  it("/v1/items/:id empties javascript: and data:text/html image and product URLs, keeps safe ones", async () => {
    for (let i = 0; i < 3; i++) {
      const { item } = await json(`/v1/items/${encodeURIComponent(ids[i])}`);
      expect(item.image).toBe("");
      expect(item.url).toBe("");
    }
    const { item } = await json(`/v1/items/${encodeURIComponent(ids[3])}`);
    expect(item.image).toBe("data:image/png;base64,iVBORw0KGgo=");
    expect(item.url).toBe("https://shop.example/p/3");
  });

  it("no list route (popular, similar, basket) hands a hostile URL out", async () => {
    const bodies = [
      await json("/v1/popular?k=60"),
      ...(await Promise.all(ids.slice(0, 6).map((id) => json(`/v1/items/${encodeURIComponent(id)}/similar?k=20`)))),
    ];
    const basket = await app.request("http://edgerec.test/v1/recommendations", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ items: ids.slice(3, 8), k: 20 }) }, env);
    bodies.push(await basket.json());
    const text = JSON.stringify(bodies);
    expect(text).not.toMatch(/javascript:|data:text\/html/i);
  });
});
