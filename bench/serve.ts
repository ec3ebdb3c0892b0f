/**
 * `npm run bench:serve [-- --json] [-- --items 100000] [-- --no-http] [-- --cold-only] [-- --seconds 4] [-- --cold-runs 2] [-- --range-bytes N]`
 *
 * Serving speed of the edge API on a synthetic catalogue (realistic titles, random vectors and
 * neighbour lists; see test/worker/fixtures/synthetic-artifact.ts):
 *  1. in process: `app.request()` under Node, medians of similar-items, /healthz and a
 *     10-item basket, measured in interleaved rounds so background load hits all alike;
 *  2. over HTTP against local `wrangler dev` (loopback, autocannon, concurrency 32, bounded
 *     by time): throughput of similar-items vs /healthz, p50/p99, non-2xx;
 *  3. cold start: the first artifact-backed response of a freshly started `wrangler dev`
 *     (R2 read + checksum + decode + answer), and the same for a fresh app in process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { encodeArtifact } from "../src/artifact/format.ts";
import { artifactKey, CURRENT_KEY } from "../src/artifact/keys.ts";
import { seedLocalR2, startWranglerDev } from "../test/ops/wrangler-dev-server.ts";
import { syntheticArtifact } from "../test/worker/fixtures/synthetic-artifact.ts";
import { parseArgs } from "./lib/args.ts";
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
const seconds = Number(args.get("seconds") ?? 4);
const coldRuns = Number(args.get("cold-runs") ?? 2);
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
  const routes: Record<string, (i: number) => [string, RequestInit | undefined]> = {
    healthz: () => ["/healthz", undefined],
    similar: (i) => [`/v1/items/${itemId(rng(i))}/similar?k=10`, undefined],
    // Content-Length as any HTTP client sends it (app.request() would not add it by itself).
    basket: (i) => {
      const body = basketBody(i);
      return ["/v1/recommendations", { method: "POST", headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }, body }];
    },
  };
  const samples: Record<string, number[]> = { healthz: [], similar: [], basket: [] };
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
    similarP99Us: percentile(samples.similar, 0.99) * 1000,
    inProcessColdMs: median(coldTimes),
  };
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

async function overHttp(bytes: Uint8Array) {
  const persist = mkdtempSync(join(tmpdir(), "edgerec-bench-serve-"));
  try {
    log(`seeding local R2 with the ${(bytes.byteLength / 1048576).toFixed(1)} MiB artifact…`);
    await seedLocalR2(persist, VERSION, bytes);
    const coldStarts: number[] = [];
    const coldFetch: number[] = [];
    const coldDecode: number[] = [];
    let throughput: Record<string, number[]> = { healthz: [], similar: [] };
    let latency = { p50: [] as number[], p99: [] as number[] };
    let non2xx = 0;
    for (let run = 0; run < Math.max(1, coldRuns); run++) {
      log(`starting wrangler dev (run ${run + 1})…`);
      const server = await startWranglerDev({ persistDir: persist, readyPath: "/v1/not-a-route", vars: { ARTIFACT_RECHECK_SECONDS: "3600", ...(args.has("range-bytes") ? { ARTIFACT_RANGE_BYTES: String(args.get("range-bytes")) } : {}) } });
      try {
        const t = performance.now();
        const res = await fetch(`${server.url}/v1/items/${itemId(1)}/similar?k=10`);
        await res.arrayBuffer();
        coldStarts.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`cold request answered ${res.status}`);
        const health = (await (await fetch(`${server.url}/healthz`)).json()) as { load: { fetchMs: number; decodeMs: number } };
        coldFetch.push(health.load.fetchMs);
        coldDecode.push(health.load.decodeMs);
        if (run > 0 || args.has("cold-only")) continue;
        // Throughput: alternate the two routes so drifting background load hits both alike.
        await cannon(server.url, () => "/healthz"); // warm-up
        for (let r = 0; r < 3; r++) {
          for (const route of ["healthz", "similar"] as const) {
            log(`autocannon ${route} (${seconds}s, 32 connections)…`);
            const rng = (i: number) => (Math.imul(i + 7, 2654435761) >>> 0) % items;
            const result = await cannon(server.url, route === "healthz" ? () => "/healthz" : (i) => `/v1/items/${itemId(rng(i))}/similar?k=10`);
            throughput[route].push(result.requests.total / (result.duration || seconds));
            non2xx += result.non2xx + result.errors + result.timeouts;
            if (route === "similar") {
              latency.p50.push(result.latency.p50);
              latency.p99.push(result.latency.p99);
            }
          }
        }
      } finally {
        await server.stop();
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
    };
  } finally {
    rmSync(persist, { recursive: true, force: true });
  }
}

async function main() {
  log(`building a synthetic ${items}-item artifact…`);
  const bytes = await encodeArtifact(syntheticArtifact({ items, users: Math.floor(items / 5), version: VERSION, seed: 3 }));
  log("in-process phase…");
  const proc = await inProcess(bytes);
  const http = args.has("no-http") ? null : await overHttp(bytes);
  const metrics = { ...proc, ...(http ?? {}), artifactMiB: bytes.byteLength / 1048576 };
  if (json) {
    writeJsonLine({ bench: "serve", items, metrics, at: new Date().toISOString() });
    return;
  }
  const rows: (string | number)[][] = [
    ["similar-items median (in process)", `${proc.similarMedianUs.toFixed(1)} µs`, "<= 50 µs"],
    ["/healthz median (in process)", `${proc.healthzMedianUs.toFixed(1)} µs`, ""],
    ["similar ÷ /healthz (in process)", (proc.similarMedianUs / proc.healthzMedianUs).toFixed(2), "<= 2"],
    ["basket of 10 median (in process)", `${proc.basketMedianUs.toFixed(1)} µs`, "<= 150 µs"],
    ["cold first response (in process, incl. decode)", `${proc.inProcessColdMs.toFixed(1)} ms`, ""],
  ];
  if (http) {
    rows.push(
      ["HTTP throughput similar ÷ /healthz (c=32)", http.httpThroughputRatio.toFixed(3), ">= 0.9"],
      ["HTTP similar-items req/s | /healthz req/s", `${http.similarRps.toFixed(0)} | ${http.healthzRps.toFixed(0)}`, ""],
      ["HTTP similar-items p50 / p99", `${http.p50Ms} ms / ${http.p99Ms} ms`, ""],
      ["HTTP non-2xx + errors", String(http.non2xx), "0"],
      ["cold start (wrangler dev, first response)", `${http.coldStartMs.toFixed(1)} ms (runs: ${http.coldStartRunsMs.map((x) => x.toFixed(0)).join(", ")})`, "<= 100 ms"],
      ["  of which: R2 read | verify + decode (in worker)", `${http.coldFetchMs.toFixed(0)} ms | ${http.coldDecodeMs.toFixed(0)} ms`, ""],
    );
  }
  process.stdout.write(`Serving ${items.toLocaleString("en")} items (artifact ${metrics.artifactMiB.toFixed(1)} MiB)\n\n`);
  process.stdout.write(formatTable(["measure", "ours", "target"], rows) + "\n");
}

await main();
