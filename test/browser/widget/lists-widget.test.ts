/**
 * The widget's list modes in real headless Chromium against the canned API: trending, bought
 * together, and recently viewed (kept in the store origin's localStorage, no server state).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import { hasChromium, launchChromium, watchProblems } from "../support/browser.ts";
import { send, startServer, storePage, type LocalServer } from "../support/http-server.ts";
import { startCannedApi, type CannedApi } from "../support/canned-api.ts";

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 50 });

describe.skipIf(!hasChromium)("widget list modes in Chromium", () => {
  let browser: Browser;
  let api: CannedApi;
  let store: LocalServer;
  const pages = new Map<string, string>();

  beforeAll(async () => {
    [browser, api] = await Promise.all([launchChromium(), startCannedApi()]);
    store = await startServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const html = pages.get(path);
      if (html) send(res, 200, "text/html; charset=utf-8", html);
      else send(res, 404, "text/plain", "no such page");
    });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await store?.close();
  });

  async function open(context: BrowserContext, name: string, attributes: string) {
    pages.set(`/${name}`, storePage(`${api.origin}/widget.js`, `<edgerec-recommendations api="${api.origin}" ${attributes}></edgerec-recommendations>`));
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${store.origin}/${name}`);
    return { page, problems, cards: page.locator("edgerec-recommendations").locator('li[part="card"]') };
  }

  it("mode=trending and mode=together call their routes and render the cards", async () => {
    const context = await browser.newContext();
    const trending = await open(context, "trending", 'mode="trending" k="4"');
    await poll(() => trending.cards.count()).toBe(4);
    await poll(() => trending.cards.first().textContent()).toContain("trending product 1");
    const together = await open(context, "together", 'mode="together" item="bread" k="3"');
    await poll(() => together.cards.count()).toBe(3);
    await poll(() => together.cards.first().textContent()).toContain("with bread product 1");
    expect(api.requests.map((r) => r.url)).toEqual(expect.arrayContaining(["/v1/trending?k=4", "/v1/items/bread/together?k=3"]));
    expect(trending.problems.errors).toEqual([]);
    await context.close();
  });

  it("mode=recent shows the items viewed before on this store, newest first, from localStorage only", async () => {
    const context = await browser.newContext();
    await (await open(context, "p-a", 'item="a" k="2"')).cards.first().waitFor();
    await (await open(context, "p-b", 'item="b" k="2"')).cards.first().waitFor();
    await (await open(context, "p-missing", 'item="missing" k="2"')).page.waitForTimeout(50);
    const before = api.requests.length;
    const recent = await open(context, "p-c", 'item="c" mode="recent" k="5" heading="Recently viewed"');
    await poll(() => recent.cards.count()).toBe(2);
    await poll(() => recent.cards.nth(0).textContent()).toContain("Viewed b");
    await poll(() => recent.cards.nth(1).textContent()).toContain("Viewed a");
    // Only item metadata was read (no list route, no write of any kind); the unknown item is left out.
    const calls = api.requests.slice(before).map((r) => `${r.method} ${r.url}`);
    expect(calls.sort()).toEqual(["GET /v1/items/a", "GET /v1/items/b", "GET /v1/items/missing"]);
    const stored = await recent.page.evaluate(() => localStorage.getItem("edgerec:recent"));
    expect(JSON.parse(stored!)).toEqual(["c", "missing", "b", "a"]);
    // Another browser (fresh storage) has nothing to show: the widget hides itself.
    const other = await browser.newContext();
    const empty = await open(other, "p-c", 'item="c" mode="recent" k="5"');
    await poll(() => empty.page.locator("edgerec-recommendations").evaluate((el) => (el as HTMLElement).hidden)).toBe(true);
    await other.close();
    await context.close();
  });
});
