/**
 * The widget's `user-token` attribute in headless Chromium against the real worker with
 * USER_TOKEN_SECRET set: a store page with the backend-signed token gets the shopper's own
 * recommendations; without it the API answers 401 and the widget hides quietly.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { hasChromium, watchProblems } from "../support/browser.ts";
import { storePage, type LocalServer } from "../support/http-server.ts";
import type { SampleArtifact } from "../support/sample-artifact.ts";
import type { RunningWorker } from "../support/real-worker.ts";
import { startStoreFixture, type StoreFixture } from "../support/store-fixture.ts";

const SECRET = "widget-test-secret-4242";
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 50 });

describe.skipIf(!hasChromium)("widget user-token attribute", () => {
  let fixture: StoreFixture;
  let browser: Browser;
  let sample: SampleArtifact;
  let worker: RunningWorker;
  let store: LocalServer;

  beforeAll(async () => {
    fixture = await startStoreFixture({ vars: { USER_TOKEN_SECRET: SECRET } });
    ({ browser, sample, worker, store } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  const user = () => sample.store.interactions.userIds[sample.store.interactions.users[0]];
  const sign = (id: string, expires: number) => `${expires}.${createHmac("sha256", SECRET).update(`${id}.${expires}`).digest("base64url")}`;

  it("renders the shopper's recommendations with the signed token and hides without it", async () => {
    const id = user();
    const token = sign(id, Math.floor(Date.now() / 1000) + 3600);
    const expected = (await (await fetch(`${worker.origin}/v1/users/${encodeURIComponent(id)}/recommendations?k=4&token=${token}`)).json()) as { strategy: string; items: { title: string }[] };
    expect(expected.strategy).not.toBe("popular");
    fixture.setPage(storePage(
      `${worker.origin}/widget.js`,
      `<edgerec-recommendations id="signed" api="${worker.origin}" user="${id}" user-token="${token}" k="4"></edgerec-recommendations>
       <edgerec-recommendations id="unsigned" api="${worker.origin}" user="${id}" k="4"></edgerec-recommendations>`,
    ));
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(store.origin);
    await poll(() => page.locator('#signed li[part="card"]').count()).toBe(4);
    expect(await page.locator('#signed [part="title"]').allTextContents()).toEqual(expected.items.map((i) => i.title));
    await poll(() => page.locator("#unsigned").evaluate((el) => (el as HTMLElement).hidden)).toBe(true);
    expect(problems.errors).toEqual([]);
    await page.close();
  });
});
