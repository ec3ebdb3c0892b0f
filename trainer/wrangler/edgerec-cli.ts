import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(REPO_ROOT, "bin", "edgerec.mjs");

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Collect stdout instead of passing it through. */
  capture?: boolean;
  /** Collect stderr too (attached to the error as `stderr`) instead of passing it through. */
  quietErrors?: boolean;
  cwd?: string;
  /** Aborting sends the child SIGINT (e.g. Ctrl-C on `npm start` while it trains). */
  signal?: AbortSignal;
}

/**
 * Runs `edgerec <args>` as a child process, exactly as a user would type it, so the
 * chain exercises the documented commands (and a command that calls process.exit cannot
 * end the orchestrator). Rejects with the command line and exit code on failure.
 */
export function runEdgerec(args: string[], options: RunOptions = {}): Promise<string> {
  return runProcess(process.execPath, [BIN, ...args], `edgerec ${args.join(" ")}`, options);
}

/** Runs wrangler from node_modules (no global install needed). */
export function runWrangler(args: string[], options: RunOptions = {}): Promise<string> {
  const bin = join(REPO_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  return runProcess(process.execPath, [bin, ...args], `wrangler ${args.join(" ")}`, {
    ...options,
    env: { ...wranglerEnv(), ...options.env },
  });
}

/** Keeps wrangler offline and quiet (see STACK.md), without overriding what the caller set. */
export function wranglerEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    CI: "1",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_HIDE_BANNER: "true",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    ...base,
  };
}

function runProcess(cmd: string, args: string[], label: string, options: RunOptions): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: ["ignore", options.capture ? "pipe" : "inherit", options.quietErrors ? "pipe" : "inherit"],
      signal: options.signal,
      killSignal: "SIGINT",
    });
    let out = "";
    let err = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", (err) => {
      if ((err as NodeJS.ErrnoException).name !== "AbortError") reject(err);
    });
    child.on("close", (code, signal) => {
      if (code === 0) return resolvePromise(out);
      const error = new Error(`\`${label}\` failed (${signal ?? `exit ${code}`})${err ? `: ${stripAnsi(err).trim().split("\n")[0]}` : ""}`);
      reject(Object.assign(error, { stderr: stripAnsi(err + out) }));
    });
  });
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, "");
}
