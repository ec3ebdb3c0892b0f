/**
 * The built /widget.js in real headless Chromium, embedded cross-origin on a plain store page,
 * against a canned API (so failures can be provoked). The end-to-end run against the real
 * worker and artifact is demo.test.ts.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { hasChromium, launchChromium, screenshot, watchProblems, type PageProblems } from "../support/browser.ts";
import { send, startServer, storePage, type LocalServer } from "../support/http-server.ts";
import { CANNED_VERSION, startCannedApi, type CannedApi } from "../support/canned-api.ts";

/** Waits for a condition in the page; generous, because 2 shared cores can be slow under a full test run. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 50 });

describe.skipIf(!hasChromium)("<edgerec-recommendations> in Chromium", () => {
  let browser: Browser;
  let api: CannedApi;
  let store: LocalServer;
  const pages = new Map<string, string>();
  const pageHeaders = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    [browser, api] = await Promise.all([launchChromium(), startCannedApi()]);
    store = await startServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const html = pages.get(path);
      if (path === "/favicon.ico") send(res, 204, "image/x-icon", "");
      else if (html) send(res, 200, "text/html; charset=utf-8", html, pageHeaders.get(path));
      else send(res, 404, "text/plain", "no such page");
    });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await store?.close();
  });

  /** Serves `body` on the store origin below the snippet and opens it. */
  async function open(name: string, body: string, csp?: (html: string) => string): Promise<{ page: Page; problems: PageProblems }> {
    const html = storePage(`${api.origin}/widget.js`, body);
    pages.set(`/${name}`, html);
    if (csp) pageHeaders.set(`/${name}`, { "content-security-policy": csp(html) });
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems = watchProblems(page);
    await page.goto(`${store.origin}/${name}`);
    return { page, problems };
  }

  const cards = (page: Page, selector = "edgerec-recommendations") =>
    page.locator(selector).locator('li[part="card"]'); // playwright locators pierce open shadow roots

  it("renders k accessible cards with titles, lazy images and formatted prices for an item", async () => {
    const { page, problems } = await open(
      "item",
      `<edgerec-recommendations api="${"API"}" item="oat-milk" k="6" layout="grid" heading="Customers also bought" currency="EUR" locale="de-DE"></edgerec-recommendations>`.replace(
        "API",
        api.origin,
      ),
    );
    await poll(() => cards(page).count()).toBe(6);
    const titles = await page.locator('edgerec-recommendations [part="title"]').allTextContents();
    expect(titles).toEqual(Array.from({ length: 6 }, (_, i) => `oat-milk product ${i + 1}`));
    const prices = await page.locator('edgerec-recommendations [part="price"]').allTextContents();
    expect(prices[0].replace(/\s/g, " ")).toBe("1,99 €");
    const img = page.locator('edgerec-recommendations img[part="image"]').first();
    expect(await img.getAttribute("loading")).toBe("lazy");
    expect(await img.getAttribute("alt")).toBe("oat-milk product 1");
    expect(await page.getByRole("list", { name: "Customers also bought" }).count()).toBe(1);
    expect(await page.getByRole("heading", { name: "Customers also bought" }).count()).toBe(1);
    expect(await page.locator('edgerec-recommendations a[part="link"]').first().getAttribute("href")).toContain("#item-oat-milk-0");
    expect(api.requests.filter((r) => r.url.startsWith("/v1/items/oat-milk/similar"))).toEqual([
      { method: "GET", url: "/v1/items/oat-milk/similar?k=6", body: "" },
    ]);
    await screenshot(page, "widget-grid");
    expect(problems.errors).toEqual([]);
    expect(problems.failedResources).toEqual([]);
    await page.close();
  });

  it("shows a neutral placeholder, never a broken-image icon, when an image fails to load", async () => {
    const { page } = await open("broken-images", `<edgerec-recommendations api="${api.origin}" item="broken-images" k="3" layout="grid"></edgerec-recommendations>`);
    await poll(() => cards(page).count()).toBe(3);
    await poll(() => page.locator('edgerec-recommendations div.ph[part="image"]').count()).toBe(3);
    expect(await page.locator('edgerec-recommendations img[part="image"]').count()).toBe(0);
    expect(await page.locator('edgerec-recommendations div.ph[part="image"]').first().getAttribute("aria-label")).toBe("broken-images product 1");
    await page.close();
  });

  it("fires one impression per visible card and a click event with id, position and version", async () => {
    const { page, problems } = await open(
      "events",
      `<edgerec-recommendations api="${api.origin}" item="tea" k="4" layout="grid"></edgerec-recommendations>`,
    );
    await poll(() => cards(page).count()).toBe(4);
    const impressions = () =>
      page.evaluate(() => (window as any).__events.filter((e: any) => e.type === "edgerec:impression").map((e: any) => e.detail));
    await poll(async () => (await impressions()).length).toBe(4);
    await page.mouse.wheel(0, 300);
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(200);
    const seen = await impressions();
    expect(seen).toHaveLength(4); // still once per item
    expect(seen.map((d: any) => d.position).sort()).toEqual([0, 1, 2, 3]);
    expect(seen[0]).toMatchObject({ version: CANNED_VERSION });
    await cards(page).nth(2).locator("a").click();
    const clicks = await page.evaluate(() => (window as any).__events.filter((e: any) => e.type === "edgerec:click").map((e: any) => e.detail));
    expect(clicks).toEqual([{ id: "tea-2", position: 2, version: CANNED_VERSION }]);
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it("only reports impressions for cards scrolled into view", async () => {
    const { page } = await open(
      "below-fold",
      `<div style="height:2000px">spacer</div><edgerec-recommendations api="${api.origin}" item="far" k="3" layout="grid"></edgerec-recommendations>`,
    );
    await poll(() => cards(page).count()).toBe(3);
    await page.waitForTimeout(300);
    const count = () => page.evaluate(() => (window as any).__events.filter((e: any) => e.type === "edgerec:impression").length);
    expect(await count()).toBe(0);
    await page.locator("edgerec-recommendations").scrollIntoViewIfNeeded();
    await poll(count).toBe(3);
    await page.close();
  });

  for (const [item, reason, failedLoads] of [
    ["missing", "error", 1],
    ["boom", "error", 1],
    ["slow", "timeout", 0],
    ["empty", "empty", 0],
    ["garbage", "error", 0],
  ] as const) {
    it(`hides itself without breaking the page when the API answers ${item}`, async () => {
      const { page, problems } = await open(
        `fail-${item}`,
        `<edgerec-recommendations api="${api.origin}" item="${item}" k="4" timeout="400"></edgerec-recommendations>`,
      );
      await poll(() => page.evaluate(() => (window as any).__events.filter((e: any) => e.type === "edgerec:hidden").length)).toBe(1);
      const state = await page.evaluate(() => {
        const el = document.querySelector("edgerec-recommendations") as HTMLElement;
        return { hidden: el.hidden, height: el.getBoundingClientRect().height, reason: (window as any).__events[0].detail.reason };
      });
      expect(state).toEqual({ hidden: true, height: 0, reason });
      await expect(page.locator("#after").isVisible()).resolves.toBe(true);
      if (item === "boom") await screenshot(page, "widget-hidden-on-500");
      expect(problems.errors).toEqual([]);
      // Chromium itself logs a line for an HTTP error response; nothing else may reach the console.
      expect(problems.failedResources).toHaveLength(failedLoads);
      await page.close();
    });
  }

  it("shows a skeleton while loading, then re-fetches once when several attributes change", async () => {
    const { page, problems } = await open(
      "refetch",
      `<edgerec-recommendations api="${api.origin}" item="slow" k="3" timeout="2500"></edgerec-recommendations>`,
    );
    await poll(() => page.locator("edgerec-recommendations li.sk").count()).toBe(3);
    expect(await page.locator('edgerec-recommendations ul[aria-busy="true"]').count()).toBe(1);
    await screenshot(page, "widget-skeleton");
    const before = api.requests.length;
    await page.evaluate(() => {
      const el = document.querySelector("edgerec-recommendations")!;
      el.setAttribute("item", "coffee");
      el.setAttribute("k", "5");
      el.setAttribute("heading", "Goes well with coffee");
    });
    await poll(() => cards(page).count()).toBe(5);
    expect(api.requests.slice(before).map((r) => r.url)).toEqual(["/v1/items/coffee/similar?k=5"]);
    expect(await page.getByRole("heading", { name: "Goes well with coffee" }).count()).toBe(1);
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it("asks for basket recommendations with one POST for a cart, and for a user's", async () => {
    const { page, problems } = await open(
      "cart",
      `<edgerec-recommendations id="cart" api="${api.origin}" items="a1, b2" k="3" heading="Complete your basket" category="Pantry"></edgerec-recommendations>
       <edgerec-recommendations id="user" api="${api.origin}" user="u 7" k="2" heading="For you" currency="USD" locale="en-US"></edgerec-recommendations>
       <edgerec-recommendations id="popular" api="${api.origin}" k="2" category="Snacks & Nuts"></edgerec-recommendations>`,
    );
    await poll(() => cards(page, "#cart").count()).toBe(3);
    await poll(() => cards(page, "#user").count()).toBe(2);
    const post = api.requests.find((r) => r.method === "POST" && r.url === "/v1/recommendations")!;
    expect(JSON.parse(post.body)).toEqual({ items: ["a1", "b2"], k: 3, filters: { category: "Pantry" } });
    await poll(() => cards(page, "#popular").count()).toBe(2);
    expect(api.requests.some((r) => r.url === "/v1/popular?k=2&category=Snacks+%26+Nuts")).toBe(true);
    expect(api.requests.some((r) => r.url === "/v1/users/u%207/recommendations?k=2")).toBe(true);
    expect(await page.locator('#user [part="price"]').first().textContent()).toBe("$1.99");
    await screenshot(page, "widget-carousel-cart-and-user");
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it("sends the recently viewed items, oldest first, as the basket request's recent list", async () => {
    const before = api.requests.length;
    const { page, problems } = await open(
      "recent",
      `<edgerec-recommendations id="recent" api="${api.origin}" recent="v1, v2 ,v3" items="c1" k="3"></edgerec-recommendations>
       <edgerec-recommendations id="viewed" api="${api.origin}" recent="v9" k="2"></edgerec-recommendations>`,
    );
    await poll(() => cards(page, "#recent").count()).toBe(3);
    await poll(() => cards(page, "#viewed").count()).toBe(2);
    const posts = api.requests.slice(before).filter((r) => r.method === "POST").map((r) => JSON.parse(r.body));
    expect(posts).toContainEqual({ items: ["c1"], recent: ["v1", "v2", "v3"], k: 3 });
    expect(posts).toContainEqual({ items: [], recent: ["v9"], k: 2 });
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it("is themable from the host page with custom properties and ::part, and scrolls as a carousel", async () => {
    const { page, problems } = await open(
      "theme",
      `<style>
         edgerec-recommendations{--edgerec-card-width:150px;--edgerec-border:rgb(0, 128, 0)}
         edgerec-recommendations::part(price){color:rgb(200, 0, 0)}
         edgerec-recommendations::part(heading){font-style:italic}
       </style>
       <div style="width:520px"><edgerec-recommendations api="${api.origin}" item="jam" k="8" heading="Themed"></edgerec-recommendations></div>`,
    );
    await poll(() => cards(page).count()).toBe(8);
    const look = await page.evaluate(() => {
      const root = document.querySelector("edgerec-recommendations")!.shadowRoot!;
      const style = (sel: string) => getComputedStyle(root.querySelector(sel)!);
      return {
        price: style('[part="price"]').color,
        heading: style('[part="heading"]').fontStyle,
        border: style('[part="link"]').borderTopColor,
        cardWidth: Math.round(root.querySelector('[part="card"]')!.getBoundingClientRect().width),
      };
    });
    expect(look).toEqual({ price: "rgb(200, 0, 0)", heading: "italic", border: "rgb(0, 128, 0)", cardWidth: 150 });
    const forward = page.getByRole("button", { name: "Scroll forward" });
    const back = page.getByRole("button", { name: "Scroll back" });
    await poll(() => forward.isVisible()).toBe(true);
    expect(await back.isVisible()).toBe(false);
    await screenshot(page, "widget-carousel-themed");
    await forward.click();
    await poll(() => back.isVisible()).toBe(true);
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it("lets a single-page store cancel edgerec:click to route by itself", async () => {
    const { page } = await open(
      "spa",
      `<script>document.addEventListener("edgerec:click", e => { e.preventDefault(); window.__routed = e.detail.id; });</script>
       <edgerec-recommendations api="${api.origin}" item="spa" k="2" layout="grid"></edgerec-recommendations>`,
    );
    await poll(() => cards(page).count()).toBe(2);
    const before = page.url();
    await cards(page).nth(1).locator("a").click();
    expect(await page.evaluate(() => (window as any).__routed)).toBe("spa-1");
    expect(page.url()).toBe(before); // the link's #item-spa-1 was not followed
    await page.close();
  });

  it("treats catalogue data as text: markup in titles is not parsed, script URLs never reach href or src", async () => {
    const { page, problems } = await open("hostile", `<edgerec-recommendations api="${api.origin}" item="hostile" k="3"></edgerec-recommendations>`);
    await poll(() => cards(page).count()).toBe(1);
    expect(await page.locator('edgerec-recommendations [part="title"]').textContent()).toBe(`<img src=x onerror="window.__pwned=1">Tea`);
    expect(await page.locator("edgerec-recommendations a").getAttribute("href")).toBeNull();
    expect(await page.locator('edgerec-recommendations img').count()).toBe(0);
    await cards(page).first().locator("a").click();
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    expect(problems.errors).toEqual([]);
    await page.close();
  });

  it("works under a strict store CSP without 'unsafe-inline' (styles are a constructed stylesheet)", async () => {
    // Allow exactly the page's own inline <style>/<script> by hash, the widget's origin, data: images.
    const hashes = (html: string, tag: string) =>
      [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => `'sha256-${createHash("sha256").update(m[1]).digest("base64")}'`).join(" ");
    const csp = (html: string) =>
      `default-src 'none'; script-src ${api.origin} ${hashes(html, "script")}; style-src ${hashes(html, "style")}; connect-src ${api.origin}; img-src data:`;
    const { page, problems } = await open("strict-csp", `<edgerec-recommendations api="${api.origin}" item="csp" k="3" layout="grid"></edgerec-recommendations>`, csp);
    await poll(() => cards(page).count()).toBe(3);
    const radius = await page.evaluate(() => {
      const link = document.querySelector("edgerec-recommendations")!.shadowRoot!.querySelector('[part="link"]')!;
      return getComputedStyle(link).borderTopLeftRadius;
    });
    expect(radius).toBe("10px");
    expect(problems.errors).toEqual([]); // no "Refused to apply inline style"
    await page.close();
  });
});
