/**
 * `wrangler dev --local` on a free loopback port: started over its own persist directory with its
 * own vars, ready when `readyPath` answers, stopped by the process group it created (wrangler and
 * its workerd, nothing else). `edgerec simulate` runs on it; tools/dev/wrangler-dev.ts adds what
 * tests and benchmarks need on top (a frozen bundle, the DevTools port).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { REPO_ROOT, wranglerEnv } from "./edgerec-cli.ts";

export interface DevServerOptions {
  persistTo: string;
  vars?: Record<string, string>;
  timeoutMs?: number;
  /** Polled until it answers (any status); default /healthz. */
  readyPath?: string;
  /** More `wrangler dev` arguments, e.g. `--config` or `--inspector-port`. */
  args?: string[];
  /** wrangler's --log-level (default warn; debug logs every request and reload, for diagnosis). */
  logLevel?: string;
  /** More environment for wrangler (it always runs offline and quiet). */
  env?: NodeJS.ProcessEnv;
  /** Runs once the server has stopped, e.g. to remove a private directory. */
  onStop?: () => void;
}

export interface DevServer {
  url: string;
  port: number;
  /** The process group leader (wrangler; workerd runs in its group). */
  pid: number | undefined;
  /** Milliseconds from spawn until the ready path first answered. */
  readyMs: number;
  stop(): Promise<void>;
  /** wrangler's output (its last MB), for diagnosing failures. */
  output(): string;
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const OUTPUT_CHARS = 1_000_000;

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = await freeLoopbackPort();
  const wrangler = join(REPO_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  // wrangler's DevTools port defaults to 9229, so a second wrangler dev on the machine (another
  // test, a developer's own session) would stop this one from starting: take a free port instead.
  const inspector = options.args?.includes("--inspector-port") ? [] : ["--inspector-port", String(await freeLoopbackPort())];
  const args = [wrangler, "dev", ...(options.args ?? []), ...inspector, "--local", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", options.persistTo, "--log-level", options.logLevel ?? "warn", "--show-interactive-dev-session=false"];
  for (const [k, v] of Object.entries(options.vars ?? {})) args.push("--var", `${k}:${v}`);
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...wranglerEnv(), ...options.env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (d) => (log = (log + d).slice(-OUTPUT_CHARS)));
  child.stderr?.on("data", (d) => (log = (log + d).slice(-OUTPUT_CHARS)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid, "SIGTERM"); // the process group we created (wrangler + its workerd)
        const force = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            // already gone
          }
        }, 5000);
        await exited;
        clearTimeout(force);
      } catch {
        // already gone
      }
    }
    options.onStop?.();
  };
  const timeoutMs = options.timeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      options.onStop?.();
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log}`);
    }
    try {
      const res = await fetch(`${url}${options.readyPath ?? "/healthz"}`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs} ms:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, port, pid: child.pid, readyMs: performance.now() - started, stop, output: () => log };
}
