/**
 * `npx tsx bench/nested-study.ts [--pseudo-tests 3] [--jobs 2] [--cache DIR]`
 *
 * Which split should choose the blend weights? ua.base only (ua.test is never read). Pseudo-test
 * k is fold-study's fold k (seed k's 10-rating validation split); the rest of ua.base, the
 * pseudo-base, plays ua.base: the five members are fit on it (fold-study's cached fits when
 * --cache is shared), and inside it bench:quality's two ways of choosing the weights are replayed
 * with the protocol's own functions: the 10-rating validation split (`uaValidationSplit`) and the
 * three 3-rating blend folds (`uaBlendFolds`), each ranking the 0.1 grid by NDCG@20 (pooled over
 * the folds). Each pick is scored by P@10 on the pseudo-test, beside the best grid point there in
 * hindsight. The validation split fits its members on 89% of the pseudo-base, a blend fold on 97%.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BlendModel } from "../trainer/model/blend.ts";
import { MemoScores } from "../trainer/model/memo-scores.ts";
import { FeatureCache } from "../trainer/tune/config.ts";
import { blendWeightGrid, type BlendFold } from "../trainer/tune/search.ts";
import { parseArgs } from "./lib/args.ts";
import { loadUaBase, ML100K_MEMBERS } from "./lib/ml100k-members.ts";
import { uaBlendFolds, uaRankingFold, uaValidationSplit } from "./lib/protocols.ts";
import { fitMissing, fitToCache, type FitJob, scoreFile, ScoreTable } from "./lib/score-cache.ts";
import { formatTable } from "./lib/table.ts";

const log = (line: string) => process.stderr.write(line + "\n");
// bench:quality's picks (bench/results/quality.md): the members whose weights are chosen.
const MEMBERS = ["warp", "bpr", "ease", "ials α=3 λ=30 k=64", "mult-dae"].map((name) => ({ name, config: ML100K_MEMBERS[name] }));
const SEED = 0;

const args = parseArgs(process.argv.slice(2));
const nPseudoTests = Number(args.get("pseudo-tests") ?? 3);
const jobs = Number(args.get("jobs") ?? 1);
if (!Number.isInteger(nPseudoTests) || nPseudoTests < 1) throw new Error(`--pseudo-tests must be a positive integer, got ${args.get("pseudo-tests")}`);
if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got ${args.get("jobs")}`);
const cacheDir = String(args.get("cache") ?? join(tmpdir(), "edgerec-fold-study"));
mkdirSync(cacheDir, { recursive: true });

const loaded = await loadUaBase("nested-study");
if (!loaded) process.exit(0);
const features = new FeatureCache({ items: loaded.dataset.items });

/** A split members are fit on, under its cache name, with what scores a blend of those fits. */
interface NamedSplit extends BlendFold {
  name: string;
}
const pseudoTests = Array.from({ length: nPseudoTests }, (_, k) => {
  const outer = uaValidationSplit(loaded.train, k);
  return {
    // Named as fold-study names its folds, so the pseudo-base fits are the ones it caches.
    base: { ...uaRankingFold(outer), name: `fold${k}` },
    validation: { ...uaRankingFold(uaValidationSplit(outer.train, k)), name: `fold${k}-valid` },
    blendFolds: uaBlendFolds(outer.train, k).map((fold, f): NamedSplit => ({ ...fold, name: `fold${k}-blendfold${f}` })),
  };
});
const splits = pseudoTests.flatMap((p) => [p.base, p.validation, ...p.blendFolds]);
const fitJobs: FitJob[] = splits.flatMap((split) =>
  MEMBERS.map(({ name, config }) => {
    const file = scoreFile(cacheDir, split.name, config, SEED);
    return { file, describe: `${split.name} ${name}`, run: () => fitToCache(file, config, SEED, split.train, features) };
  }),
);
const shard = args.get("fit-shard");
const parent = await fitMissing(fitJobs, { study: `nested-study (cache ${cacheDir})`, processes: jobs, shard: typeof shard === "string" ? shard : undefined, script: fileURLToPath(import.meta.url), log });
if (!parent) process.exit(0);

const grid = blendWeightGrid(MEMBERS.length);
/** Every grid point's metrics on a split, from the members' cached fits there. */
function gridMetrics(split: NamedSplit) {
  const members = MEMBERS.map(({ name, config }) => new MemoScores(ScoreTable.read(scoreFile(cacheDir, split.name, config, SEED), name, split.train.nRows, split.train.nCols)));
  return grid.map((weights) => split.validate(new BlendModel(members.map((model, m) => ({ model, weight: weights[m] })))));
}
const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
const describeWeights = (weights: number[]) =>
  weights
    .map((w, m) => `${w}×${MEMBERS[m].name.split(" ")[0]}`)
    .filter((s) => !s.startsWith("0×"))
    .join(" + ");

const rows: (string | number)[][] = [];
const totals = { validation: 0, folds: 0, hindsight: 0 };
for (const [k, p] of pseudoTests.entries()) {
  const onTest = gridMetrics(p.base).map((m) => m["p@10"]);
  const byValidation = argmax(gridMetrics(p.validation).map((m) => m["ndcg@20"]));
  const foldMetrics = p.blendFolds.map(gridMetrics);
  const byFolds = argmax(grid.map((_, g) => foldMetrics.reduce((sum, metrics) => sum + metrics[g]["ndcg@20"], 0)));
  const hindsight = Math.max(...onTest);
  totals.validation += onTest[byValidation] / nPseudoTests;
  totals.folds += onTest[byFolds] / nPseudoTests;
  totals.hindsight += hindsight / nPseudoTests;
  rows.push([`fold ${k}`, onTest[byValidation], describeWeights(grid[byValidation]), onTest[byFolds], describeWeights(grid[byFolds]), hindsight]);
  log(`  pseudo-test ${k}: validation split ${onTest[byValidation].toFixed(4)}, blend folds ${onTest[byFolds].toFixed(4)}, hindsight ${hindsight.toFixed(4)}`);
}
rows.push(["mean", totals.validation, "", totals.folds, "", totals.hindsight]);

console.log(`ML-100k ua.base only (ua.test never read): blend weights chosen inside a pseudo-base, scored by P@10 on its pseudo-test\n`);
console.log(formatTable(["pseudo-test", "chosen on the validation split", "weights", "chosen on 3 blend folds", "weights", "best in hindsight"], rows));
