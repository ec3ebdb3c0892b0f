/**
 * `npm run bench:tune [-- --only toys|ml100k] [-- --budget 600] [-- --anchor] [-- --jobs N] [-- --json]`
 *
 * Runs `edgerec tune` as a user would, each in its own process, and prints ours beside the
 * targets and anchors:
 * - Toys (amazon-toys-2014-5core-seq, 19k users × 12k items, leave-last-out): tune within
 *   --time-budget; its wall time (reading included) and peak RSS; then `edgerec train --config`
 *   fits the chosen configuration and each family's best on train and reports test HR@10.
 * - ML-100k ua (ua.base / ua.test, no budget): tune's time and chosen validation score beside
 *   the search before the one-budget rework, and the choice's test P@10. With `--anchor`, that
 *   search runs in the same bench run, from a temporary git worktree of ANCHOR_COMMIT (its
 *   node_modules linked to this repository's, removed afterwards); else its figures
 *   recorded in ANCHOR_ML100K stand beside ours. `--jobs N` is passed to our tune (default:
 *   tune's own, the number of cores).
 * Every child's CPU seconds and peak RSS come from a preload (lib/report-usage.mjs), so ours and
 * the anchor's are measured alike.
 * The sequence layout is converted to a delimited file and a JSON-lines catalogue (attribute
 * ids as an unordered set) in a temporary directory: the data never enters the repository.
 * The machine's load (os.loadavg) is printed beside every timing: contention inflates them.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { loadSequences } from "../trainer/data/readers/sequences.ts";
import { parseArgs } from "./lib/args.ts";
import { dataFile, missingFiles, repoRoot } from "./lib/data-root.ts";
import { formatTable } from "./lib/table.ts";

/** The search before the one-budget rework: the commit before eeca197. */
const ANCHOR_COMMIT = "eeca197^1";
/**
 * ANCHOR_COMMIT's ML-100k search (12 hybrid trials, EASE ×3, iALS, the blend; default options,
 * seed 0), measured with the same command under /usr/bin/time on 2026-12-06 at about 08:00 UTC,
 * on the 2-core machine with nothing else running (load average about 0.7); test P@10 from
 * `edgerec train --config` of its choice.
 */
const ANCHOR_ML100K = { wallSeconds: 271.5, cpuSeconds: 273.3, peakRssMB: 293, validP10: 0.1256, testP10: 0.273, best: "blend of hybrid warp, hybrid bpr, EASE λ=300" };
const TOYS_TARGETS = { wallSeconds: 660, peakRssMB: 3 * 1024 };

interface TuneOutput {
  best: { description: string; score: number; config: { model: string } };
  primary: string;
  seconds: number;
  cpuSeconds: number;
  peakRssMB: number;
  skipped: string[];
  leaderboard: Array<{ family?: string; description: string; score: number; config: unknown }>;
}

interface ChildRun {
  stdout: string;
  seconds: number;
  /** The child's CPU seconds (all threads) and peak RSS, from lib/report-usage.mjs. */
  cpuSeconds: number;
  peakRssMB: number;
  load: number;
}

/**
 * Runs the CLI of the code at `root` (this repository by default) in a child process: wall
 * seconds, stdout, CPU and peak RSS, and the load average when it ended.
 */
function edgerec(args: string[], log: (line: string) => void, root = repoRoot): Promise<ChildRun> {
  const usageDir = mkdtempSync(join(tmpdir(), "edgerec-bench-usage-"));
  const usageFile = join(usageDir, "usage.json");
  return new Promise<ChildRun>((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ["--import", join(repoRoot, "bench/lib/report-usage.mjs"), "--import", "tsx", join(root, "trainer/cli/main.ts"), ...args], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, EDGEREC_USAGE_FILE: usageFile },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      for (const line of d.toString().split("\n")) if (line.startsWith("tune [")) log(`  ${line}`);
    });
    child.on("close", (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`edgerec ${args.join(" ")} (in ${root}) exited ${code}:\n${stderr.slice(-2000)}`));
      const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { cpuSeconds: number; peakRssMB: number };
      resolve({ stdout, seconds, ...usage, load: loadavg()[0] });
    });
  }).finally(() => rmSync(usageDir, { recursive: true, force: true }));
}

/**
 * A detached git worktree of `commit` in a temporary folder, its node_modules linked to this
 * repository's; `run` gets its root, and the worktree is removed afterwards whatever happens.
 */
async function inWorktree<T>(commit: string, run: (root: string) => Promise<T>): Promise<T> {
  const parent = mkdtempSync(join(tmpdir(), "edgerec-bench-anchor-"));
  const root = join(parent, "tree");
  execFileSync("git", ["worktree", "add", "--detach", root, commit], { cwd: repoRoot, stdio: "ignore" });
  try {
    symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir");
    return await run(root);
  } finally {
    execFileSync("git", ["worktree", "remove", "--force", root], { cwd: repoRoot, stdio: "ignore" });
    rmSync(parent, { recursive: true, force: true });
  }
}

/** The Toys sequences as `user,item,time` (time = position) and a JSON-lines catalogue of attribute sets. */
async function convertToys(dir: string): Promise<{ interactions: string; items: string }> {
  const root = dataFile("amazon-toys-2014-5core-seq");
  const seq = await loadSequences(join(root, "Toys_and_Games.txt.gz"), { attributes: join(root, "Toys_and_Games_item2attributes.json.gz") });
  const x = seq.interactions;
  const lines = ["user,item,time"];
  for (let k = 0; k < x.users.length; k++) lines.push(`${x.userIds[x.users[k]]},${x.itemIds[x.items[k]]},${x.times[k]}`);
  const interactions = join(dir, "toys.csv");
  writeFileSync(interactions, lines.join("\n") + "\n");
  const items = join(dir, "toys-items.jsonl");
  writeFileSync(items, x.itemIds.map((id, i) => JSON.stringify({ id, attributes: seq.itemAttributes?.[i] ?? [] })).join("\n") + "\n");
  return { interactions, items };
}

/** `edgerec train --config` on each configuration: its test metrics. */
async function testMetrics(dataArgs: string[], config: unknown, dir: string, name: string, log: (line: string) => void, root = repoRoot): Promise<Record<string, number>> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const run = await edgerec(["train", ...dataArgs, "--config", file, "--json"], log, root);
  const metrics = (JSON.parse(run.stdout.trim()) as { metrics: Record<string, number> }).metrics;
  log(`  test ${name}: ${Object.entries(metrics).filter(([k]) => /^(hr|p)@10$/.test(k)).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(", ")} (${run.seconds.toFixed(0)} s)`);
  return metrics;
}

/** The best trial of each single family (blends aside). */
function familyBests(out: TuneOutput): Map<string, TuneOutput["leaderboard"][number]> {
  const best = new Map<string, TuneOutput["leaderboard"][number]>();
  for (const t of out.leaderboard) if (t.family && t.family !== "blend" && !best.has(t.family)) best.set(t.family, t);
  return best;
}

async function benchToys(budget: number, log: (line: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-bench-tune-"));
  try {
    const { interactions, items } = await convertToys(dir);
    const dataArgs = ["--interactions", interactions, "--items", items, "--items-format", "json", "--split", "leave-last-out"];
    const loadBefore = loadavg()[0];
    const run = await edgerec(["tune", ...dataArgs, "--time-budget", String(budget), "--out", join(dir, "best.json"), "--json"], log);
    const out = JSON.parse(run.stdout.trim()) as TuneOutput;
    log(`  tune chose ${out.best.description} (valid ${out.primary} ${out.best.score.toFixed(4)}) in ${run.seconds.toFixed(0)} s, peak RSS ${out.peakRssMB} MB`);
    const chosen = await testMetrics(dataArgs, out.best.config, dir, "chosen", log);
    const families: Array<{ family: string; valid: number; testHr10: number }> = [];
    for (const [family, t] of familyBests(out)) {
      if (t.description === out.best.description) families.push({ family, valid: t.score, testHr10: chosen["hr@10"] });
      else families.push({ family, valid: t.score, testHr10: (await testMetrics(dataArgs, t.config, dir, family, log))["hr@10"] });
    }
    return { wallSeconds: run.seconds, tuneSeconds: out.seconds, cpuSeconds: out.cpuSeconds, peakRssMB: out.peakRssMB, load: [loadBefore, run.load], chosen: out.best.description, validHr10: out.best.score, testHr10: chosen["hr@10"], families, skipped: out.skipped };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One ML-100k search by the code at `root`: its time, CPU, peak RSS, choice and the choice's test P@10. */
async function benchMl100k(log: (line: string) => void, root = repoRoot, extra: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "edgerec-bench-tune-"));
  try {
    const data = dataFile("movielens-100k");
    const dataArgs = ["--train", join(data, "ua.base.gz"), "--test", join(data, "ua.test.gz"), "--items", join(data, "u.item.gz"), "--user-features", join(data, "u.user.gz")];
    const loadBefore = loadavg()[0];
    const run = await edgerec(["tune", ...dataArgs, ...extra, "--out", join(dir, "best.json"), "--json"], log, root);
    const out = JSON.parse(run.stdout.trim()) as Pick<TuneOutput, "best">;
    log(`  tune chose ${out.best.description} (valid p@10 ${out.best.score.toFixed(4)}) in ${run.seconds.toFixed(0)} s, ${run.cpuSeconds.toFixed(0)} CPU s`);
    const test = await testMetrics(dataArgs, out.best.config, dir, "chosen", log, root);
    return { wallSeconds: run.seconds, cpuSeconds: run.cpuSeconds, peakRssMB: Math.round(run.peakRssMB), load: [loadBefore, run.load], chosen: out.best.description, validP10: out.best.score, testP10: test["p@10"] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const only = args.get("only");
  const budget = Number(args.get("budget") ?? 600);
  const json = args.has("json");
  const log = (line: string) => process.stderr.write(line + "\n");
  const rows: string[][] = [];
  const results: Record<string, unknown> = {};
  const ok = (pass: boolean) => (pass ? "met" : "MISSED");

  if (only === undefined || only === "toys") {
    const missing = missingFiles([dataFile("amazon-toys-2014-5core-seq", "Toys_and_Games.txt.gz"), dataFile("amazon-toys-2014-5core-seq", "Toys_and_Games_item2attributes.json.gz")]);
    if (missing.length) log(`toys: skipped, data not found (${missing.join(", ")}); set EDGEREC_SHARED_DATA`);
    else {
      log(`toys: edgerec tune --time-budget ${budget} (load average ${loadavg()[0].toFixed(1)})`);
      const r = await benchToys(budget, log);
      results.toys = r;
      const bestFamily = r.families.reduce((a, b) => (b.testHr10 > a.testHr10 ? b : a));
      const load = `load ${r.load.map((l) => l.toFixed(1)).join("→")}`;
      rows.push(["toys", "wall s (read + tune)", r.wallSeconds.toFixed(0), `<= ${TOYS_TARGETS.wallSeconds}`, `${ok(r.wallSeconds <= TOYS_TARGETS.wallSeconds)} (${load}; tune ${r.tuneSeconds.toFixed(0)} s, CPU ${r.cpuSeconds.toFixed(0)} s)`]);
      rows.push(["toys", "peak RSS MB", String(r.peakRssMB), `<= ${TOYS_TARGETS.peakRssMB}`, ok(r.peakRssMB <= TOYS_TARGETS.peakRssMB)]);
      rows.push(["toys", "test HR@10 chosen", r.testHr10.toFixed(4), `>= ${bestFamily.testHr10.toFixed(4)} (${bestFamily.family})`, `${ok(r.testHr10 >= bestFamily.testHr10)}: ${r.chosen.slice(0, 80)}`]);
      for (const f of r.families) rows.push(["toys", `  ${f.family} best`, f.testHr10.toFixed(4), "", `valid HR@10 ${f.valid.toFixed(4)}`]);
      for (const note of r.skipped) rows.push(["toys", "  skipped", "", "", note.slice(0, 110)]);
    }
  }
  if (only === undefined || only === "ml100k") {
    const missing = missingFiles([dataFile("movielens-100k", "ua.base.gz")]);
    if (missing.length) log(`ml100k: skipped, data not found (${missing.join(", ")}); set EDGEREC_SHARED_DATA`);
    else {
      log(`ml100k: edgerec tune${typeof args.get("jobs") === "string" ? ` --jobs ${args.get("jobs")}` : ""}, ua.base / ua.test (load average ${loadavg()[0].toFixed(1)})`);
      const jobs = args.get("jobs");
      const r = await benchMl100k(log, repoRoot, typeof jobs === "string" ? ["--jobs", jobs] : []);
      let anchor: typeof ANCHOR_ML100K & { load?: number[] } = ANCHOR_ML100K;
      let anchorNote = "recorded at load ~0.7 (ANCHOR_ML100K)";
      if (args.has("anchor")) {
        log(`ml100k: the anchor's edgerec tune, ${ANCHOR_COMMIT} in a temporary worktree (load average ${loadavg()[0].toFixed(1)})`);
        const a = await inWorktree(ANCHOR_COMMIT, (root) => benchMl100k(log, root));
        anchor = { wallSeconds: a.wallSeconds, cpuSeconds: a.cpuSeconds, peakRssMB: a.peakRssMB, validP10: a.validP10, testP10: a.testP10, best: a.chosen, load: a.load };
        anchorNote = `${ANCHOR_COMMIT}, this run, load ${a.load.map((l) => l.toFixed(1)).join("→")}`;
      }
      results.ml100k = { ...r, anchor };
      const load = `load ${r.load.map((l) => l.toFixed(1)).join("→")}`;
      const speedup = (ours: number, theirs: number) => `${(theirs / ours).toFixed(2)}× faster`;
      rows.push(["ml100k", "wall s", r.wallSeconds.toFixed(0), `<= ${(anchor.wallSeconds / 2).toFixed(0)} (half of ${anchor.wallSeconds.toFixed(0)}: ${anchorNote})`, `${ok(r.wallSeconds * 2 <= anchor.wallSeconds)}, ${speedup(r.wallSeconds, anchor.wallSeconds)} (${load})`]);
      rows.push(["ml100k", "CPU s", r.cpuSeconds.toFixed(0), `anchor ${anchor.cpuSeconds.toFixed(0)}`, speedup(r.cpuSeconds, anchor.cpuSeconds)]);
      rows.push(["ml100k", "peak RSS MB", String(r.peakRssMB), `anchor ${anchor.peakRssMB}`, ""]);
      rows.push(["ml100k", "valid P@10 chosen", r.validP10.toFixed(4), `anchor ${anchor.validP10.toFixed(4)}`, r.chosen.slice(0, 90)]);
      rows.push(["ml100k", "test P@10 chosen", r.testP10.toFixed(4), `anchor ${anchor.testP10.toFixed(4)}`, `anchor chose ${anchor.best.slice(0, 80)}`]);
    }
  }
  if (json) process.stdout.write(JSON.stringify(results) + "\n");
  else process.stdout.write(formatTable(["data", "measure", "ours", "target / anchor", "verdict, notes"], rows) + "\n");
}

await main();
