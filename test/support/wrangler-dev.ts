/**
 * Runs the real worker under `wrangler dev --local` on loopback for tests and benchmarks: seeds
 * a persist directory through wrangler's own CLI (as `edgerec publish --local` does), starts the
 * server on a free port and stops exactly the process group it started. Optionally on a frozen
 * bundle (immune to source edits while it runs) and with wrangler's DevTools port, from which
 * `isolateHeap` reads the worker isolate's own memory. bench/ imports this file; it never
 * imports bench/.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { artifactKey, ARTIFACT_BUCKET, CURRENT_KEY, type CurrentPointer } from "../../src/artifact/index.ts";

const run = promisify(execFile);
export const REPO = resolve(import.meta.dirname, "../..");
const WRANGLER = join(REPO, "node_modules/.bin/wrangler");

export const WRANGLER_ENV = {
  ...process.env,
  CI: "1",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
};

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Writes an artifact and then the `current` pointer into wrangler's local R2 under `persistDir`. */
export async function seedLocalR2(persistDir: string, version: string, bytes: Uint8Array): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "edgerec-seed-"));
  const artifactFile = join(work, "artifact.bin");
  writeFileSync(artifactFile, bytes);
  const pointer: CurrentPointer = {
    version,
    layout: "single",
    key: artifactKey(version),
    createdAt: new Date().toISOString(),
    publishedAt: new Date().toISOString(),
    metrics: {},
    headlineMetric: "ndcg@10",
    bytes: bytes.byteLength,
  };
  const pointerFile = join(work, "current.json");
  writeFileSync(pointerFile, JSON.stringify(pointer));
  for (const [key, file, type] of [
    [artifactKey(version), artifactFile, "application/octet-stream"],
    [CURRENT_KEY, pointerFile, "application/json"],
  ]) {
    await run(WRANGLER, ["r2", "object", "put", `${ARTIFACT_BUCKET}/${key}`, "--file", file, "--content-type", type, "--local", "--persist-to", persistDir], {
      cwd: REPO,
      env: WRANGLER_ENV,
      timeout: 60_000,
    });
  }
}

export interface DevServer {
  url: string;
  port: number;
  /** The process group leader (wrangler; workerd runs in its group). */
  pid: number | undefined;
  /** Milliseconds from spawn until the ready path first answered. */
  readyMs: number;
  stop(): Promise<void>;
  output(): string;
  /** wrangler's DevTools proxy for the worker, when started with `inspector: true` (see isolateHeap). */
  inspectorPort?: number;
  /** With `frozen: true`: how many times wrangler reloaded the worker since it became ready (should stay 0). */
  reloads(): number;
}

/**
 * Bundles the worker once into a private directory with its own wrangler.toml. wrangler dev
 * watches its sources and restarts the worker (failing in-flight requests) whenever a file
 * changes, and other people may edit src/ while a long run is going. A frozen copy never restarts.
 */
function frozenWorker(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-worker-"));
  const built = spawnSync(WRANGLER, ["deploy", "--dry-run", "--outdir", join(dir, "bundle"), "--config", join(REPO, "wrangler.toml")], {
    cwd: REPO,
    env: WRANGLER_ENV,
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`bundling the worker failed:\n${built.stdout}\n${built.stderr}`);
  const config = readFileSync(join(REPO, "wrangler.toml"), "utf8").replace(/^main\s*=.*$/m, 'main = "bundle/index.js"\nno_bundle = true');
  writeFileSync(join(dir, "wrangler.toml"), config);
  return join(dir, "wrangler.toml");
}

function countReloads(logDir: string): number {
  try {
    return readdirSync(logDir).reduce((n, f) => n + (readFileSync(join(logDir, f), "utf8").match(/Reloading local server/g)?.length ?? 0), 0);
  } catch {
    return 0;
  }
}

export async function startWranglerDev(options: {
  persistDir: string;
  vars?: Record<string, string>;
  timeoutMs?: number;
  /** Polled until it answers; a path that does not touch the artifact keeps the isolate cold. */
  readyPath?: string;
  /** Serve a bundle made once at start, in a private dev registry, so source edits and other wrangler sessions never reload it. */
  frozen?: boolean;
  /** Open wrangler's DevTools port (for isolateHeap). */
  inspector?: boolean;
}): Promise<DevServer> {
  const port = await freePort();
  const inspectorPort = options.inspector ? await freePort() : undefined;
  const config = options.frozen ? frozenWorker() : undefined;
  const args = ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", options.persistDir, "--log-level", "warn", "--show-interactive-dev-session=false"];
  if (config) args.splice(1, 0, "--config", config);
  if (inspectorPort !== undefined) args.push("--inspector-port", String(inspectorPort));
  for (const [k, v] of Object.entries(options.vars ?? {})) args.push("--var", `${k}:${v}`);
  // A frozen server gets a private dev registry and log directory: other wrangler dev sessions
  // starting or stopping on this machine must not make it reload its worker.
  const privateDir = config ? dirname(config) : undefined;
  const env = privateDir
    ? { ...WRANGLER_ENV, WRANGLER_REGISTRY_PATH: join(privateDir, "registry"), WRANGLER_CI_DISABLE_CONFIG_WATCHING: "true", WRANGLER_LOG_PATH: join(privateDir, "logs") }
    : WRANGLER_ENV;
  const started = performance.now();
  const child: ChildProcess = spawn(WRANGLER, args, { cwd: REPO, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid, "SIGTERM"); // the process group we created (wrangler + its workerd)
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
    if (privateDir) rmSync(privateDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log}`);
    try {
      const res = await fetch(`${url}${options.readyPath ?? "/healthz"}`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`wrangler dev did not answer on ${url} in time:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const reloadsAtReady = privateDir ? countReloads(join(privateDir, "logs")) : 0;
  return {
    url,
    port,
    pid: child.pid,
    readyMs: performance.now() - started,
    stop,
    output: () => log,
    inspectorPort,
    reloads: () => (privateDir ? countReloads(join(privateDir, "logs")) - reloadsAtReady : 0),
  };
}

export interface IsolateHeap {
  /** V8 heap in use, MiB. */
  usedMb: number;
  /** usedMb + backingStoreMb: what the isolate holds. */
  isolateMb: number;
  /** ArrayBuffer backing stores (artifact bytes live here), MiB, when this V8 reports them. */
  backingStoreMb?: number;
  totalMb: number;
}

/**
 * The worker isolate's memory, read over the DevTools protocol (Runtime.getHeapUsage after a
 * full GC): what the isolate itself holds, without workerd's runtime or the local R2 simulator.
 * Needs a server started with `inspector: true`.
 */
export async function isolateHeap(dev: { inspectorPort?: number }): Promise<IsolateHeap> {
  if (dev.inspectorPort === undefined) throw new Error("isolateHeap: start wrangler dev with inspector: true");
  const wsModule = "ws"; // miniflare's own WebSocket client (Node 20 has no global one); untyped here
  const { default: WebSocket } = (await import(wsModule)) as unknown as { default: new (url: string) => import("node:events").EventEmitter & { send(s: string): void; close(): void } };
  const targets = (await (await fetch(`http://127.0.0.1:${dev.inspectorPort}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((ok, fail) => {
    ws.once("open", ok);
    ws.once("error", fail);
  });
  let id = 0;
  const call = (method: string, timeoutMs = 10_000) =>
    new Promise<Record<string, number>>((ok, fail) => {
      const my = ++id;
      const onMessage = (data: Buffer) => {
        const msg = JSON.parse(String(data)) as { id?: number; result?: Record<string, number>; error?: unknown };
        if (msg.id !== my) return;
        ws.off("message", onMessage);
        if (msg.error) fail(new Error(JSON.stringify(msg.error)));
        else ok(msg.result ?? {});
      };
      ws.on("message", onMessage);
      ws.send(JSON.stringify({ id: my, method }));
      setTimeout(() => fail(new Error(`DevTools ${method} did not answer`)), timeoutMs);
    });
  try {
    await call("HeapProfiler.enable", 3000).catch(() => ({}));
    await call("HeapProfiler.collectGarbage", 3000).catch(() => ({}));
    const r = await call("Runtime.getHeapUsage");
    const mb = (x: number) => Math.round((x / 1024 / 1024) * 10) / 10;
    const backing = r.backingStorageSize ?? 0;
    return { usedMb: mb(r.usedSize), isolateMb: mb(r.usedSize + backing), totalMb: mb(r.totalSize), ...(r.backingStorageSize !== undefined ? { backingStoreMb: mb(backing) } : {}) };
  } finally {
    ws.close();
  }
}
