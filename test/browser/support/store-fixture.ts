/**
 * The setup of the browser tests that run the widget against the real worker: headless
 * Chromium, a trained sample artifact served by the worker, and a shop on another origin whose
 * page the test writes (on the worker's CORS allowlist; `otherStores` more shops that are not).
 */
import type { Browser } from "playwright-core";
import { launchChromium } from "./browser.ts";
import { type LocalServer, send, startServer } from "./http-server.ts";
import { startWorker, type RunningWorker } from "./real-worker.ts";
import { buildSampleArtifact, type SampleArtifact, type SampleArtifactOptions } from "./sample-artifact.ts";

export interface StoreFixture {
  browser: Browser;
  sample: SampleArtifact;
  worker: RunningWorker;
  /** The shop on the API's CORS allowlist. */
  store: LocalServer;
  /** Shops serving the same page from origins the API does not allow. */
  otherStores: LocalServer[];
  /** The HTML every shop serves (at any path but /favicon.ico) from now on. */
  setPage(html: string): void;
  close(): Promise<void>;
}

export async function startStoreFixture(options: { sample?: SampleArtifactOptions; vars?: Record<string, string>; otherStores?: number } = {}): Promise<StoreFixture> {
  let html = "";
  const serveShop = () =>
    startServer((req, res) => (req.url === "/favicon.ico" ? send(res, 204, "image/x-icon", "") : send(res, 200, "text/html; charset=utf-8", html)));
  const started: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(p: Promise<T>) => p.then((x) => (started.push(x), x));
  const close = async () => {
    for (const s of started.reverse()) await s.close();
  };
  try {
    const [browser, sample, store, otherStores] = await Promise.all([
      track(launchChromium()),
      buildSampleArtifact(options.sample),
      track(serveShop()),
      Promise.all(Array.from({ length: options.otherStores ?? 0 }, () => track(serveShop()))),
    ]);
    const worker = await track(startWorker(sample.bytes, { CORS_ORIGINS: store.origin, ...options.vars }));
    return { browser, sample, worker, store, otherStores, setPage: (page) => void (html = page), close };
  } catch (err) {
    await close();
    throw err;
  }
}
