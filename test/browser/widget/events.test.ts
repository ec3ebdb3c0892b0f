/**
 * Shopper events from the browser to R2, in headless Chromium against the real worker (Miniflare's
 * workerd with the events queue and its consumer): the widget's impressions (once per card, when
 * half visible) and clicks carry recId, variant, placement and position and are flushed with
 * sendBeacon on pagehide; `track()` sends the store's own events; `no-track` sends nothing; the
 * demo's add-to-cart and Buy buttons send events.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { hasChromium, watchProblems } from "../support/browser.ts";
import { storePage, type LocalServer } from "../support/http-server.ts";
import type { SampleArtifact } from "../support/sample-artifact.ts";
import type { RunningWorker } from "../support/real-worker.ts";
import { startStoreFixture, type StoreFixture } from "../support/store-fixture.ts";

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });

describe.skipIf(!hasChromium)("events from the widget, track() and the demo", () => {
  let fixture: StoreFixture;
  let browser: Browser;
  let sample: SampleArtifact;
  let worker: RunningWorker;
  let store: LocalServer;

  beforeAll(async () => {
    fixture = await startStoreFixture({ sample: { model: "itemknn" } });
    ({ browser, sample, worker, store } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it("impressions once per half-visible card, a click, and track(): all reach R2 after pagehide", async () => {
    const item = sample.store.interactions.itemIds[0];
    fixture.setPage(storePage(
      `${worker.origin}/widget.js`,
      `<div style="height:1500px">spacer</div>
       <edgerec-recommendations item="${item}" k="4" layout="grid" placement="pdp" user="shopper-1"></edgerec-recommendations>
       <edgerec-recommendations item="${item}" k="3" placement="quiet" no-track></edgerec-recommendations>
       <script type="module">import { track } from "${worker.origin}/widget.js"; window.buy = () => track("purchase", { user: "shopper-1", item: "${item}", price: 9.5, quantity: 2 });</script>`,
    ));
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    const problems = watchProblems(page);
    await page.goto(`${store.origin}/`);
    const cards = page.locator('edgerec-recommendations[placement="pdp"] li[part="card"]');
    await poll(() => cards.count()).toBe(4);
    // Nothing is on screen yet (below the spacer): no impression.
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as any).__events.filter((e: any) => e.type === "edgerec:impression").length)).toBe(0);
    await page.locator('edgerec-recommendations[placement="pdp"]').scrollIntoViewIfNeeded();
    await page.locator('edgerec-recommendations[placement="quiet"]').scrollIntoViewIfNeeded();
    await poll(() => page.evaluate(() => (window as any).__events.filter((e: any) => e.type === "edgerec:impression" && e.detail.placement === "pdp").length)).toBe(4);
    // Scrolling away and back does not count a card twice.
    await page.mouse.wheel(0, -1500);
    await page.locator('edgerec-recommendations[placement="pdp"]').scrollIntoViewIfNeeded();
    await page.evaluate(() => document.addEventListener("edgerec:click", (e) => e.preventDefault()));
    await cards.nth(1).click();
    await page.evaluate(() => (window as any).buy());
    await page.goto("about:blank"); // pagehide → sendBeacon
    await page.close();

    await poll(async () => (await worker.storedEvents()).length).toBeGreaterThanOrEqual(6);
    const stored = await worker.storedEvents();
    const impressions = stored.filter((e) => e.type === "impression");
    expect(impressions).toHaveLength(4);
    expect(new Set(impressions.map((e) => e.position))).toEqual(new Set([0, 1, 2, 3]));
    for (const e of impressions) expect(e).toMatchObject({ user: "shopper-1", placement: "pdp", variant: "control", recId: expect.stringMatching(/^[0-9a-z]{10,}$/) });
    const click = stored.find((e) => e.type === "click");
    expect(click).toMatchObject({ position: 1, placement: "pdp", recId: impressions[0].recId });
    expect(stored.find((e) => e.type === "purchase")).toMatchObject({ user: "shopper-1", item, price: 9.5, quantity: 2 });
    // The no-track widget sent nothing.
    expect(stored.filter((e) => e.placement === "quiet")).toEqual([]);
    expect(problems.errors).toEqual([]);
  });

  it("the demo's add-to-cart and Buy buttons send events", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems = watchProblems(page);
    await page.goto(`${worker.origin}/`);
    const target = sample.store.items[0];
    const word = target.title!.split(/\s+/).find((w) => w.length >= 5) ?? target.title!.slice(0, 5);
    await page.locator("#search").fill(word);
    await page.locator('[role="option"]').first().click();
    const chosen = await page.locator("#product .product").getAttribute("data-id");
    await page.locator("#add-to-cart").click();
    await page.locator("#buy").click();
    await poll(() => page.locator("#cart-empty").textContent()).toMatch(/Thank you: 1 item bought/);
    await page.close();
    // Objects are listed by key, not by time: pick the demo's events (no shopper chosen, so a session) out by item.
    const demoTypes = async () => (await worker.storedEvents()).filter((e) => e.item === chosen && !e.recId && !e.user).map((e) => e.type);
    await poll(demoTypes).toEqual(expect.arrayContaining(["view", "add_to_cart", "purchase"]));
    const purchase = (await worker.storedEvents()).find((e) => e.item === chosen && e.type === "purchase" && !e.recId && !e.user);
    expect(purchase).toMatchObject({ quantity: 1, session: expect.any(String) });
    expect(problems.errors).toEqual([]);
  });
});
