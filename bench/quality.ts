/**
 * `npm run bench:quality [-- --json] [-- --only <dataset>] [-- --seeds 0,1,2] [-- --contenders a,b] [-- --write-results FILE]`
 *
 * Runs every contender (every bench/contenders/*.ts file's exported `contenders`) on the
 * protocols of docs/benchmarks.md (Anchors) and prints ours beside the anchors. Hyper-parameters are
 * chosen on validation carved from train, never on test. Each (dataset, contender) runs in
 * its own child process so that its peak RSS is its own.
 */
import { spawn } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRng } from "../trainer/util/rng.ts";
import { ANCHORS_SOURCE, anchors } from "./lib/anchors.ts";
import { parseArgs } from "./lib/args.ts";
import type { Contender, DatasetName } from "./lib/contender.ts";
import { missingFiles, repoRoot, sharedDataRoot } from "./lib/data-root.ts";
import { writeJsonLine } from "./lib/json-lines.ts";
import { datasetFiles, loadProtocols } from "./lib/protocols.ts";
import { peakRssMb } from "./lib/rss.ts";
import { formatTable } from "./lib/table.ts";

const DATASETS: DatasetName[] = ["movielens-100k", "amazon-gift-cards-2018", "amazon-grocery-2014", "sample-store", "amazon-toys-2014-seq", "amazon-sports-2014-seq"];
const METRIC_KEYS = ["auc", "pairAuc", "p@10", "r@10", "hr@10", "ndcg@10"] as const;

interface RunRecord {
  dataset: DatasetName;
  protocol: string;
  model: string;
  seed: number;
  metrics: Record<string, number>;
  fitSeconds: number;
  fitCpuSeconds?: number;
  peakRssMb: number;
  chosen?: Record<string, unknown>;
}

async function loadContenders(): Promise<Contender[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "contenders");
  const all: Contender[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts")).sort()) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { contenders?: Contender[] };
    if (!Array.isArray(mod.contenders)) throw new Error(`bench/contenders/${file} must export a "contenders" array`);
    all.push(...mod.contenders);
  }
  return all;
}

/** Child: one contender on one dataset, every protocol, the given seeds; JSON lines on stdout. */
async function runChild(dataset: DatasetName, contenderName: string, seeds: number[]): Promise<void> {
  const contender = (await loadContenders()).find((c) => c.name === contenderName);
  if (!contender) throw new Error(`no contender named ${contenderName}`);
  const runSeeds = contender.seeded ? seeds : seeds.slice(0, 1);
  for (const seed of runSeeds) {
    for (const protocol of await loadProtocols(dataset, seed)) {
      const { data } = protocol;
      if (contender.appliesTo && !contender.appliesTo(data.dataset, data.protocol)) continue;
      const run = await contender.build(data, seed);
      let fitSeconds = run.fitSeconds ?? 0;
      let fitCpuSeconds = run.fitCpuSeconds;
      if (!run.fitted) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await run.model.fit({ interactions: data.train, sequences: data.sequences, rng: createRng(seed), ...run.extraFit });
        fitSeconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(c0);
        fitCpuSeconds = (cpu.user + cpu.system) / 1e6;
      }
      const metrics = protocol.evaluateTest(run.model);
      const record: RunRecord = {
        dataset: data.dataset,
        protocol: data.protocol,
        model: contender.name,
        seed,
        metrics,
        fitSeconds,
        fitCpuSeconds,
        peakRssMb: peakRssMb(),
        chosen: run.chosen ?? run.model.params(),
      };
      writeJsonLine(record);
    }
  }
}

function runInChild(dataset: DatasetName, contender: string, seeds: number[]): Promise<RunRecord[]> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, "--expose-gc", script, "--child", dataset, "--contender", contender, "--seeds", seeds.join(",")], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${contender} on ${dataset} exited with code ${code}`));
      resolve(out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as RunRecord));
    });
  });
}

interface Summary {
  dataset: DatasetName;
  protocol: string;
  model: string;
  metrics: Record<string, number>;
  sd: Record<string, number>;
  fitSeconds: number;
  fitCpuSeconds: number;
  peakRssMb: number;
  seeds: number[];
  chosen: unknown[];
}

function summarise(records: RunRecord[]): Summary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${r.dataset}\u0000${r.protocol}\u0000${r.model}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const metrics: Record<string, number> = {};
    const sd: Record<string, number> = {};
    for (const key of Object.keys(rs[0].metrics)) {
      const vals = rs.map((r) => r.metrics[key]);
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      metrics[key] = mean;
      sd[key] = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, vals.length - 1));
    }
    return {
      dataset: rs[0].dataset,
      protocol: rs[0].protocol,
      model: rs[0].model,
      metrics,
      sd,
      fitSeconds: rs.reduce((a, r) => a + r.fitSeconds, 0) / rs.length,
      fitCpuSeconds: rs.reduce((a, r) => a + (r.fitCpuSeconds ?? Number.NaN), 0) / rs.length,
      peakRssMb: Math.max(...rs.map((r) => r.peakRssMb)),
      seeds: rs.map((r) => r.seed),
      chosen: rs.map((r) => r.chosen),
    };
  });
}

/** Long configurations (stacks, blends) would make the table unreadable: the JSON lines carry them whole. */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function renderTables(summaries: Summary[]): string {
  const parts: string[] = [];
  const keys = [...new Set(summaries.map((s) => `${s.dataset}\u0000${s.protocol}`))];
  for (const key of keys) {
    const [dataset, protocol] = key.split("\u0000");
    const ours = summaries.filter((s) => s.dataset === dataset && s.protocol === protocol);
    const cols = METRIC_KEYS.filter((m) => ours.some((s) => m in s.metrics));
    const rows: (string | number)[][] = ours.map((s) => [
      `ours: ${s.model}`,
      ...cols.map((m) => {
        const value = s.seeds.length > 1 && s.sd[m] > 0 ? `${s.metrics[m].toFixed(4)} ± ${s.sd[m].toFixed(4)}` : s.metrics[m].toFixed(4);
        // Sequence protocols give a 95% bootstrap interval over users (sequence-protocol.ts).
        return `${m}:lo` in s.metrics ? `${value} [${s.metrics[`${m}:lo`].toFixed(4)}, ${s.metrics[`${m}:hi`].toFixed(4)}]` : value;
      }),
      `${s.fitSeconds.toFixed(2)} (cpu ${s.fitCpuSeconds.toFixed(2)})`,
      Math.round(s.peakRssMb),
      `${s.seeds.length === 1 ? "seed " : "seeds "}${s.seeds.join(",")}; ${shorten(JSON.stringify(s.chosen[0]), 160)}`,
    ]);
    for (const a of anchors.filter((x) => x.dataset === dataset && x.protocol === protocol)) {
      rows.push([`anchor: ${a.model}`, ...cols.map((m) => (m in a.metrics ? a.metrics[m] : "")), a.fit ?? "", "", "anchor"]);
    }
    parts.push(`### ${dataset} · ${protocol}\n\n` + formatTable(["model", ...cols, "fit s (wall, cpu)", "peak RSS MB", "notes"], rows));
  }
  return parts.join("\n\n");
}

/** EASE λ=100 on Grocery train, once per precision, each in its own process: wall and CPU seconds of the fit. */
async function runEaseTiming(): Promise<string[]> {
  const script = fileURLToPath(import.meta.url);
  const lines: string[] = [];
  for (const precision of ["double", "mixed"]) {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, script, "--child-ease-timing", precision], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
      let text = "";
      child.stdout.on("data", (d: Buffer) => (text += d.toString("utf8")));
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`EASE timing exited with code ${code}`))));
    });
    const r = JSON.parse(out.trim().split("\n").pop()!) as { wall: number; cpu: number; hr10: number; rss: number };
    lines.push(`EASE λ=100 fit on Grocery, precision ${precision}: ${r.wall.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU, peak RSS ${Math.round(r.rss)} MB; test HR@10 ${r.hr10.toFixed(4)}.`);
  }
  return lines;
}

async function childEaseTiming(precision: string): Promise<void> {
  const [protocol] = await loadProtocols("amazon-grocery-2014", 0);
  const { EaseModel } = await import("../trainer/model/ease.ts");
  const model = new EaseModel({ lambda: 100, precision });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await model.fit({ interactions: protocol.data.train, rng: createRng(0) });
  const cpu = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / 1000;
  const metrics = protocol.evaluateTest(model);
  writeJsonLine({ wall, cpu: (cpu.user + cpu.system) / 1e6, hr10: metrics["hr@10"], rss: peakRssMb() });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const seeds = String(args.get("seeds") ?? "0,1,2")
    .split(",")
    .map((s) => Number(s.trim()));
  if (seeds.some((s) => !Number.isInteger(s))) throw new Error(`--seeds must be a comma-separated list of integers, got ${args.get("seeds")}`);

  const easeTiming = args.get("child-ease-timing");
  if (typeof easeTiming === "string") {
    await childEaseTiming(easeTiming);
    return;
  }
  const child = args.get("child");
  if (typeof child === "string") {
    await runChild(child as DatasetName, String(args.get("contender")), seeds);
    return;
  }

  const json = args.has("json");
  const resultsFile = args.get("write-results");
  if (resultsFile === true) throw new Error("--write-results needs a file name, e.g. --write-results quality.md (docs/benchmarks.md keeps the current numbers)");
  const log = (line: string) => process.stderr.write(line + "\n");
  const only = args.get("only");
  if (only !== undefined && !DATASETS.includes(only as DatasetName)) {
    throw new Error(`--only must be one of ${DATASETS.join(", ")}, got ${String(only)}`);
  }
  const wanted = DATASETS.filter((d) => only === undefined || d === only);
  const present = wanted.filter((d) => {
    const missing = missingFiles(datasetFiles[d]);
    if (missing.length) log(`bench:quality: skipping ${d}: missing ${missing.join(", ")}`);
    return missing.length === 0;
  });
  if (!present.some((d) => datasetFiles[d].length > 0) && only !== "sample-store") {
    const rest = present.length ? "only the generated sample store runs" : "nothing to do";
    log(`bench:quality: no evaluation data found under ${sharedDataRoot} (it is not part of the repository); ${rest}.`);
  }
  if (present.length === 0) return;
  let contenders = await loadContenders();
  const filter = args.get("contenders");
  if (typeof filter === "string") {
    const names = filter.split(",");
    contenders = contenders.filter((c) => names.includes(c.name));
  }

  const records: RunRecord[] = [];
  for (const dataset of present) {
    for (const c of contenders) {
      log(`bench:quality: ${dataset} · ${c.name}…`);
      const got = await runInChild(dataset, c.name, seeds);
      records.push(...got);
    }
  }
  const summaries = summarise(records);
  if (json) {
    for (const s of summaries) {
      writeJsonLine({
        dataset: s.dataset,
        protocol: s.protocol,
        model: s.model,
        metrics: Object.fromEntries(METRIC_KEYS.filter((m) => m in s.metrics).map((m) => [m, s.metrics[m]])),
        fitSeconds: s.fitSeconds,
        fitCpuSeconds: s.fitCpuSeconds,
        peakRssMb: s.peakRssMb,
        seeds: s.seeds,
        params: s.chosen,
        allMetrics: s.metrics,
      });
    }
  } else {
    const tables = renderTables(summaries);
    const notes = [
      `Anchors: ${ANCHORS_SOURCE}. Ours: mean of seeds (± sd when it is not 0); contenders that do not depend on the seed run once.`,
      "Hyper-parameters (notes column) are chosen on validation carved from train, never on test: ML-100k 10 ratings per user held out of ua.base; Grocery dev.csv; Gift Cards / sample store / Toys / Sports the leave-last-out dev split.",
      "Toys / Sports sequences: fit on train; test scored from train + dev (as the published sequential models do), train ∪ dev excluded; [lo, hi] is a 95% bootstrap interval over users; the JSON lines also give the test scored from train alone (hr@10/trainHistory).",
      "Fit time: wall and CPU seconds of the final fit (for tuned contenders on Grocery/Gift Cards/sample store, the tuning fit on train is the final model). Peak RSS: the contender's own process, tuning included.",
    ];
    const easeGrocery = summaries.find((s) => s.dataset === "amazon-grocery-2014" && s.model === "ease");
    if (easeGrocery) {
      notes.push(
        `EASE fit on Amazon Grocery (8,713 items, ${JSON.stringify(easeGrocery.chosen[0])}): ${easeGrocery.fitSeconds.toFixed(1)} s wall, ${easeGrocery.fitCpuSeconds.toFixed(1)} s CPU; anchor numpy/OpenBLAS 30–57 s; target <= 60 s.`,
      );
    }
    if (args.has("ease-timing") && present.includes("amazon-grocery-2014")) {
      for (const line of await runEaseTiming()) notes.push(line);
    }
    const text = `${tables}\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`;
    process.stdout.write(text);
    if (typeof resultsFile === "string") {
      const md = `# bench:quality results\n\nMeasured by \`npm run bench:quality -- ${process.argv.slice(2).join(" ")}\` on ${new Date().toISOString().slice(0, 10)}.\n\n${text}`;
      writeFileSync(resolve(resultsFile), md);
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:quality: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
