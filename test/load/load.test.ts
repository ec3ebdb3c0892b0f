/**
 * Heavy tests against a real local `wrangler dev` (npm run test:load; loopback only):
 *  1. 20,000 mixed requests at concurrency 64 — zero errors, p50/p99 reported;
 *  2. hot swap under load — a new version is published and `current` flipped mid-run:
 *     zero failed requests, every response wholly from one version (titles carry their
 *     version's marker), and after the swap window every response is from the new version.
 * Results are printed and written to $TMPDIR/edgerec-load-results.json.
 */
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringAt } from "../../src/artifact/index.ts";
import {
  type DevServer,
  mixedRequests,
  percentile,
  publishLocal,
  runPool,
  type Sample,
  startWranglerDev,
  tempDir,
  versionedArtifact,
  versionId,
  versionOf,
} from "./harness.ts";

const TOTAL = Number(process.env.EDGEREC_LOAD_REQUESTS ?? 20_000);
const CONCURRENCY = 64;
const SWAP_REQUESTS = Math.round(TOTAL / 2);
const RECHECK_SECONDS = 1;
/** After the flip: one re-check period plus the new version's load, with generous slack for 2 shared cores. */
const SWAP_WINDOW_MS = RECHECK_SECONDS * 1000 + 4000;

const persist = tempDir("edgerec-load-");
let dev: DevServer;
let itemIds: string[];
let userIds: string[];
const results: Record<string, unknown> = {};

beforeAll(async () => {
  const first = versionedArtifact(versionId(1));
  itemIds = Array.from({ length: first.header.counts.items }, (_, i) => stringAt(first.items.ids, i));
  userIds = Array.from({ length: first.header.counts.users }, (_, i) => stringAt(first.users.ids, i));
  await publishLocal(persist, first);
  // The rate limit (if configured) is for the public internet; this test is one client on loopback.
  dev = await startWranglerDev(persist, { ARTIFACT_RECHECK_SECONDS: String(RECHECK_SECONDS), RATE_LIMIT: "off" });
});

afterAll(async () => {
  await dev?.stop();
  rmSync(persist, { recursive: true, force: true });
  writeFileSync(join(tmpdir(), "edgerec-load-results.json"), JSON.stringify(results, null, 2));
});

function summarise(samples: Sample[]) {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const span = Math.max(...samples.map((s) => s.doneAt)) - Math.min(...samples.map((s) => s.doneAt - s.ms));
  const byRoute: Record<string, { n: number; p50: number; p99: number }> = {};
  for (const name of new Set(samples.map((s) => s.name))) {
    const r = samples.filter((s) => s.name === name).map((s) => s.ms).sort((a, b) => a - b);
    byRoute[name] = { n: r.length, p50: round(percentile(r, 50)), p99: round(percentile(r, 99)) };
  }
  return {
    requests: samples.length,
    errors: samples.filter((s) => s.status !== 200).length,
    p50Ms: round(percentile(ms, 50)),
    p99Ms: round(percentile(ms, 99)),
    maxMs: round(ms[ms.length - 1]),
    throughputRps: Math.round(samples.length / (span / 1000)),
    byRoute,
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

function firstErrors(samples: Sample[]): string {
  return samples
    .filter((s) => s.status !== 200)
    .slice(0, 5)
    .map((s) => `${s.name} ${s.status} ${s.error ?? s.body.slice(0, 200)}`)
    .join("\n");
}

describe("wrangler dev under load", () => {
  it(`answers ${TOTAL} mixed requests at concurrency ${CONCURRENCY} with zero errors`, async () => {
    const samples = await runPool(dev.url, mixedRequests(TOTAL, itemIds, userIds), CONCURRENCY);
    const summary = summarise(samples);
    results.mixed = { concurrency: CONCURRENCY, ...summary, workerReloads: dev.reloads() };
    console.log(`mixed load: ${JSON.stringify(summary)}`);
    expect(summary.errors, `${firstErrors(samples)}\nworker reloads during the run: ${dev.reloads()}`).toBe(0);
    for (const s of samples) expect(versionOf(s)).toBe(versionId(1));
  });

  it("swaps to a newly published version under load without a failed or mixed response", async () => {
    const requests = mixedRequests(SWAP_REQUESTS, itemIds, userIds, 7);
    const next = versionId(2);
    let flippedAt = Infinity;
    let publishing: Promise<void> | undefined;
    const samples = await runPool(dev.url, requests, CONCURRENCY, (_s, done) => {
      if (done === Math.round(SWAP_REQUESTS / 4) && !publishing) {
        // Publish (objects, then the pointer) while the pool keeps running.
        publishing = publishLocal(persist, versionedArtifact(next)).then((r) => {
          flippedAt = r.publishedAt;
        });
      }
    });
    await publishing;
    const summary = summarise(samples);
    const versions = samples.map((s) => (s.status === 200 ? versionOf(s) : "error"));
    const before = versions.filter((v) => v === versionId(1)).length;
    const after = versions.filter((v) => v === next).length;
    const afterWindow = samples.map((s, i) => ({ s, v: versions[i] })).filter(({ s }) => s.doneAt - s.ms > flippedAt + SWAP_WINDOW_MS);
    const firstNew = Math.min(...samples.filter((_, i) => versions[i] === next).map((s) => s.doneAt));
    results.hotSwap = {
      ...summary,
      fromOld: before,
      fromNew: after,
      swapVisibleAfterMs: round(firstNew - flippedAt),
      requestsAfterWindow: afterWindow.length,
      oldAfterWindow: afterWindow.filter(({ v }) => v !== next).length,
      recheckSeconds: RECHECK_SECONDS,
      workerReloads: dev.reloads(),
    };
    console.log(`hot swap: ${JSON.stringify(results.hotSwap)}`);
    expect(summary.errors, `${firstErrors(samples)}\nworker reloads during the run: ${dev.reloads()}`).toBe(0);
    expect(before + after).toBe(samples.length);
    expect(before).toBeGreaterThan(0);
    expect(afterWindow.length).toBeGreaterThan(100);
    expect(afterWindow.every(({ v }) => v === next)).toBe(true);
  });
});
