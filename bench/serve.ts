/**
 * `npm run bench:serve [-- --json] [-- --items 100000] [-- --no-http] [-- --no-merch] [-- --cold-only] [-- --seconds 4] [-- --cold-runs 2] [-- --range-bytes N] [-- --layout single|sharded|shards-only] [-- --http-layout default|single|sharded|shards-only]`
 *
 * Serving speed of the edge API on a synthetic catalogue (realistic titles, random vectors and
 * neighbour lists; see tools/dev/synthetic-artifact.ts):
 *  1. in process: `app.request()` under Node, medians of similar-items, /healthz, a
 *     10-item basket and an order-aware request (`sequenceMedianUs`: 20 recently viewed items
 *     plus a 2-item cart, scored with the recency weighting an order-aware model stores in the
 *     header) and a known user's list (`userMedianUs`: the vectors strategy re-ranking the
 *     neighbours of the user's history), measured in interleaved rounds so background load hits all alike;
 *  2. over HTTP against local `wrangler dev` (loopback, autocannon, concurrency 32, bounded
 *     by time): throughput of similar-items vs /healthz, p50/p99, non-2xx;
 *  3. cold start: the first artifact-backed response of a freshly started `wrangler dev`
 *     (R2 read + checksum + decode + answer), and the same for a fresh app in process. Over HTTP
 *     the artifact is published in the layout `edgerec build-artifact` would choose by default
 *     (sharded above 8 MiB; `--layout single|sharded` forces one), split on /healthz into
 *     manifest / id shard / data shard fetch + decode. `--cold-only` skips phases 1 and 2.
 *     A sharded version also carries its single object when it fits (progressive loading): the
 *     worker answers from shards, then swaps to it in the background; `shards-only` leaves it out.
 *  Phase 2 runs by default on the cold-start server itself (the default layout, `--http-layout
 *  default`), after waiting for that swap: what a long-lived isolate serves in steady state.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { type Artifact, artifactKey, CURRENT_KEY, encodeArtifact } from "../src/artifact/index.ts";
import { type ForcedLayout, seedLocalR2 } from "../tools/dev/seed-local-r2.ts";
import { syntheticArtifact } from "../tools/dev/synthetic-artifact.ts";
import { startWranglerDev } from "../tools/dev/wrangler-dev.ts";
import { parseArgs } from "./lib/args.ts";
import { merchPhase, OVERLAY_ITEMS } from "./lib/merch-bench.ts";
import { writeJsonLine } from "./lib/json-lines.ts";
import { formatTable } from "./lib/table.ts";

/**
 * The worker app is typed against @cloudflare/workers-types, which the Node-side tsconfig
 * (trainer/tsconfig.json, which also covers bench/) does not load: import it by a computed
 * path and describe the little this bench uses.
 */
interface BenchApp {
  request(path: string, init: RequestInit | undefined, env: Record<string, unknown>): Promise<Response>;
}
const APP_MODULE = "../src/app.ts";
const { createApp } = (await import(APP_MODULE)) as { createApp: () => BenchApp };

interface CannonResult {
  requests: { total: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number };
}
const autocannon = createRequire(import.meta.url)("autocannon") as (options: Record<string, unknown>) => Promise<CannonResult>;

const VERSION = "20261129T010000Z-be0c5e70";
const args = parseArgs(process.argv.slice(2));
const json = args.has("json");
const items = Number(args.get("items") ?? 100_000);
/** Shoppers in the synthetic catalogue (each with a history and a vector). */
const users = Math.floor(items / 5);
const seconds = Number(args.get("seconds") ?? 4);
const coldRuns = Number(args.get("cold-runs") ?? 2);
const layoutArg = (name: string): ForcedLayout | undefined => {
  const v = args.get(name);
  return v === "single" || v === "sharded" || v === "shards-only" ? v : undefined;
};
/** Layout of the cold start (`--layout`, default: what `edgerec build-artifact` chooses). */
const coldLayout = layoutArg("layout");
/** Layout of the HTTP throughput phase (`--http-layout`, default: the cold start's, measured on that server). */
const httpLayout: ForcedLayout | "default" = layoutArg("http-layout") ?? "default";
const log = (line: string) => process.stderr.write(`bench:serve: ${line}\n`);

const itemId = (i: number) => `P${(100000 + i).toString(36).toUpperCase()}`;

/** A stand-in for the R2 binding, holding objects in memory (the in-process phase measures the app, not storage). */
function memoryBucket(objects: Map<string, Uint8Array | string>): unknown {
  return {
    async get(key: string) {
      const v = objects.get(key);
      if (v === undefined) return null;
      return {
        text: async () => (typeof v === "string" ? v : new TextDecoder().decode(v)),
        arrayBuffer: async () => (typeof v === "string" ? new TextEncoder().encode(v) : v.slice()).buffer,
      };
    },
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

async function inProcess(bytes: Uint8Array) {
  const objects = new Map<string, Uint8Array | string>([
    [artifactKey(VERSION), bytes],
    [CURRENT_KEY, JSON.stringify({ version: VERSION, layout: "single", key: artifactKey(VERSION) })],
  ]);
  const env = { ARTIFACTS: memoryBucket(objects), ARTIFACT_RECHECK_SECONDS: "3600" };

  // Cold: a fresh app's first similar-items request loads, verifies and decodes the artifact.
  const coldTimes: number[] = [];
  let app = createApp();
  for (let r = 0; r < coldRuns; r++) {
    app = createApp();
    const t = performance.now();
    const res = await app.request(`/v1/items/${itemId(1)}/similar?k=10`, undefined, env);
    await res.text();
    coldTimes.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`cold request answered ${res.status}`);
  }

  const rng = (i: number) => (Math.imul(i + 1, 2654435761) >>> 0) % items;
  const basketBody = (i: number) => JSON.stringify({ items: Array.from({ length: 10 }, (_, j) => itemId(rng(i * 10 + j))), k: 10 });
  const sequenceBody = (i: number) =>
    JSON.stringify({ recent: Array.from({ length: 20 }, (_, j) => itemId(rng(i * 22 + j))), items: [itemId(rng(i * 22 + 20)), itemId(rng(i * 22 + 21))], k: 10 });
  const post = (body: string): [string, RequestInit] => [
    "/v1/recommendations",
    { method: "POST", headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }, body },
  ];
  const routes: Record<string, (i: number) => [string, RequestInit | undefined]> = {
    healthz: () => ["/healthz", undefined],
    similar: (i) => [`/v1/items/${itemId(rng(i))}/similar?k=10`, undefined],
    // Content-Length as any HTTP client sends it (app.request() would not add it by itself).
    basket: (i) => post(basketBody(i)),
    sequence: (i) => post(sequenceBody(i)),
    user: (i) => [`/v1/users/u${rng(i) % users}/recommendations?k=10`, undefined],
  };
  const samples: Record<string, number[]> = { healthz: [], similar: [], basket: [], sequence: [], user: [] };
  const once = async (route: string, i: number) => {
    const [path, init] = routes[route](i);
    const t = performance.now();
    const res = await app.request(path, init, env);
    await res.text();
    const dt = performance.now() - t;
    if (res.status !== 200) throw new Error(`${route} answered ${res.status}`);
    return dt;
  };
  // Warm-up reaches the steady state of a long-lived isolate: JIT done, and every item's
  // display fragment encoded once (one similar-items query per catalogue item).
  for (let i = 0; i < items; i++) await once("similar", i);
  for (const route of Object.keys(routes)) for (let i = 0; i < 3000; i++) await once(route, i);
  const rounds = 8;
  const perRound = 2500;
  for (let r = 0; r < rounds; r++) {
    for (const route of Object.keys(routes)) {
      for (let i = 0; i < perRound; i++) samples[route].push(await once(route, r * perRound + i));
    }
  }
  const us = (route: string) => median(samples[route]) * 1000;
  return {
    similarMedianUs: us("similar"),
    healthzMedianUs: us("healthz"),
    basketMedianUs: us("basket"),
    sequenceMedianUs: us("sequence"),
    userMedianUs: us("user"),
    similarP99Us: percentile(samples.similar, 0.99) * 1000,
    inProcessColdMs: median(coldTimes),
  };
}

/** The in-process phase's env (the R2 stand-in over the same bytes). */
function merchEnvOf(bytes: Uint8Array): Record<string, unknown> {
  const objects = new Map<string, Uint8Array | string>([
    [artifactKey(VERSION), bytes],
    [CURRENT_KEY, JSON.stringify({ version: VERSION, layout: "single", key: artifactKey(VERSION) })],
  ]);
  return { ARTIFACTS: memoryBucket(objects), ARTIFACT_RECHECK_SECONDS: "3600" };
}

async function cannon(url: string, paths: (i: number) => string) {
  let i = 0;
  const result = await autocannon({
    url,
    connections: 32,
    duration: seconds,
    requests: [{ method: "GET", setupRequest: (req: Record<string, unknown>) => ({ ...req, path: paths(i++) }) }],
  });
  return result;
}

interface ShardLoad {
  shard: number;
  kind: string;
  fetchMs: number;
  decodeMs: number;
  bytes: number;
}
interface ColdLoad {
  fetchMs: number;
  decodeMs: number;
  bytes: number;
  layout: "single" | "sharded";
  shards?: ShardLoad[];
  upgrade?: { status: string; error?: string };
  upgradedFromShards?: { afterMs: number; readStartedAfterMs: number; fetchMs: number; decodeMs: number; bytes: number; shardDecodes: number; manifest: { fetchMs: number; decodeMs: number }; shards: ShardLoad[] };
}

/** /healthz's `load`, polled until a sharded version has swapped to its single object (or has none, or failed). */
async function awaitUpgrade(url: string, timeoutMs = 120_000): Promise<{ load: ColdLoad; waitedMs: number }> {
  const t = performance.now();
  for (;;) {
    const { load } = (await (await fetch(`${url}/healthz`)).json()) as { load: ColdLoad };
    if (load.layout === "single" || load.upgrade?.status !== "loading" || performance.now() - t > timeoutMs) return { load, waitedMs: performance.now() - t };
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function overHttp(artifact: Artifact, bytes: Uint8Array) {
  const persist = mkdtempSync(join(tmpdir(), "edgerec-bench-serve-"));
  try {
    log(`seeding local R2 with the ${(bytes.byteLength / 1048576).toFixed(1)} MiB artifact…`);
    const { layout, why, objects, singleBeside, manifestBytes, idShards } = await seedLocalR2(persist, artifact, { bytes, layout: coldLayout });
    // What the report prints about the layout (a single object has no shards to describe).
    const seeded: { layout: "single" | "sharded"; why: string; objects: number; singleBeside?: boolean; manifestBytes?: number; idShards?: number } =
      layout === "single" ? { layout, why, objects } : { layout, why, objects, singleBeside, manifestBytes, idShards };
    log(`layout: ${seeded.layout}${seeded.singleBeside ? " + single object beside the shards" : ""} (${seeded.why}), ${seeded.objects} object(s)`);
    const httpOnColdServer = httpLayout === "default" || httpLayout === coldLayout;
    let upgrade: { layoutAfter: string; waitedMs: number; afterMs?: number; fetchMs?: number; decodeMs?: number; bytes?: number; shardDecodes?: number; error?: string } | null = null;
    const coldStarts: number[] = [];
    const coldFetch: number[] = [];
    const coldDecode: number[] = [];
    const coldShards: Record<string, { fetch: number[]; decode: number[]; bytes: number }> = {};
    let throughput: Record<string, number[]> = { healthz: [], similar: [] };
    let latency = { p50: [] as number[], p99: [] as number[] };
    let non2xx = 0;
    const similarPath = (i: number) => `/v1/items/${itemId((Math.imul(i + 7, 2654435761) >>> 0) % items)}/similar?k=10`;
    const throughputPhase = async (url: string) => {
      // Warm-up of both routes (JIT, artifact resident), then alternate them in ABBA order so
      // background load drifting over the phase hits both alike.
      await cannon(url, () => "/healthz");
      await cannon(url, (i) => similarPath(i + 1_000_000));
      // Short ABBA rounds: the other jobs on this VM swing a 4 s round's throughput by up to 2×.
      for (let r = 0; r < 6; r++) {
        for (const route of r % 2 === 0 ? (["healthz", "similar"] as const) : (["similar", "healthz"] as const)) {
          log(`autocannon ${route} (${seconds}s, 32 connections, ${httpLayout} layout)…`);
          const result = await cannon(url, route === "healthz" ? () => "/healthz" : similarPath);
          throughput[route].push(result.requests.total / (result.duration || seconds));
          non2xx += result.non2xx + result.errors + result.timeouts;
          if (route === "similar") {
            latency.p50.push(result.latency.p50);
            latency.p99.push(result.latency.p99);
          }
        }
      }
    };
    for (let run = 0; run < Math.max(1, coldRuns); run++) {
      log(`starting wrangler dev (run ${run + 1})…`);
      const server = await startWranglerDev({ persistDir: persist, readyPath: "/v1/not-a-route", vars: { ARTIFACT_RECHECK_SECONDS: "3600", ...(args.has("range-bytes") ? { ARTIFACT_RANGE_BYTES: String(args.get("range-bytes")) } : {}) } });
      try {
        const t = performance.now();
        const res = await fetch(`${server.url}/v1/items/${itemId(1)}/similar?k=10`);
        await res.arrayBuffer();
        coldStarts.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`cold request answered ${res.status}`);
        const health = (await (await fetch(`${server.url}/healthz`)).json()) as { load: ColdLoad };
        if (health.load.upgradedFromShards) log(`run ${run + 1}: single object read started ${health.load.upgradedFromShards.readStartedAfterMs} ms after the manifest`);
        // A version that already swapped to its single object keeps its sharded start on /healthz.
        const start = health.load.upgradedFromShards;
        coldFetch.push(start ? start.manifest.fetchMs : health.load.fetchMs);
        coldDecode.push(start ? start.manifest.decodeMs : health.load.decodeMs);
        // Sharded: the first id shard and data shard the first request read (the popular shard loads beside them).
        for (const kind of ["item-ids", "items", "popular"]) {
          const load = (start?.shards ?? health.load.shards)?.find((x) => x.kind === kind);
          if (!load) continue;
          const entry = (coldShards[kind] ??= { fetch: [], decode: [], bytes: load.bytes });
          entry.fetch.push(load.fetchMs);
          entry.decode.push(load.decodeMs);
        }
        if (run > 0 || args.has("cold-only") || !httpOnColdServer) continue;
        // Steady state: a sharded version with a single object swaps to it in the background first.
        const settled = await awaitUpgrade(server.url);
        const u = settled.load.upgradedFromShards;
        upgrade = { layoutAfter: settled.load.layout, waitedMs: settled.waitedMs, ...(u ? { afterMs: u.afterMs, fetchMs: u.fetchMs, decodeMs: u.decodeMs, bytes: u.bytes, shardDecodes: u.shardDecodes } : {}), ...(settled.load.upgrade?.error ? { error: settled.load.upgrade.error } : {}) };
        log(`serving layout after the first response: ${upgrade.layoutAfter}${u ? ` (swapped from shards ${u.afterMs} ms after the manifest: single object read ${u.fetchMs} ms, verify + decode ${u.decodeMs} ms)` : ""}`);
        await throughputPhase(server.url);
      } finally {
        await server.stop();
      }
    }
    if (!args.has("cold-only") && httpLayout !== "default" && !httpOnColdServer) {
      // `--http-layout` other than the cold start's: a second server with that layout, warmed the same way.
      const persistHttp = mkdtempSync(join(tmpdir(), "edgerec-bench-serve-http-"));
      try {
        log(`seeding local R2 with the ${httpLayout} layout for the throughput phase…`);
        await seedLocalR2(persistHttp, artifact, { bytes, layout: httpLayout });
        const server = await startWranglerDev({ persistDir: persistHttp, readyPath: "/v1/not-a-route", vars: { ARTIFACT_RECHECK_SECONDS: "3600" } });
        try {
          await (await fetch(`${server.url}/v1/items/${itemId(1)}/similar?k=10`)).arrayBuffer();
          const settled = await awaitUpgrade(server.url);
          upgrade = { layoutAfter: settled.load.layout, waitedMs: settled.waitedMs };
          await throughputPhase(server.url);
        } finally {
          await server.stop();
        }
      } finally {
        rmSync(persistHttp, { recursive: true, force: true });
      }
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0) || NaN;
    return {
      httpThroughputRatio: sum(throughput.similar) / sum(throughput.healthz),
      similarRps: sum(throughput.similar) / throughput.similar.length,
      healthzRps: sum(throughput.healthz) / throughput.healthz.length,
      p50Ms: median(latency.p50),
      p99Ms: Math.max(...latency.p99),
      non2xx,
      coldStartMs: median(coldStarts),
      coldStartRunsMs: coldStarts,
      coldFetchMs: median(coldFetch),
      coldDecodeMs: median(coldDecode),
      coldLayout: seeded,
      upgrade,
      coldShards: Object.fromEntries(Object.entries(coldShards).map(([k, v]) => [k, { fetchMs: median(v.fetch), decodeMs: median(v.decode), bytes: v.bytes }])),
    };
  } finally {
    rmSync(persist, { recursive: true, force: true });
  }
}

async function main() {
  log(`building a synthetic ${items}-item artifact…`);
  const artifact = syntheticArtifact({ items, users, version: VERSION, seed: 3 });
  // As an order-aware model (slist, recency decay 2) would publish it: every history is scored with its weighting.
  artifact.header.sequence = { decay: Math.exp(-1 / 2), historyLength: 50 };
  const bytes = await encodeArtifact(artifact);
  const coldOnly = args.has("cold-only");
  if (!coldOnly) log("in-process phase…");
  const proc = coldOnly ? null : await inProcess(bytes);
  if (!coldOnly) log("merchandising phase (10,000-item overlay, 20 rules)…");
  const merch = coldOnly || args.has("no-merch") ? null : await merchPhase({ bytes, items, itemId, createApp, env: merchEnvOf(bytes), log });
  const http = args.has("no-http") ? null : await overHttp(artifact, bytes);
  const metrics = { ...proc, ...(merch ?? {}), ...(http ?? {}), artifactMiB: bytes.byteLength / 1048576 };
  if (json) {
    writeJsonLine({ bench: "serve", items, metrics, at: new Date().toISOString() });
    return;
  }
  const rows: (string | number)[][] = !proc ? [] : [
    ["similar-items median (in process)", `${proc.similarMedianUs.toFixed(1)} µs`, "<= 50 µs"],
    ["/healthz median (in process)", `${proc.healthzMedianUs.toFixed(1)} µs`, ""],
    ["similar ÷ /healthz (in process)", (proc.similarMedianUs / proc.healthzMedianUs).toFixed(2), "<= 2"],
    ["basket of 10 median (in process)", `${proc.basketMedianUs.toFixed(1)} µs`, "<= 150 µs"],
    ["order-aware: 20 recent + 2 in cart, median (in process)", `${proc.sequenceMedianUs.toFixed(1)} µs`, "<= 200 µs"],
    ["known user (vectors over history neighbours), median (in process)", `${proc.userMedianUs.toFixed(1)} µs`, ""],
    ["cold first response (in process, incl. decode)", `${proc.inProcessColdMs.toFixed(1)} ms`, ""],
  ];
  if (merch) {
    rows.push(
      [`similar-items with ${merch.activeRules} rules + ${OVERLAY_ITEMS}-item overlay | without (same run)`, `${merch.similarWithRulesMedianUs.toFixed(1)} µs | ${merch.similarSameRunMedianUs.toFixed(1)} µs (×${merch.rulesOverheadRatio.toFixed(2)})`, "<= 1.3×"],
      [
        `overlay parse + apply (${OVERLAY_ITEMS} items, ${(merch.overlayBytes / 1048576).toFixed(2)} MiB JSON, with the rules): median | CPU | fastest`,
        `${merch.overlayApplyMs.toFixed(1)} | ${merch.overlayApplyCpuMs.toFixed(1)} | ${merch.overlayApplyMinMs.toFixed(1)} ms`,
        "<= 20 ms",
      ],
      ["isolate memory: artifact + overlay + rules, loaded (heap + array buffers)", `${merch.merchIsolateMiB.toFixed(1)} MiB`, "<= 100 MB"],
    );
  }
  if (http && !coldOnly) {
    rows.push(
      [`HTTP throughput similar ÷ /healthz (c=32, ${httpLayout} layout${http.upgrade ? `, serving ${http.upgrade.layoutAfter}` : ""})`, http.httpThroughputRatio.toFixed(3), ">= 0.9"],
      ["HTTP similar-items req/s | /healthz req/s", `${http.similarRps.toFixed(0)} | ${http.healthzRps.toFixed(0)}`, ""],
      ["HTTP similar-items p50 / p99", `${http.p50Ms} ms / ${http.p99Ms} ms`, ""],
      ["HTTP non-2xx + errors", String(http.non2xx), "0"],
    );
  }
  if (http) {
    const sharded = http.coldLayout.layout === "sharded";
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    rows.push(
      ["cold start layout", `${http.coldLayout.layout}${http.coldLayout.singleBeside ? " + single object beside" : ""}: ${http.coldLayout.why}`, ""],
      ["cold start (wrangler dev, first response)", `${http.coldStartMs.toFixed(1)} ms (runs: ${http.coldStartRunsMs.map((x) => x.toFixed(0)).join(", ")})`, "<= 100 ms"],
      [`  of which: ${sharded ? "manifest" : "R2"} read | verify + decode (in worker)`, `${ms(http.coldFetchMs)} | ${ms(http.coldDecodeMs)}${sharded ? ` (${((http.coldLayout.manifestBytes ?? 0) / 1024).toFixed(1)} KiB)` : ""}`, ""],
      ...Object.entries(http.coldShards).map(([kind, x]) => [`  ${kind} shard read | verify + decode`, `${ms(x.fetchMs)} | ${ms(x.decodeMs)} (${(x.bytes / 1048576).toFixed(2)} MiB)`, kind === "popular" ? "beside the critical path" : ""]),
    );
  }
  if (http?.upgrade?.afterMs !== undefined) {
    const u = http.upgrade;
    rows.push([
      "swap shards → single object (background, after the manifest)",
      `${u.afterMs!.toFixed(0)} ms: read ${u.fetchMs!.toFixed(1)} ms, verify + decode ${u.decodeMs!.toFixed(1)} ms (${((u.bytes ?? 0) / 1048576).toFixed(1)} MiB, ${u.shardDecodes} shard reads before)`,
      "",
    ]);
  } else if (http?.upgrade?.error) rows.push(["swap shards → single object", `failed: ${http.upgrade.error}`, ""]);
  process.stdout.write(`Serving ${items.toLocaleString("en")} items (artifact ${metrics.artifactMiB.toFixed(1)} MiB)\n\n`);
  process.stdout.write(formatTable(["measure", "ours", "target"], rows) + "\n");
}

await main();
