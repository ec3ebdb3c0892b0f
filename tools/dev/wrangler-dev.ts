/**
 * Runs the real worker under `wrangler dev --local` on loopback for tests and benchmarks
 * (trainer/wrangler/dev-server.ts, over a persist directory seeded with seed-local-r2.ts),
 * optionally on a frozen bundle (immune to source edits while it runs) and with wrangler's
 * DevTools port, from which `isolateHeap` reads the worker isolate's own memory. test/ and
 * bench/ import this file; it imports neither.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT, wranglerEnv } from "../../trainer/wrangler/edgerec-cli.ts";
import { type DevServer as BaseDevServer, freeLoopbackPort, startDevServer } from "../../trainer/wrangler/dev-server.ts";

export interface DevServer extends BaseDevServer {
  /** wrangler's DevTools proxy for the worker, when started with `inspector: true` (see isolateHeap). */
  inspectorPort?: number;
  /** With `frozen: true`: how many times wrangler reloaded the worker since it became ready (should stay 0). */
  reloads(): number;
  /**
   * With `frozen: true`: the end of wrangler's own log file without its DevTools chatter (restarts
   * and runtime errors land there, not on stdout); empty otherwise.
   */
  wranglerLog(chars?: number): string;
}

/**
 * Bundles the worker once into a private directory with its own wrangler.toml. wrangler dev
 * watches its sources and restarts the worker (failing in-flight requests) whenever a file
 * changes, and other people may edit src/ while a long run is going. A frozen copy never restarts.
 */
function frozenWorker(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-worker-"));
  const wrangler = join(REPO_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  const built = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", join(dir, "bundle"), "--config", join(REPO_ROOT, "wrangler.toml")], {
    cwd: REPO_ROOT,
    env: wranglerEnv(),
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`bundling the worker failed:\n${built.stdout}\n${built.stderr}`);
  const config = readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8").replace(/^main\s*=.*$/m, 'main = "bundle/index.js"\nno_bundle = true');
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
  /** wrangler's --log-level (default warn). */
  logLevel?: string;
}): Promise<DevServer> {
  const inspectorPort = options.inspector ? await freeLoopbackPort() : undefined;
  const config = options.frozen ? frozenWorker() : undefined;
  // A frozen server gets a private dev registry and log directory: other wrangler dev sessions
  // starting or stopping on this machine must not make it reload its worker.
  const privateDir = config ? dirname(config) : undefined;
  const server = await startDevServer({
    persistTo: options.persistDir,
    vars: options.vars,
    timeoutMs: options.timeoutMs ?? 60_000,
    readyPath: options.readyPath,
    logLevel: options.logLevel,
    args: [...(config ? ["--config", config] : []), ...(inspectorPort !== undefined ? ["--inspector-port", String(inspectorPort)] : [])],
    env: {
      NO_COLOR: "1",
      ...(privateDir ? { WRANGLER_REGISTRY_PATH: join(privateDir, "registry"), WRANGLER_CI_DISABLE_CONFIG_WATCHING: "true", WRANGLER_LOG_PATH: join(privateDir, "logs") } : {}),
    },
    onStop: () => privateDir && rmSync(privateDir, { recursive: true, force: true }),
  });
  const reloadsAtReady = privateDir ? countReloads(join(privateDir, "logs")) : 0;
  return {
    ...server,
    inspectorPort,
    reloads: () => (privateDir ? countReloads(join(privateDir, "logs")) - reloadsAtReady : 0),
    wranglerLog: (chars = 6000) =>
      privateDir
        ? readLogs(join(privateDir, "logs"))
            .split(/\n(?=--- \d{4}-)/)
            .filter((entry) => !entry.includes("InspectorProxyWorker"))
            .join("\n")
            .slice(-chars)
        : "",
  };
}

function readLogs(logDir: string): string {
  try {
    return readdirSync(logDir)
      .sort()
      .map((f) => readFileSync(join(logDir, f), "utf8"))
      .join("\n");
  } catch {
    return "";
  }
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
