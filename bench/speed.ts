/**
 * Fit-time benchmark of HybridMF against LightFM's anchor (docs/benchmarks.md): WARP, 10 components,
 * 30 epochs, ML-100k ua.base with ratings >= 4 as positives. Median of 5 fits per thread
 * count (after one unreported warm-up fit, so JIT compilation is not counted), peak RSS.
 * Usage: npx tsx bench/speed.ts [--json] [--fits 5]
 */
import { existsSync } from "node:fs";
import { interactionsToCsr } from "../trainer/data/interactions-matrix.ts";
import { loadSplitFiles } from "../trainer/data/load.ts";
import { HybridMF } from "../trainer/model/hybrid.ts";
import { createRng } from "../trainer/util/rng.ts";
import { dataFile } from "./lib/data-root.ts";

const uaBase = dataFile("movielens-100k", "ua.base.gz");
const json = process.argv.includes("--json");
const fitsArg = process.argv.indexOf("--fits");
const fits = fitsArg > 0 ? Number(process.argv[fitsArg + 1]) : 5;

if (!existsSync(uaBase)) {
  console.log(`bench:speed: ${uaBase} not found; the benchmark needs MovieLens 100k under the dataset root (EDGEREC_SHARED_DATA; skipped).`);
  process.exit(0);
}

const { train } = await loadSplitFiles({ train: uaBase });
const positives = interactionsToCsr(train, { kind: "positives", threshold: 4 });
const anchors: Record<number, number> = { 1: 0.7, 2: 1.25 };

const rows: { threads: number; median: number; min: number; max: number; cpu: number; anchor: number }[] = [];
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const threads of [1, 2]) {
  const times: number[] = [];
  const cpus: number[] = [];
  for (let f = 0; f <= fits; f++) {
    const model = new HybridMF({ loss: "warp", components: 10, epochs: 30, learningRate: 0.05, threads });
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await model.fit({ interactions: positives, rng: createRng(f) });
    const seconds = (performance.now() - t0) / 1000;
    // CPU seconds of the whole process (all threads): on a shared machine wall time also
    // counts time spent waiting for a core; CPU time does not.
    const cpu = process.cpuUsage(c0);
    if (f > 0) {
      times.push(seconds);
      cpus.push((cpu.user + cpu.system) / 1e6);
    }
  }
  times.sort((a, b) => a - b);
  rows.push({ threads, median: median(times), min: times[0], max: times[times.length - 1], cpu: median(cpus), anchor: anchors[threads] });
}
const peakRssMiB = process.resourceUsage().maxRSS / 1024;

if (json) {
  for (const r of rows) {
    console.log(JSON.stringify({ bench: "speed", data: "ml-100k ua ratings>=4", model: "hybrid warp k=10 30 epochs", threads: r.threads, medianSeconds: +r.median.toFixed(3), medianCpuSeconds: +r.cpu.toFixed(3), minSeconds: +r.min.toFixed(3), maxSeconds: +r.max.toFixed(3), anchorLightFmSeconds: r.anchor, fits, peakRssMiB: +peakRssMiB.toFixed(1) }));
  }
} else {
  console.log(`HybridMF fit time, WARP k=10, 30 epochs, ML-100k ua ratings>=4 (${positives.data.length} positives), median of ${fits} fits`);
  console.log("| threads | median wall s | min–max wall s | median CPU s (all threads) | LightFM anchor s |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.threads} | ${r.median.toFixed(3)} | ${r.min.toFixed(3)}–${r.max.toFixed(3)} | ${r.cpu.toFixed(3)} | ${r.anchor.toFixed(2)} |`);
  console.log(`peak RSS: ${peakRssMiB.toFixed(1)} MiB (whole process, incl. data loading); load average ${(await import("node:os")).loadavg()[0].toFixed(2)}`);
}
