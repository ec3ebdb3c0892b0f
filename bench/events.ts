/**
 * `npm run bench:events [-- --json] [--events 50000] [--concurrency 64] [--users 3000 --items 400]`
 *
 * 1. Ingest: N events posted to `wrangler dev --local` in batches of 1–50 at the given concurrency;
 *    then the queue is drained and every stored event counted back from R2 (through the admin
 *    API): accepted, storedInR2, lost = accepted − stored, serverErrors, eventsPerSecond.
 * 2. In-process handler cost per event: the app's POST /v1/events in Node with a recording
 *    stand-in for the Queue binding (Cloudflare's service, not ours), median µs per event.
 * 3. The simulation (`edgerec simulate`): ctrRound1/ctrRound2/pRound2VsRound1 and
 *    ctrModel/ctrPopularity/pModelVsPopularity.
 * Targets: zero 5xx, lost = 0; model beats popularity and round 2 beats round 1 with p < 0.01.
 * Numbers on a shared 2-core machine are noisy: the medians are what to compare.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readEvents } from "../trainer/events/read.ts";
import { httpSource } from "../trainer/events/source.ts";
import { formatP } from "../trainer/outcomes/outcomes.ts";
import { outcomesText } from "../trainer/outcomes/render.ts";
import { generateEventHistory } from "../trainer/sample/events.ts";
import { generateStore } from "../trainer/sample/store.ts";
import { startDevServer } from "../trainer/wrangler/dev-server.ts";
import { runSimulation } from "../trainer/simulate/loop.ts";
import { emptyCounts, pool, postEvents } from "../trainer/simulate/traffic.ts";
import { createRng } from "../trainer/util/rng.ts";
import { parseArgs } from "./lib/args.ts";
import { writeJsonLine } from "./lib/json-lines.ts";

/** The worker app is typed for workerd; the Node-side tsconfig sees it through this small view (as bench/serve.ts does). */
interface BenchApp {
  request(path: string, init: RequestInit | undefined, env: Record<string, unknown>): Promise<Response>;
}
const APP_MODULE = "../src/app.ts";
const { createApp } = (await import(APP_MODULE)) as { createApp: () => BenchApp };

const args = parseArgs(process.argv.slice(2));
const json = args.has("json");
const num = (name: string, fallback: number) => (typeof args.get(name) === "string" ? Number(args.get(name)) : fallback);
const say = (line: string) => process.stderr.write(`${line}\n`);

/** Client events as a store sends them (ids dropped: the server assigns them), from the sample history. */
function clientEvents(n: number): object[] {
  const store = generateStore({ items: 2000, users: 3000, seed: 5 });
  const history = generateEventHistory(store, { now: Date.now() });
  const out: object[] = [];
  for (let k = 0; out.length < n; k++) {
    const { id: _id, receivedAt: _r, ts: _t, ...rest } = history[k % history.length];
    // A client id per event: a re-send after a dropped connection is then stored once.
    out.push({ ...rest, id: `bench-${k}` });
  }
  return out;
}

function batches(events: object[], seed: number): object[][] {
  const rng = createRng(seed);
  const out: object[][] = [];
  for (let at = 0; at < events.length; ) {
    const size = 1 + rng.int(50);
    out.push(events.slice(at, at + size));
    at += size;
  }
  return out;
}

async function ingest(total: number, concurrency: number) {
  const work = mkdtempSync(join(tmpdir(), "edgerec-bench-events-"));
  const token = randomBytes(16).toString("hex");
  const server = await startDevServer({ persistTo: join(work, "state"), vars: { ADMIN_TOKEN: token, RATE_LIMIT: "off" } });
  try {
    const groups = batches(clientEvents(total), 1);
    const counts = emptyCounts();
    const t0 = performance.now();
    await pool(groups.length, concurrency, (i) => postEvents(server.url, groups[i], counts));
    const seconds = (performance.now() - t0) / 1000;
    say(`posted ${total} events in ${groups.length} requests in ${seconds.toFixed(1)} s; draining the queue…`);
    const source = httpSource(server.url, token);
    const deadline = Date.now() + 120_000;
    let stored = 0;
    for (;;) {
      stored = (await readEvents(source)).events.length;
      if (stored >= counts.accepted || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    return {
      accepted: counts.accepted,
      rejected: counts.rejected,
      storedInR2: stored,
      lost: counts.accepted - stored,
      serverErrors: counts.serverErrors,
      transportErrors: counts.transportErrors,
      requests: groups.length,
      eventsPerSecond: counts.accepted / seconds,
    };
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Median µs per event of the POST /v1/events handler in process (batches of 1–50). */
async function handlerCost(): Promise<number> {
  const app = createApp();
  const queue = { sendBatch: async (m: Iterable<unknown>) => void [...m] };
  const env = { EVENTS: queue, RATE_LIMIT: "off" };
  const groups = batches(clientEvents(20_000), 2).map((g) => ({ body: JSON.stringify(g), n: g.length }));
  const perEvent: number[] = [];
  for (let round = 0; round < 2; round++) {
    for (const g of groups) {
      const t0 = performance.now();
      const res = await app.request("/v1/events", { method: "POST", headers: { "content-type": "application/json" }, body: g.body }, env);
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`handler answered ${res.status}`);
      if (round === 1) perEvent.push(((performance.now() - t0) * 1000) / g.n);
    }
  }
  perEvent.sort((a, b) => a - b);
  return perEvent[perEvent.length >> 1];
}

const totalEvents = num("events", 50_000);
const concurrency = num("concurrency", 64);
say(`ingest: ${totalEvents} events at concurrency ${concurrency} to wrangler dev`);
const ingested = await ingest(totalEvents, concurrency);
const handlerMedianUsPerEvent = await handlerCost();
say("simulation: browse → round 1 (popularity) → retrain → round 2 (A/B model vs popularity)");
const sim = await runSimulation({ items: num("items", 400), users: num("users", 3000), seed: num("seed", 11), concurrency: 32, log: say });

const metrics = {
  accepted: ingested.accepted,
  storedInR2: ingested.storedInR2,
  lost: ingested.lost,
  serverErrors: ingested.serverErrors + sim.traffic.serverErrors,
  transportErrors: ingested.transportErrors + sim.traffic.transportErrors,
  handlerMedianUsPerEvent,
  eventsPerSecond: ingested.eventsPerSecond,
  ...sim.metrics,
};
const anchor = { serverErrors: 0, lost: 0, pModelVsPopularity: "< 0.01", pRound2VsRound1: "< 0.01", ctrModel: "> ctrPopularity", ctrRound2: "> ctrRound1" };
if (json) {
  writeJsonLine({ bench: "events", part: "ingest", events: totalEvents, concurrency, requests: ingested.requests, metrics, anchor, at: new Date().toISOString() });
  writeJsonLine({ bench: "events", part: "simulation", shoppers: sim.shoppers, round1: sim.round1.arms, round2: sim.round2.arms, abTest: sim.round2.tests[0], simulationEvents: { accepted: sim.traffic.accepted, storedInR2: sim.storedInR2, lost: sim.lost } });
} else {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  process.stdout.write(
    [
      `ingest: ${ingested.accepted} accepted / ${totalEvents} posted in ${ingested.requests} requests (batches 1–50, concurrency ${concurrency})`,
      `  stored in R2 ${ingested.storedInR2}, lost ${ingested.lost} (target 0), 5xx ${ingested.serverErrors} (target 0), dropped connections re-sent ${ingested.transportErrors}, ${ingested.eventsPerSecond.toFixed(0)} events/s through wrangler dev`,
      `  handler median ${handlerMedianUsPerEvent.toFixed(2)} µs per event (in process)`,
      "",
      "round 1 (popularity)",
      outcomesText(sim.round1),
      "round 2 (A/B: control = model retrained on the events, treatment = popularity)",
      outcomesText(sim.round2),
      `CTR round 1 ${pct(sim.metrics.ctrRound1)} → round 2 ${pct(sim.metrics.ctrRound2)}, p = ${formatP(sim.metrics.pRound2VsRound1)} (target < 0.01)`,
      `CTR model ${pct(sim.metrics.ctrModel)} vs popularity ${pct(sim.metrics.ctrPopularity)}, p = ${formatP(sim.metrics.pModelVsPopularity)} (target < 0.01)`,
      "",
    ].join("\n"),
  );
}
