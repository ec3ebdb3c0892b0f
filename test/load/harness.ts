/**
 * Load-test plumbing: build versioned artifacts whose titles carry their version, publish
 * them into a wrangler persist dir (tools/dev/seed-local-r2.ts: `edgerec publish --local`'s publish), run
 * `wrangler dev` on a free loopback port, and drive it with a bounded keep-alive fetch pool.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringAt, stringTable, type Artifact } from "../../src/artifact/index.ts";
import { seedLocalR2 } from "../../tools/dev/seed-local-r2.ts";
import { syntheticArtifact } from "../../tools/dev/synthetic-artifact.ts";
import { type DevServer as ToolsDevServer, startWranglerDev as startSharedDev } from "../../tools/dev/wrangler-dev.ts";

/** Version ids as keys.ts requires: 20261129T00mmssZ-xxxxxxxx. */
export function versionId(n: number): string {
  return `20261129T01${String(n % 10000).padStart(4, "0")}Z-${(0xabc00000 + n).toString(16)}`;
}

/** The marker every title of a version ends with, so a response proves which version built it. */
export const marker = (version: string) => ` [${version}]`;

export function versionedArtifact(version: string, items = 2000, users = 500): Artifact {
  const a = syntheticArtifact({ items, users, version, seed: 11 });
  const titles = Array.from({ length: items }, (_, i) => stringAt(a.items.titles, i) + marker(version));
  a.items.titles = stringTable(titles);
  return a;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Publishes the artifact as one object with the trainer's publish (objects first, then `current`). */
export async function publishLocal(persistTo: string, artifact: Artifact): Promise<{ version: string; publishedAt: number }> {
  const seeded = await seedLocalR2(persistTo, artifact, { layout: "single" });
  return { version: seeded.published.pointer.version, publishedAt: performance.now() };
}

/** The shared wrangler dev harness, plus the CPU its workerd processes got (a starved machine or a busy worker?). */
export interface DevServer extends ToolsDevServer {
  /** CPU seconds (user + system) the server's workerd processes have used so far (Linux; 0 elsewhere). */
  workerdCpuSeconds(): number;
}

/**
 * CPU seconds used so far by the workerd processes in process group `pgid` (wrangler dev runs
 * two: its proxy and the worker's runtime). Beside the wall time of a run it tells a starved
 * machine (workerd got a small share of a core) from a slow worker (workerd was busy throughout).
 */
export function workerdCpuSeconds(pgid: number | undefined): number {
  if (pgid === undefined || process.platform !== "linux") return 0;
  let ticks = 0;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // stat: "pid (comm) state ppid pgrp … utime stime …"; comm may hold spaces, so split after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid || !stat.includes("(workerd)")) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* gone meanwhile */
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** The worker isolate's memory over the DevTools protocol: one implementation, beside the wrangler-dev harness. */
export { isolateHeap, type IsolateHeap } from "../../tools/dev/wrangler-dev.ts";

/**
 * Starts `wrangler dev --local` on a frozen bundle with a private dev registry (so source edits and
 * other wrangler sessions never reload it) and its DevTools port, on a free loopback port.
 * EDGEREC_LOAD_LOG_LEVEL=debug logs every request and reload in wrangler's own log (slow; for diagnosis).
 */
export async function startWranglerDev(persistTo: string, vars: Record<string, string> = {}, timeoutMs = 90_000): Promise<DevServer> {
  const dev = await startSharedDev({ persistDir: persistTo, vars, timeoutMs, frozen: true, inspector: true, logLevel: process.env.EDGEREC_LOAD_LOG_LEVEL });
  return { ...dev, workerdCpuSeconds: () => workerdCpuSeconds(dev.pid) };
}

/** No request of a load run may take longer than this; far beyond any latency bound the tests assert. */
export const REQUEST_TIMEOUT_MS = 60_000;

export interface PlannedRequest {
  name: string;
  path: string;
  method?: "GET" | "POST";
  body?: string;
  headers?: Record<string, string>;
  /** Called with this request's sample when it completes. */
  onDone?: (sample: Sample) => void;
}

/**
 * Requests that jump the pool's queue (reloads, bursts): they take the next free slots of the
 * pool instead of adding to its concurrency. Why: wrangler dev forwards every request over a
 * keep-alive connection pool to workerd, and both ends drop a connection after ~5 s idle (kj's
 * defaults). Concurrency that rises above the steady load for a burst and falls back leaves
 * pooled connections idle for seconds; one picked again just as workerd closes it fails with
 * "Network connection lost", which wrangler's proxy answers as a 503 "Your worker restarted
 * mid-request" for a POST and silently retries for a GET (after the next request arrives). A
 * constant concurrency keeps the pool from growing and shrinking with every burst; on a starved
 * machine, where the client cannot always keep its requests in flight, some connections still idle.
 */
export class Urgent {
  private readonly queue: PlannedRequest[] = [];
  push(...requests: PlannedRequest[]): void {
    this.queue.push(...requests);
  }
  shift(): PlannedRequest | undefined {
    return this.queue.shift();
  }
  get size(): number {
    return this.queue.length;
  }
}

export interface Sample {
  name: string;
  status: number;
  ms: number;
  /** performance.now() when the response body was complete. */
  doneAt: number;
  body: string;
  error?: string;
}

/**
 * Runs `requests` through `concurrency` keep-alive workers; returns one sample per request, in
 * completion order. Requests pushed to `urgent` meanwhile are taken first, within the same
 * concurrency; the pool returns when the planned requests and the urgent ones are done.
 */
export async function runPool(baseUrl: string, requests: PlannedRequest[], concurrency: number, onSample?: (s: Sample, done: number) => void, urgent?: Urgent): Promise<Sample[]> {
  const samples: Sample[] = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const r = urgent?.shift() ?? requests[next++];
      if (r === undefined) return;
      const t0 = performance.now();
      let sample: Sample;
      try {
        const res = await fetch(baseUrl + r.path, {
          method: r.method ?? "GET",
          body: r.body,
          headers: { ...(r.body ? { "content-type": "application/json" } : {}), ...r.headers },
          // A request stuck in wrangler's proxy (it re-queues a failed GET until the next request
          // arrives) becomes a failed sample instead of a hung test.
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = await res.text();
        const t1 = performance.now();
        sample = { name: r.name, status: res.status, ms: t1 - t0, doneAt: t1, body };
      } catch (err) {
        const t1 = performance.now();
        sample = { name: r.name, status: 0, ms: t1 - t0, doneAt: t1, body: "", error: String((err as Error)?.cause ?? err) };
      }
      samples.push(sample);
      r.onDone?.(sample);
      onSample?.(sample, samples.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return samples;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A deterministic mix over the public routes (ids drawn from the artifact). */
export function mixedRequests(n: number, itemIds: string[], userIds: string[], seed = 1): PlannedRequest[] {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];
  const out: PlannedRequest[] = [];
  for (let r = 0; r < n; r++) {
    const x = rand();
    if (x < 0.4) out.push({ name: "similar", path: `/v1/items/${encodeURIComponent(pick(itemIds))}/similar?k=10` });
    else if (x < 0.5) out.push({ name: "similar-filtered", path: `/v1/items/${encodeURIComponent(pick(itemIds))}/similar?k=5&maxPrice=20` });
    else if (x < 0.6) out.push({ name: "item", path: `/v1/items/${encodeURIComponent(pick(itemIds))}` });
    else if (x < 0.72) out.push({ name: "user", path: `/v1/users/${encodeURIComponent(pick(userIds))}/recommendations?k=10` });
    else if (x < 0.8) out.push({ name: "popular", path: `/v1/popular?k=10` });
    else if (x < 0.92) {
      const items = Array.from({ length: 1 + Math.floor(rand() * 10) }, () => pick(itemIds));
      out.push({ name: "basket", path: "/v1/recommendations", method: "POST", body: JSON.stringify({ items, k: 10 }) });
    } else if (x < 0.97) {
      const pairs = Array.from({ length: 5 }, () => ({ user: pick(userIds), item: pick(itemIds) }));
      out.push({ name: "score", path: "/v1/score", method: "POST", body: JSON.stringify({ pairs }) });
    } else out.push({ name: "model", path: "/v1/model" });
  }
  return out;
}

/**
 * The version a response claims, checked against every title it carries: each title must end
 * with that version's marker. Returns the version, or throws describing the mix.
 */
export function versionOf(sample: Sample): string {
  const body = JSON.parse(sample.body) as { version?: string; items?: { title: string }[]; title?: string };
  const version = body.version;
  if (typeof version !== "string") throw new Error(`${sample.name}: no version in ${sample.body.slice(0, 200)}`);
  const titles = [...(body.items ?? []).map((i) => i.title), ...(typeof body.title === "string" ? [body.title] : [])];
  for (const t of titles) {
    if (!t.endsWith(marker(version))) throw new Error(`${sample.name}: response says ${version} but carries title "${t}"`);
  }
  return version;
}
