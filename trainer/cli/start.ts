/**
 * `npm start`: from a fresh clone to a running recommender in one command, no account.
 *
 *   1. data      the sample store in .edgerec/sample (generated once, then reused), or --data <dir>,
 *                or any `edgerec train` data options (--interactions … --items …)
 *   2. train     `edgerec train … --out .edgerec/artifact.bin --report .edgerec/report.html`: the
 *                training pipeline (trainer/pipeline): --model auto picks on validation, evaluates
 *                on held-out data (metrics land in the artifact header), refits on every interaction
 *   3. evaluate  prints the metrics table
 *   4. publish   `edgerec publish --local` into wrangler's local R2/KV (.wrangler/state); old
 *                versions beyond --keep are deleted, so repeated runs do not pile up
 *   5. serve     `wrangler dev --local --ip 127.0.0.1 --port 8787`, waits until /healthz serves
 *                the new version, prints the demo URL and curl examples; Ctrl-C stops it
 *
 * `--no-serve` stops after publishing (CI). Unknown options are passed to `edgerec train`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createConnection } from "node:net";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { ensureSample } from "../sample/ensure.ts";
import { ensureSampleEvents } from "../sample/events.ts";
import { sampleUserId } from "../sample/store.ts";
import { readArtifactHeader } from "../ops/artifact-header.ts";
import { formatCandidatesTable } from "../pipeline/candidates-table.ts";
import { artifactPathFor } from "../pipeline/write-artifact.ts";
import { dataArgsForDir } from "../ops/detect-data.ts";
import { REPO_ROOT, runEdgerec, wranglerEnv } from "../wrangler/edgerec-cli.ts";
import { freeLoopbackPort } from "../wrangler/dev-server.ts";
import { formatMetricsTable } from "../ops/metrics-table.ts";
import { QuietDisconnects } from "../ops/quiet-disconnects.ts";
import { smokeTest } from "../ops/smoke.ts";
import { integer } from "../util/option-parsers.ts";

interface StartOptions {
  data?: string;
  serve: boolean;
  port: number;
  seed: number;
  sampleItems: number;
  sampleUsers: number;
  keep: number;
  persistTo?: string;
  workDir: string;
}


const say = (line: string) => process.stdout.write(`${line}\n`);

/** Ctrl-C before the server runs: stop the running step (train/publish) and exit 130. */
const interrupt = new AbortController();
const step = (n: number, text: string) => say(`\n[${n}/5] ${text}`);

export async function start(argv: string[]): Promise<void> {
  const program = new Command("npm start --")
    .description("generate (or read) data, train, evaluate, publish locally and serve the edge worker on 127.0.0.1")
    .option("--data <dir>", "train on the files in this folder (Amazon *_5.json + meta_*.json, MovieLens u.data + u.item, train.csv …)")
    .option("--no-serve", "stop after publishing (do not start wrangler dev)")
    .option("--port <n>", "port of wrangler dev on 127.0.0.1", integer("port", 1, 65535), 8787)
    .option("--seed <n>", "seed of the sample store", integer("seed", 0, 2 ** 31 - 1), 1)
    .option("--sample-items <n>", "products in the sample store", integer("sample-items", 10, 1_000_000), 3000)
    .option("--sample-users <n>", "shoppers in the sample store", integer("sample-users", 10, 1_000_000), 2000)
    .option("--keep <n>", "published versions kept in local storage", integer("keep", 1, 100), 3)
    .option("--persist-to <dir>", "wrangler local state directory (default .wrangler/state, what wrangler dev reads)")
    .option("--work-dir <dir>", "where data, artifact and report go", ".edgerec")
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption("-h, --help", "show this help; other options go to `edgerec train` (see npx edgerec train --help)");
  program.parse(argv, { from: "user" });
  const opts = program.opts<StartOptions>();
  const passthrough = program.args;
  const workDir = resolve(REPO_ROOT, opts.workDir);
  const artifact = join(workDir, "artifact.bin");
  const report = join(workDir, "report.html");
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

  if (opts.serve) await assertPortFree(opts.port);
  mkdirSync(workDir, { recursive: true });

  step(1, "data");
  let dataArgs: string[];
  // A shopper id to show in the curl examples (known only for the sample store).
  let exampleUser: string | undefined;
  const ownDataFlags = passthrough.some((a) => /^--(interactions|train|items)\b/.test(a));
  if (opts.data) {
    const detected = dataArgsForDir(resolve(opts.data));
    say(`  ${opts.data}: ${detected.layout}`);
    dataArgs = detected.args;
  } else if (ownDataFlags) {
    say("  using the data options given on the command line");
    dataArgs = [];
  } else {
    const sample = ensureSample(join(workDir, "sample"), { seed: opts.seed, items: opts.sampleItems, users: opts.sampleUsers });
    say(`  sample store (seed ${opts.seed}): ${sample.itemCount} products, ${sample.reviewCount} ratings — ${sample.reused ? "reused" : "generated"} in ${sample.dir}`);
    // The store's own traffic too: a generated event history (views, carts, purchases) merged with the reviews.
    const events = ensureSampleEvents(join(workDir, "sample-events"), { seed: opts.seed, items: opts.sampleItems, users: opts.sampleUsers });
    say(`  event history: ${events.events} events — ${events.reused ? "reused" : "generated"} in ${events.dir}`);
    dataArgs = ["--interactions", sample.reviews, "--items", sample.meta, "--events", events.dir, "--since", "365d"];
    exampleUser = sampleUserId(0);
  }

  step(2, "train");
  // Shoppers forgotten with `edgerec forget --local` (or the demo's admin API) stay out of the artifact.
  const forgetFrom = ["--forget-from", opts.persistTo ? `local:${resolve(opts.persistTo)}` : "local"];
  await runEdgerec(["train", ...dataArgs, ...forgetFrom, ...passthrough, "--out", artifact, "--report", report], { signal: interrupt.signal });
  const built = artifactPathFor(artifact);
  say(`  artifact ${built}\n  report   ${report}   (${elapsed()})`);

  step(3, "evaluate (held-out data)");
  const header = await readArtifactHeader(built);
  say(`  ${header.model.type}, ${header.counts.items} items, ${header.counts.users} users, version ${header.version}`);
  if (header.candidates?.length) say(formatCandidatesTable(header.candidates, header.headlineMetric).replace(/^/gm, "  "));
  say(formatMetricsTable(header.metrics, header.headlineMetric).replace(/^/gm, "  "));
  if (header.trainedOn) say(`  served model trained on ${header.trainedOn.interactions} interactions (all of them; the metrics come from the held-out split) — ${header.trainedOn.source}`);

  step(4, "publish to local storage");
  const persist = opts.persistTo ? ["--persist-to", resolve(opts.persistTo)] : [];
  await runEdgerec(["publish", built, "--local", ...persist, "--keep", String(opts.keep)], { signal: interrupt.signal });
  say(`  published ${header.version} (${elapsed()})`);

  if (!opts.serve) {
    say(`\ndone in ${elapsed()} (--no-serve: not starting the worker; \`npm start\` without it serves on 127.0.0.1:${opts.port})`);
    return;
  }

  step(5, "serve");
  process.off("SIGINT", onEarlyInterrupt);
  await serve(opts.port, header.version, persist, started, exampleUser);
}

async function serve(port: number, version: string, persist: string[], started: number, exampleUser = "<a user id from your data>"): Promise<void> {
  const wrangler = join(REPO_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  // A free DevTools port: wrangler's default 9229 may be held by another wrangler dev or debugger.
  const inspectorPort = await freeLoopbackPort();
  const child = spawn(process.execPath, [wrangler, "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--log-level", "warn", "--show-interactive-dev-session=false", "--var", "DEMO:on", ...persist], {
    cwd: REPO_ROOT,
    env: wranglerEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  // An aborted client request makes workerd print a red stack trace; show it as one quiet line.
  child.stdout!.pipe(new QuietDisconnects()).pipe(process.stdout);
  child.stderr!.pipe(new QuietDisconnects()).pipe(process.stderr);
  const exited = new Promise<number>((res) => child.on("exit", (code, signal) => res(code ?? (signal ? 130 : 1))));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    say("\nstopping wrangler dev …");
    stopChild(child);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  const base = `http://127.0.0.1:${port}`;
  try {
    const smoke = await Promise.race([
      smokeTest(base, { expectVersion: version, timeoutMs: 60_000, pollMs: 300 }),
      exited.then((code) => {
        throw new Error(`wrangler dev exited (code ${code}) before serving; see its output above`);
      }),
    ]);
    const item = smoke.similar.item;
    say(`
edgerec is running (ready ${((Date.now() - started) / 1000).toFixed(1)} s after start), serving ${version}

  demo store   ${base}/
  API docs     ${base}/docs      (OpenAPI: ${base}/openapi.json)
  health       ${base}/healthz

  curl -s '${base}/v1/popular?k=5'
  curl -s '${base}/v1/items/${item}/similar?k=5'
  curl -s '${base}/v1/items/${item}'
  curl -s '${base}/v1/users/${exampleUser}/recommendations?k=5'
  curl -s -X POST ${base}/v1/recommendations -H 'content-type: application/json' -d '{"items":["${item}"],"k":5}'
  curl -s '${base}/v1/model'

Ctrl-C stops the server.`);
  } catch (err) {
    stopChild(child);
    await exited;
    throw err;
  }
  const code = await exited;
  process.exitCode = stopping ? 0 : code;
}

/** SIGINT first (wrangler shuts workerd down cleanly), SIGKILL if it hangs. */
function stopChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  timer.unref();
  child.once("exit", () => clearTimeout(timer));
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((res, rej) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      rej(new Error(`port ${port} on 127.0.0.1 is already in use (another \`npm start\`?); stop it or pass --port <n>`));
    });
    socket.once("error", () => res());
  });
}

function onEarlyInterrupt(): void {
  interrupt.abort();
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  process.on("SIGINT", onEarlyInterrupt);
  try {
    await start(process.argv.slice(2));
  } catch (err) {
    if (interrupt.signal.aborted) {
      process.stderr.write("\nnpm start: interrupted; run it again to continue (the sample is kept)\n");
      process.exit(130);
    }
    process.stderr.write(`npm start: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
