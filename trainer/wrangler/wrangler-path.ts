/**
 * Runs `wrangler` the way a person would: the first `wrangler` on PATH, then the project's own
 * (node_modules/.bin, which `npx` also puts first). Deploy-time commands go through here so a
 * CI image's wrangler, or a recording stand-in in tests, is the one used.
 */
import { spawn } from "node:child_process";
import { delimiter, join } from "node:path";
import { REPO_ROOT, wranglerEnv } from "./edgerec-cli.ts";

export interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function wranglerSearchPath(env: NodeJS.ProcessEnv = process.env): string {
  return [env.PATH ?? "", join(REPO_ROOT, "node_modules", ".bin")].filter(Boolean).join(delimiter);
}

/** Runs wrangler with `args`, collecting its output; never throws for a non-zero exit (the caller decides). */
export function wrangler(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<WranglerResult> {
  const env = { ...wranglerEnv(), ...options.env };
  env.PATH = wranglerSearchPath(env);
  return new Promise((resolve, reject) => {
    const child = spawn("wrangler", args, { cwd: options.cwd ?? REPO_ROOT, env, stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    if (options.input !== undefined) child.stdin!.end(options.input);
    child.on("error", (err) => reject(new Error(`could not run wrangler (${err.message}); run \`npm ci\` in the project first`)));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Like wrangler(), but rejects on failure with the command and wrangler's last lines. */
export async function wranglerOk(args: string[], options: Parameters<typeof wrangler>[1] = {}): Promise<string> {
  const r = await wrangler(args, options);
  if (r.code !== 0) {
    // eslint-disable-next-line no-control-regex
    const detail = (r.stderr || r.stdout).replace(/\x1b\[[0-9;]*m/g, "").trim().split("\n").slice(-4).join("\n");
    throw new Error(`\`wrangler ${args.join(" ")}\` failed (exit ${r.code})${detail ? `: ${detail}` : ""}`);
  }
  return r.stdout;
}
