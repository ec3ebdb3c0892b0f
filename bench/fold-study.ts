/**
 * `npx tsx bench/fold-study.ts [--study blend|ials|ials-k] [--folds 6] [--jobs 2] [--cache DIR]`
 *
 * Does a blend member earn its place beyond the split that chose the weights? ua.base only
 * (ua.test is never read): K validation folds, each holding out 10 ratings per user with the
 * seed bench:quality uses for that seed's validation (fold k is seed k's split). Every member
 * is fit on every fold. A member named "… ×3" is the mean of three fits that differ by seed
 * only (per-user z-scores, as the blend mixes them). For each member set, the blend weights
 * are chosen on one fold (bench:quality's 0.1 simplex grid) and scored on the other K−1 folds,
 * each fold taking its turn: a gain that only fits the choosing fold's noise does not survive.
 * The weights are chosen twice, by P@10 and by the smoother NDCG@20 (which this study led
 * bench:quality's ML-100k search to adopt; fold 0's column names the fold, seed 0's split).
 * Every score is also given in a test-like mix of users, re-weighted to ua.base's history
 * lengths (a fold's are shorter, see `validate`), with the weights chosen either way.
 * `--study ials` scores a grid of iALS settings alone the same way (no blend); `--study ials-k`
 * asks whether more iALS components (128, 256 at the ridge's λ) help alone or in the blend.
 *
 * Member scores are cached under --cache (default: the OS temp dir) by fold, seed and a hash of
 * the configuration, so a rerun re-scores without refitting (the hash does not cover model code:
 * clear the cache after changing a model). --jobs N splits the fits over N processes of this
 * script (Mult-DAE is 2–3 min per fit).
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CsrMatrix } from "../trainer/data/matrix.ts";
import { evaluateRanking, type Metrics } from "../trainer/eval/ranking.ts";
import { BlendModel } from "../trainer/model/blend.ts";
import { MemoScores } from "../trainer/model/memo-scores.ts";
import type { Recommender } from "../trainer/model/model.ts";
import { FeatureCache, type ModelConfig } from "../trainer/tune/config.ts";
import { blendWeightGrid, DEFAULT_IALS } from "../trainer/tune/search.ts";
import { parseArgs } from "./lib/args.ts";
import { loadUaBase, ML100K_MEMBERS } from "./lib/ml100k-members.ts";
import { positives, uaValidationSplit } from "./lib/protocols.ts";
import { fitKey, fitMissing, fitToCache, type FitJob, scoreFile, ScoreTable } from "./lib/score-cache.ts";
import { formatTable } from "./lib/table.ts";

const log = (line: string) => process.stderr.write(line + "\n");

/** A study member: a model configuration and the seeds whose fits it averages. */
interface StudyMember {
  config: ModelConfig;
  seeds: number[];
}

interface Study {
  title: string;
  members: Record<string, StudyMember>;
  /** Blends to replay (weights chosen on one fold, scored on the others); none: members alone only. */
  sets: Array<{ label: string; members: string[] }>;
}

const member = (name: keyof typeof ML100K_MEMBERS, seeds = [0]): StudyMember => ({ config: ML100K_MEMBERS[name], seeds });
const ialsAt = (alpha: number, lambda: number, components = 64): StudyMember => ({ config: { model: "ials", params: { ...DEFAULT_IALS, components, alpha, lambda } }, seeds: [0] });

const STUDIES: Record<string, Study> = {
  blend: {
    title: "does each member earn its place in the blend, and does bagging Mult-DAE over seeds help",
    members: {
      warp: member("warp"),
      bpr: member("bpr"),
      ease: member("ease"),
      ials: member("ials α=3 λ=30 k=64"),
      "mult-dae": member("mult-dae"),
      "mult-dae ×3": member("mult-dae", [0, 1, 2]),
    },
    sets: [
      { label: "WARP, BPR, EASE, iALS", members: ["warp", "bpr", "ease", "ials"] },
      { label: "+ Mult-DAE (bench:quality's search)", members: ["warp", "bpr", "ease", "ials", "mult-dae"] },
      { label: "+ Mult-DAE, mean of 3 seeds", members: ["warp", "bpr", "ease", "ials", "mult-dae ×3"] },
    ],
  },
  ials: {
    title: "iALS (k=64, 8 iterations): the confidence α against the ridge λ, each alone",
    members: Object.fromEntries([1, 2, 3, 5].flatMap((alpha) => [10, 20, 30, 45, 100].map((lambda) => [`α=${alpha} λ=${lambda}`, ialsAt(alpha, lambda)]))),
    sets: [],
  },
  "ials-k": {
    title: "iALS (α=3, 8 iterations): more components, each alone and in the blend",
    members: {
      warp: member("warp"),
      bpr: member("bpr"),
      ease: member("ease"),
      "mult-dae": member("mult-dae"),
      "ials k=64 λ=30": ialsAt(3, 30, 64),
      "ials k=128 λ=25": ialsAt(3, 25, 128),
      "ials k=128 λ=30": ialsAt(3, 30, 128),
      "ials k=128 λ=35": ialsAt(3, 35, 128),
      "ials k=256 λ=30": ialsAt(3, 30, 256),
    },
    sets: [64, 128, 256].map((k) => ({ label: `WARP, BPR, EASE, Mult-DAE + iALS k=${k} λ=30`, members: ["warp", "bpr", "ease", "mult-dae", `ials k=${k} λ=30`] })),
  },
};

const args = parseArgs(process.argv.slice(2));
const studyName = String(args.get("study") ?? "blend");
const study = STUDIES[studyName];
if (!study) throw new Error(`--study must be one of ${Object.keys(STUDIES).join(", ")}, got ${studyName}`);
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
  const held = uaValidationSplit(train, k);
  return { train: positives(held.train), valid: positives(held.valid) };
});
const nUsers = folds[0].train.nRows;
const nItems = folds[0].train.nCols;

// Each distinct (configuration, seed) is fit once per fold: "mult-dae" and "mult-dae ×3" share
// their seed-0 fit, and a configuration two studies share is cached once.
const neededFits = new Map<string, { config: ModelConfig; seed: number }>();
for (const m of Object.values(study.members)) for (const seed of m.seeds) neededFits.set(fitKey(m.config, seed), { config: m.config, seed });
const cacheFile = (fold: number, config: ModelConfig, seed: number) => scoreFile(cacheDir, `fold${fold}`, config, seed);
const features = new FeatureCache({ items: dataset.items });
const fitJobs: FitJob[] = [];
for (let fold = 0; fold < nFolds; fold++) {
  for (const { config, seed } of neededFits.values()) {
    const file = cacheFile(fold, config, seed);
    fitJobs.push({ file, describe: `fold ${fold} ${JSON.stringify(config)} seed ${seed}`, run: () => fitToCache(file, config, seed, folds[fold].train, features) });
  }
}
const shard = args.get("fit-shard");
const parent = await fitMissing(fitJobs, { study: `fold-study (cache ${cacheDir})`, processes: jobs, shard: typeof shard === "string" ? shard : undefined, script: fileURLToPath(import.meta.url), log });
// A child of --jobs has fitted its share; the parent scores.
if (!parent) process.exit(0);

/** Per fold: each study member as a scorer (a seed bag is the equal-weight blend of its fits). */
const scorers = folds.map((_, fold) => {
  const table = (name: string, config: ModelConfig, seed: number) => ScoreTable.read(cacheFile(fold, config, seed), name, nUsers, nItems);
  return new Map(
    Object.entries(study.members).map(([name, m]) => {
      const fits = m.seeds.map((seed) => ({ model: table(name, m.config, seed), weight: 1 / m.seeds.length }));
      return [name, fits.length === 1 ? fits[0].model : new MemoScores(new BlendModel(fits, name))] as const;
    }),
  );
});

/**
 * A fold trains on ua.base less 10 ratings per user, so its users keep shorter histories than
 * they do when ua.test is ranked (about a fifth under 5 positives, against 3% of ua.base), and
 * the members rank differently by history length (Mult-DAE leads on short ones, iALS on long
 * ones). The test-like mix re-weights a fold's users so that the shares by positive-history
 * length are ua.base's: a metric is Σ_b share_ua.base(b) · (its mean over the fold's users in
 * bin b). Only ua.base's lengths are used, never ua.test.
 */
const HISTORY_BIN_EDGES = [5, 10, 15, 20, 30, 40, 60, 80, 120];
const historyBin = (length: number) => HISTORY_BIN_EDGES.filter((edge) => length >= edge).length;
const rowLength = (m: CsrMatrix, u: number) => m.indptr[u + 1] - m.indptr[u];
const uaBaseShares = (() => {
  const all = positives(train);
  const counts = new Float64Array(HISTORY_BIN_EDGES.length + 1);
  for (let u = 0; u < all.nRows; u++) counts[historyBin(rowLength(all, u))]++;
  return Array.from(counts, (c) => c / all.nRows);
})();
/** foldUsersByBin[k][b]: fold k's users with a held-out positive whose training history falls in bin b. */
const foldUsersByBin = folds.map((fold) => {
  const bins: number[][] = uaBaseShares.map(() => []);
  for (let u = 0; u < nUsers; u++) if (rowLength(fold.valid, u) > 0) bins[historyBin(rowLength(fold.train, u))].push(u);
  return bins.map((users) => Int32Array.from(users));
});
const MIXED_METRICS = ["p@10", "ndcg@20"] as const;

/** A fold's validation P@10 and NDCG@20 over its own users and in the test-like mix, and P@10 by history length. */
function validate(model: Recommender, k: number): { fold: Metrics; testLike: Metrics; p10ByLength: number[] } {
  const { train: foldTrain, valid } = folds[k];
  const perBin = foldUsersByBin[k].map((users) => (users.length ? evaluateRanking(model, { train: foldTrain, test: valid, ks: [10, 20], users }) : undefined));
  const mix = (weightOf: (bin: number) => number): Metrics => {
    const out: Metrics = Object.fromEntries(MIXED_METRICS.map((key) => [key, 0]));
    let total = 0;
    perBin.forEach((metrics, bin) => {
      if (!metrics) return;
      total += weightOf(bin);
      for (const key of MIXED_METRICS) out[key] += weightOf(bin) * metrics[key];
    });
    for (const key of MIXED_METRICS) out[key] /= total;
    return out;
  };
  return { fold: mix((bin) => foldUsersByBin[k][bin].length), testLike: mix((bin) => uaBaseShares[bin]), p10ByLength: perBin.map((m) => m?.["p@10"] ?? Number.NaN) };
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const lengthRows: (string | number)[][] = [];
const aloneRows = Object.keys(study.members).map((name) => {
  const perFold = folds.map((_, k) => validate(scorers[k].get(name)!, k));
  const p10 = perFold.map((m) => m.fold["p@10"]);
  lengthRows.push([name, ...uaBaseShares.map((_, bin) => mean(perFold.map((m) => m.p10ByLength[bin]).filter((x) => !Number.isNaN(x))))]);
  return [name, mean(p10), Math.min(...p10), Math.max(...p10), mean(perFold.map((m) => m.testLike["p@10"]))];
});
const binLabels = uaBaseShares.map((_, bin) => (bin === HISTORY_BIN_EDGES.length ? `${HISTORY_BIN_EDGES[bin - 1]}+` : `${HISTORY_BIN_EDGES[bin - 1] ?? 0}–${HISTORY_BIN_EDGES[bin] - 1}`));
const foldShares = uaBaseShares.map((_, bin) => mean(foldUsersByBin.map((byBin) => byBin[bin].length / byBin.reduce((n, users) => n + users.length, 0))));

// Weights are chosen by validation P@10 (the primary metric) and, to ask whether a smoother
// criterion picks them with less noise, by NDCG@20; both are scored by P@10. In the test-like
// mix, weights are chosen by NDCG@20 over the fold's users (as bench:quality does) or over the
// re-weighted ones, and scored by test-like P@10: would a search that knew the shift choose better?
const CRITERIA = ["p@10", "ndcg@20"] as const;
const MIXES = ["fold", "testLike"] as const;
const setRows: (string | number)[][] = [];
const testLikeRows: (string | number)[][] = [];
for (const set of study.sets) {
  const grid = blendWeightGrid(set.members.length);
  // metrics[k][g]: fold k's validation metrics of grid point g.
  const metrics = folds.map((_, k) => {
    const members = set.members.map((name) => scorers[k].get(name)!);
    return grid.map((weights) => validate(new BlendModel(members.map((model, m) => ({ model, weight: weights[m] }))), k));
  });
  const heldOutScore = (chooser: number, g: number, mix: (typeof MIXES)[number]) => mean(folds.map((_, k) => k).filter((k) => k !== chooser).map((k) => metrics[k][g][mix]["p@10"]));
  const testLikeRow: (string | number)[] = [set.label];
  for (const chooseIn of MIXES) {
    const scores = folds.map((_, chooser) => {
      const byCriterion = metrics[chooser].map((m) => m[chooseIn]["ndcg@20"]);
      return heldOutScore(chooser, byCriterion.indexOf(Math.max(...byCriterion)), "testLike");
    });
    testLikeRow.push(mean(scores), `${Math.min(...scores).toFixed(4)}–${Math.max(...scores).toFixed(4)}`);
  }
  testLikeRows.push(testLikeRow);
  const row: (string | number)[] = [set.label];
  let fold0 = "";
  for (const criterion of CRITERIA) {
    const heldOut = folds.map((_, chooser) => {
      const byCriterion = metrics[chooser].map((m) => m.fold[criterion]);
      const g = byCriterion.indexOf(Math.max(...byCriterion));
      return { weights: grid[g], score: heldOutScore(chooser, g, "fold") };
    });
    const scores = heldOut.map((h) => h.score);
    row.push(mean(scores), `${Math.min(...scores).toFixed(4)}–${Math.max(...scores).toFixed(4)}`);
    if (criterion === "p@10") fold0 = heldOut[0].weights.map((w, m) => `${w}×${set.members[m]}`).filter((s) => !s.startsWith("0×")).join(" + ");
    log(`  ${set.label}: weights chosen by ${criterion}, held-out P@10 ${mean(scores).toFixed(4)}`);
  }
  // Cross-validated choice: each fold is scored with the weights that the other folds, pooled, rank first.
  const pooled = folds.map((_, scored) => {
    const others = folds.map((__, k) => k).filter((k) => k !== scored);
    const byCriterion = grid.map((_, g) => others.reduce((sum, k) => sum + metrics[k][g].fold["ndcg@20"], 0));
    return metrics[scored][byCriterion.indexOf(Math.max(...byCriterion))].fold["p@10"];
  });
  // Hindsight: the one weight vector with the best mean P@10 over all folds (a ceiling, not a method).
  const hindsight = Math.max(...grid.map((_, g) => mean(metrics.map((m) => m[g].fold["p@10"]))));
  row.push(mean(pooled), `${Math.min(...pooled).toFixed(4)}–${Math.max(...pooled).toFixed(4)}`, hindsight);
  setRows.push([...row, fold0]);
}

console.log(`ML-100k ua.base only, ${nFolds} validation folds of 10 ratings per user (ua.test never read): ${study.title}\n`);
console.log(formatTable(["member alone", "mean P@10", "min", "max", "test-like P@10"], aloneRows));
console.log(`\nP@10 alone by the user's positive-history length in the fold (mean over folds); the last rows give each length's share of users\n`);
console.log(
  formatTable(
    ["member", ...binLabels],
    [...lengthRows, ["share in the folds", ...foldShares.map((x) => x.toFixed(3))], ["share in ua.base", ...uaBaseShares.map((x) => x.toFixed(3))]],
  ),
);
if (setRows.length) {
  console.log(
    "\nP@10 on the other folds, mean over choosing folds (min–max), with the weights chosen on one fold by P@10 or by NDCG@20;" +
      ` then each fold scored with the weights chosen by NDCG@20 on the other ${nFolds - 1} pooled, and the best fixed weights in hindsight\n`,
  );
  console.log(
    formatTable(
      ["member set", "chosen by P@10", "min–max", "chosen by NDCG@20", "min–max", `chosen on ${nFolds - 1} folds pooled`, "min–max", "hindsight", "weights chosen by P@10 on fold 0 (bench:quality seed 0)"],
      setRows,
    ),
  );
  console.log("\nTest-like P@10 on the other folds (users re-weighted to ua.base's history lengths), weights chosen by NDCG@20 over the fold's users or over the re-weighted ones\n");
  console.log(formatTable(["member set", "chosen on the fold's users", "min–max", "chosen test-like", "min–max"], testLikeRows));
}
