/**
 * `npx tsx bench/fold-study.ts [--folds 6] [--jobs 2] [--cache DIR]`
 *
 * Does a blend member earn its place beyond the split that chose the weights? ua.base only
 * (ua.test is never read): K validation folds, each holding out 10 ratings per user with the
 * seed bench:quality uses for that seed's validation (fold k is seed k's split). Every member
 * is fit on every fold. A member named "… ×3" is the mean of three fits that differ by seed
 * only (per-user z-scores, as the blend mixes them). For each member set, the blend weights
 * are chosen on one fold (bench:quality's 0.1 simplex grid) and scored on the other K−1 folds,
 * each fold taking its turn: a gain that only fits the choosing fold's noise does not survive.
 *
 * Member scores are cached under --cache (default: the OS temp dir) by fold, member, seed and
 * configuration, so a rerun re-scores without refitting. --jobs N splits the fits over N
 * processes of this script (Mult-DAE is ~3 min per fit).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CsrMatrix } from "../trainer/data/matrix.ts";
import { evaluateRanking } from "../trainer/eval/ranking.ts";
import { holdOutPerUser } from "../trainer/eval/splits.ts";
import { BlendModel } from "../trainer/model/blend.ts";
import { MemoScores } from "../trainer/model/memo-scores.ts";
import type { Recommender } from "../trainer/model/model.ts";
import { buildFromConfig, FeatureCache } from "../trainer/tune/config.ts";
import { simplexGrid } from "../trainer/tune/search.ts";
import { createRng } from "../trainer/util/rng.ts";
import { parseArgs } from "./lib/args.ts";
import { loadUaBase, ML100K_MEMBERS, positives } from "./lib/ml100k-members.ts";
import { formatTable } from "./lib/table.ts";

const log = (line: string) => process.stderr.write(line + "\n");

/** Study members: a configuration of ML100K_MEMBERS and the seeds whose fits it averages. */
const STUDY_MEMBERS: Record<string, { config: string; seeds: number[] }> = {
  warp: { config: "warp", seeds: [0] },
  bpr: { config: "bpr", seeds: [0] },
  ease: { config: "ease", seeds: [0] },
  ials: { config: "ials α=3 λ=30 k=64", seeds: [0] },
  "mult-dae": { config: "mult-dae", seeds: [0] },
  "mult-dae ×3": { config: "mult-dae", seeds: [0, 1, 2] },
};

const MEMBER_SETS: Array<{ label: string; members: string[] }> = [
  { label: "WARP, BPR, EASE, iALS", members: ["warp", "bpr", "ease", "ials"] },
  { label: "+ Mult-DAE (bench:quality's search)", members: ["warp", "bpr", "ease", "ials", "mult-dae"] },
  { label: "+ Mult-DAE, mean of 3 seeds", members: ["warp", "bpr", "ease", "ials", "mult-dae ×3"] },
];

/** A fitted model's scores for every training user, read back from the cache. */
class ScoreTable implements Recommender {
  constructor(
    readonly name: string,
    private readonly scores: Float32Array,
    private readonly nItems: number,
  ) {}

  async fit(): Promise<void> {
    throw new Error(`${this.name}: cached scores are already fitted`);
  }

  scoreUser(user: number, out: Float32Array, history?: Int32Array): void {
    if (history) throw new Error(`${this.name}: cached scores cover training users only, not explicit histories`);
    out.set(this.scores.subarray(user * this.nItems, (user + 1) * this.nItems));
  }

  params(): Record<string, unknown> {
    return {};
  }
}

interface FitJob {
  fold: number;
  config: string;
  seed: number;
  file: string;
}

const args = parseArgs(process.argv.slice(2));
const nFolds = Number(args.get("folds") ?? 6);
const jobs = Number(args.get("jobs") ?? 1);
if (!Number.isInteger(nFolds) || nFolds < 2) throw new Error(`--folds must be an integer >= 2 (one fold chooses, the others score), got ${args.get("folds")}`);
if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got ${args.get("jobs")}`);
const cacheDir = String(args.get("cache") ?? join(tmpdir(), "edgerec-fold-study"));
mkdirSync(cacheDir, { recursive: true });

const loaded = await loadUaBase("fold-study");
if (!loaded) process.exit(0);
const { dataset, train } = loaded;
const folds = Array.from({ length: nFolds }, (_, k) => {
  const held = holdOutPerUser(train, 10, createRng(1000 + k));
  return { train: positives(held.train), valid: positives(held.valid) };
});
const nUsers = folds[0].train.nRows;
const nItems = folds[0].train.nCols;

const fingerprint = (config: string) => createHash("sha256").update(JSON.stringify(ML100K_MEMBERS[config])).digest("hex").slice(0, 10);
// Each (configuration, seed) once per fold: "mult-dae" and "mult-dae ×3" share their seed-0 fit.
const neededFits = new Set(Object.values(STUDY_MEMBERS).flatMap((m) => m.seeds.map((seed) => `${m.config}\u0000${seed}`)));
const fitJobs: FitJob[] = [];
for (let fold = 0; fold < nFolds; fold++) {
  for (const key of neededFits) {
    const [config, seed] = key.split("\u0000");
    const slug = config.replace(/[^a-z0-9]+/gi, "-");
    fitJobs.push({ fold, config, seed: Number(seed), file: join(cacheDir, `ml100k-fold${fold}-${slug}-${fingerprint(config)}-seed${seed}.f32`) });
  }
}

const features = new FeatureCache({ items: dataset.items });
async function runFit(job: FitJob): Promise<void> {
  const t0 = performance.now();
  const { model, extraFit } = buildFromConfig(ML100K_MEMBERS[job.config], features);
  await model.fit({ interactions: folds[job.fold].train, rng: createRng(job.seed), ...extraFit });
  const scores = new Float32Array(nUsers * nItems);
  for (let u = 0; u < nUsers; u++) model.scoreUser(u, scores.subarray(u * nItems, (u + 1) * nItems));
  // Written whole, then renamed: a killed run never leaves a truncated cache entry behind.
  writeFileSync(job.file + ".part", scores);
  renameSync(job.file + ".part", job.file);
  log(`  fold ${job.fold} ${job.config} seed ${job.seed}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const shard = args.get("fit-shard");
if (typeof shard === "string") {
  // A child of --jobs: fit its share of the missing entries, then leave the scoring to the parent.
  const [index, count] = shard.split("/").map(Number);
  for (const [j, job] of fitJobs.entries()) if (j % count === index && !existsSync(job.file)) await runFit(job);
  process.exit(0);
}

const missing = fitJobs.filter((job) => !existsSync(job.file));
log(`fold-study: ${fitJobs.length - missing.length} of ${fitJobs.length} fits cached in ${cacheDir}; fitting ${missing.length} on ${jobs} process(es)…`);
if (jobs > 1 && missing.length > 1) {
  const script = fileURLToPath(import.meta.url);
  const children = Array.from({ length: jobs }, (_, i) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2), "--fit-shard", `${i}/${jobs}`], { stdio: ["ignore", "inherit", "inherit"] });
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`fold-study: fit process ${i} exited with ${code}`))));
    }),
  );
  await Promise.all(children);
}
for (const job of fitJobs) if (!existsSync(job.file)) await runFit(job);

/** Per fold: each study member as a scorer (a seed bag is the equal-weight blend of its fits). */
const scorers = folds.map((_, fold) => {
  const table = (config: string, seed: number) => {
    const job = fitJobs.find((j) => j.fold === fold && j.config === config && j.seed === seed)!;
    const bytes = readFileSync(job.file);
    return new ScoreTable(config, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), nItems);
  };
  return new Map(
    Object.entries(STUDY_MEMBERS).map(([name, m]) => {
      const fits = m.seeds.map((seed) => ({ model: table(m.config, seed), weight: 1 / m.seeds.length }));
      return [name, fits.length === 1 ? fits[0].model : new MemoScores(new BlendModel(fits, name))] as const;
    }),
  );
});

const precision = (model: Recommender, fold: { train: CsrMatrix; valid: CsrMatrix }) => evaluateRanking(model, { train: fold.train, test: fold.valid, ks: [10] })["p@10"];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const aloneRows = Object.keys(STUDY_MEMBERS).map((name) => {
  const perFold = folds.map((fold, k) => precision(scorers[k].get(name)!, fold));
  return [name, mean(perFold), Math.min(...perFold), Math.max(...perFold)];
});

const setRows: (string | number)[][] = [];
for (const set of MEMBER_SETS) {
  const grid = simplexGrid(set.members.length, 10).filter((w) => w.filter((x) => x > 0).length >= 2);
  // p[k][g]: fold k's validation P@10 of grid point g.
  const p = folds.map((fold, k) => {
    const members = set.members.map((name) => scorers[k].get(name)!);
    return grid.map((weights) => precision(new BlendModel(members.map((model, m) => ({ model, weight: weights[m] }))), fold));
  });
  const heldOut = folds.map((_, chooser) => {
    const g = p[chooser].indexOf(Math.max(...p[chooser]));
    return { weights: grid[g], score: mean(folds.map((_, k) => k).filter((k) => k !== chooser).map((k) => p[k][g])) };
  });
  const scores = heldOut.map((h) => h.score);
  const fold0 = heldOut[0].weights.map((w, m) => `${w}×${set.members[m]}`).filter((s) => !s.startsWith("0×")).join(" + ");
  setRows.push([set.label, mean(scores), Math.min(...scores), Math.max(...scores), fold0]);
  log(`  ${set.label}: held-out P@10 ${mean(scores).toFixed(4)}`);
}

console.log(`ML-100k ua.base only, ${nFolds} validation folds of 10 ratings per user (ua.test never read)\n`);
console.log(formatTable(["member alone", "mean P@10", "min", "max"], aloneRows));
console.log("");
console.log(formatTable(["member set", "P@10 on the other folds, mean over choosing folds", "min", "max", "weights chosen on fold 0 (bench:quality seed 0)"], setRows));
