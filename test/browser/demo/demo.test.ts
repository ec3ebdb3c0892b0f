/**
 * End to end in headless Chromium: the real worker (src/index.ts in Miniflare's workerd) serving a
 * real artifact built by the trainer from the sample storefront. A plain store page on a second
 * loopback origin embeds the widget with the README snippet; the demo page at / is driven through
 * search → product → similar items, a shopper's recommendations, and a cart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { hasChromium, screenshot, watchProblems } from "../support/browser.ts";
import { storePage, type LocalServer } from "../support/http-server.ts";
import type { SampleArtifact } from "../support/sample-artifact.ts";
import type { RunningWorker } from "../support/real-worker.ts";
import { startStoreFixture, type StoreFixture } from "../support/store-fixture.ts";

/** Waits for a condition in the page; generous, because 2 shared cores can be slow under a full test run. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 50 });

interface ApiList {
  version: string;
  items: { id: string; title: string }[];
}

describe.skipIf(!hasChromium)("demo page and cross-origin widget against the real worker", () => {
  let fixture: StoreFixture;
  let browser: Browser;
  let sample: SampleArtifact;
  let worker: RunningWorker;
  let store: LocalServer;
  let otherStore: LocalServer;

  beforeAll(async () => {
    // Only `store` is on the API's CORS allowlist; `otherStore` is not.
    fixture = await startStoreFixture({ sample: { model: "hybrid" }, otherStores: 1 });
    ({ browser, sample, worker, store } = fixture);
    [otherStore] = fixture.otherStores;
  });

  afterAll(async () => {
    await fixture?.close();
  });

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(worker.origin + path);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  /** A warm item with collaborative neighbours, so its similar items are the model's. */
  function popularItemId(): string {
    const counts = new Map<string, number>();
    const { users, items, itemIds } = sample.store.interactions;
    for (let p = 0; p < users.length; p++) counts.set(itemIds[items[p]], (counts.get(itemIds[items[p]]) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  }

  const cardTitles = (page: Page, selector: string) => page.locator(`${selector} [part="title"]`).allTextContents();

  it("the two-line snippet on another origin renders k similar items from the artifact", async () => {
    const id = popularItemId();
    const expected = await api<ApiList>(`/v1/items/${encodeURIComponent(id)}/similar?k=5`);
    expect(expected.version).toBe(sample.version);
    fixture.setPage(storePage(
      `${worker.origin}/widget.js`,
      `<edgerec-recommendations api="${worker.origin}" item="${id}" k="5" heading="You may also like"></edgerec-recommendations>`,
    ));
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    const problems = watchProblems(page);
    await page.goto(store.origin);
    await poll(() => page.locator('edgerec-recommendations li[part="card"]').count()).toBe(5);
    expect(await cardTitles(page, "edgerec-recommendations")).toEqual(expected.items.map((i) => i.title));
    await poll(() => page.evaluate(() => (window as any).__events.filter((e: any) => e.type === "edgerec:impression").length))
      .toBeGreaterThan(0);
    const impression = await page.evaluate(() => (window as any).__events.find((e: any) => e.type === "edgerec:impression").detail);
    expect(impression.version).toBe(sample.version);
    await screenshot(page, "store-page-cross-origin");
    expect(problems.errors).toEqual([]);
    expect(problems.failedResources).toEqual([]);
    await page.close();
  });

  it("on a store origin missing from CORS_ORIGINS the widget hides quietly", async () => {
    fixture.setPage(storePage(`${worker.origin}/widget.js`, `<edgerec-recommendations item="${popularItemId()}" k="4"></edgerec-recommendations>`));
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(otherStore.origin);
    await poll(() => page.evaluate(() => (window as any).__events.map((e: any) => e.type))).toEqual(["edgerec:hidden"]);
    expect(await page.locator("edgerec-recommendations").evaluate((el) => (el as HTMLElement).hidden)).toBe(true);
    expect(problems.errors).toEqual([]); // only Chromium's own CORS line, nothing from the widget
    expect(problems.failedResources.every((line) => /CORS|Failed to load resource/.test(line))).toBe(true);
    await page.close();
  });

  it("demo: search → choose → similar items, shopper recommendations beside history, cart → basket, model card", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    await page.goto(worker.origin + "/");
    await poll(() => page.locator("#version-chip").textContent()).toBe(`model ${sample.version}`);

    // Search by a word of a known product's title.
    const target = sample.store.items.find((i) => i.id === popularItemId())!;
    const word = target.title!.split(/\s+/).find((w) => w.length >= 5) ?? target.title!.slice(0, 5);
    await page.locator("#search").fill(word);
    const options = page.locator("#search-results [role=option]");
    await poll(() => options.count()).toBeGreaterThan(0);
    const optionTitles = await page.locator("#search-results [role=option] > span > span:first-child").allTextContents();
    expect(optionTitles.every((t) => t.toLowerCase().includes(word.toLowerCase()))).toBe(true);
    await screenshot(page, "demo-autocomplete");
    const wanted = optionTitles.indexOf(target.title!);
    if (wanted >= 0) await options.nth(wanted).click();
    else {
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("Enter");
    }
    const chosenId = (await page.locator("#product .product").getAttribute("data-id"))!;
    expect(await page.locator("#similar").getAttribute("item")).toBe(chosenId);
    const similar = await api<ApiList>(`/v1/items/${encodeURIComponent(chosenId)}/similar?k=8`);
    await poll(() => cardTitles(page, "#similar")).toEqual(similar.items.map((i) => i.title));

    // A shopper: history on the left, recommendations beside it.
    const users = await api<{ users: { id: string; historyLength: number }[] }>("/v1/users?limit=40");
    const shopper = users.users[0];
    await page.locator("#user-select").selectOption(shopper.id);
    await poll(() => page.locator("#history li[data-id]").count()).toBe(Math.min(12, shopper.historyLength));
    const forUser = await api<ApiList>(`/v1/users/${encodeURIComponent(shopper.id)}/recommendations?k=8`);
    await poll(() => cardTitles(page, "#for-user")).toEqual(forUser.items.map((i) => i.title));

    // Cart: the chosen product, then one of its recommendations added via the demo.
    await page.locator("#add-to-cart").click();
    await poll(() => page.locator("#cart li").count()).toBe(1);
    await poll(() => page.locator('#basket li[part="card"]').count()).toBeGreaterThan(0);
    const basketIds = await page.locator('#basket li[part="card"]').evaluateAll((lis) => lis.map((li) => li.getAttribute("data-id")));
    expect(basketIds).not.toContain(chosenId);

    // Clicking a recommendation in the demo opens that product instead of leaving the page.
    const clicked = similar.items[1];
    await page.locator('#similar li[part="card"]').nth(1).locator("a").click();
    await poll(() => page.locator("#product .product").getAttribute("data-id")).toBe(clicked.id);
    expect(page.url()).toBe(worker.origin + "/");

    // The search box works from the keyboard too: ArrowDown moves the highlight, Enter chooses.
    await page.locator("#search").fill("");
    await page.locator("#search").pressSequentially(word.slice(0, 3).toLowerCase());
    await poll(() => options.count()).toBeGreaterThan(0);
    const n = await options.count();
    await page.keyboard.press("ArrowDown");
    const highlighted = options.nth(n > 1 ? 1 : 0);
    expect(await highlighted.getAttribute("aria-selected")).toBe("true");
    const highlightedId = await highlighted.getAttribute("data-id");
    await page.keyboard.press("Enter");
    await poll(() => page.locator("#product .product").getAttribute("data-id")).toBe(highlightedId);
    expect(await page.locator("#search").getAttribute("aria-expanded")).toBe("false");

    // Model card: version, the metrics the trainer measured, a chart.
    expect(await page.locator("#model-facts").textContent()).toContain(sample.version);
    const metricCells = await page.locator("#metrics tbody td:first-child").allTextContents();
    expect(metricCells.map((m) => m.replace(" ★", ""))).toEqual(Object.keys(sample.metrics));
    // The store's own candidates, the served one marked; no reference numbers from other datasets.
    const candidateCells = await page.locator("#candidates tbody td:first-child").allTextContents();
    expect(candidateCells).toEqual(["popularity", "hybrid ★"]);
    expect(await page.locator("#anchor-note").textContent()).toMatch(/best of this store's candidates on the validation split/);
    expect(await page.locator("#model-card, main").first().textContent()).not.toMatch(/MovieLens|Grocery|LightFM/);
    // The hybrid model's per-epoch loss, stored in the artifact, drawn as a line.
    expect(await page.locator("#chart-title").textContent()).toContain(`${sample.trainingHistory.length} epochs`);
    expect(await page.locator("#chart svg polyline").count()).toBe(1);

    await page.locator("#add-to-cart").click();
    await poll(() => page.locator("#cart li").count()).toBe(highlightedId === chosenId ? 1 : 2); // a product is in the cart once
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300);
    await screenshot(page, "demo-full");
    expect(problems.errors).toEqual([]);
    expect(problems.failedResources).toEqual([]);
    await page.close();
  });
});
