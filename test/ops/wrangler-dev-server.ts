/**
 * Runs the real worker under `wrangler dev --local` on loopback for smoke tests and the HTTP
 * benchmark: seeds a persist directory through wrangler's own CLI (as `edgerec publish
 * --local` does), starts the server on a free port and stops exactly the process it started.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { artifactKey, ARTIFACT_BUCKET, CURRENT_KEY, type CurrentPointer } from "../../src/artifact/keys.ts";

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
  /** Milliseconds from spawn until the ready path first answered. */
  readyMs: number;
  stop(): Promise<void>;
  output(): string;
}

export async function startWranglerDev(options: {
  persistDir: string;
  vars?: Record<string, string>;
  timeoutMs?: number;
  /** Polled until it answers; a path that does not touch the artifact keeps the isolate cold. */
  readyPath?: string;
}): Promise<DevServer> {
  const port = await freePort();
  const args = ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", options.persistDir, "--log-level", "warn", "--show-interactive-dev-session=false"];
  for (const [k, v] of Object.entries(options.vars ?? {})) args.push("--var", `${k}:${v}`);
  const started = performance.now();
  const child: ChildProcess = spawn(WRANGLER, args, { cwd: REPO, env: WRANGLER_ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
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
  return { url, port, readyMs: performance.now() - started, stop, output: () => log };
}
