/**
 * `npx tsx bench/blend-study.ts [--splits 2000,2001] [--inner-holdout 10]`
 *
 * Does a blend-search change that wins on validation also win on data it never saw? One level
 * deeper than bench:quality and never touching ua.test: a pseudo-test of 10 ratings per user is
 * held out of ua.base (seeded per split), the pseudo-train is the rest, and the blend weights
 * are chosen exactly as bench:quality chooses them (0.1 simplex grid, validation P@10 on 10
 * ratings per user carved from the pseudo-train), then scored on the pseudo-test with the
 * members refit on the whole pseudo-train. Member settings are the ones bench:quality's search
 * picked on its validation split (bench/results/quality.md).
 *
 * `--inner-holdout n` carves n ratings per user for validation instead of bench:quality's 10:
 * a validation whose training side is closer in size to the pseudo-train (is the depth of the
 * holdout what makes validation gains shrink on test?).
 *
 * Prints, per split and member set, the chosen weights, the validation P@10 and the pseudo-test P@10.
 */
import type { CsrMatrix } from "../trainer/data/matrix.ts";
import { evaluateRanking } from "../trainer/eval/ranking.ts";
import { holdOutPerUser } from "../trainer/eval/splits.ts";
import { BlendModel } from "../trainer/model/blend.ts";
import { MemoScores } from "../trainer/model/memo-scores.ts";
import { buildFromConfig, FeatureCache } from "../trainer/tune/config.ts";
import { blendWeightGrid } from "../trainer/tune/search.ts";
import { createRng } from "../trainer/util/rng.ts";
import { parseArgs } from "./lib/args.ts";
import { loadUaBase, ML100K_MEMBERS as MEMBERS } from "./lib/ml100k-members.ts";
import { positives } from "./lib/protocols.ts";
import { formatTable } from "./lib/table.ts";

const log = (line: string) => process.stderr.write(line + "\n");

const MEMBER_SETS: Array<{ label: string; members: string[] }> = [
  { label: "before (WARP, BPR, EASE, default iALS)", members: ["warp", "bpr", "ease", "ials (default)"] },
  { label: "iALS retuned", members: ["warp", "bpr", "ease", "ials α=3 λ=30 k=64"] },
  { label: "iALS retuned + Mult-DAE", members: ["warp", "bpr", "ease", "ials α=3 λ=30 k=64", "mult-dae"] },
];

async function fitMembers(train: CsrMatrix, features: FeatureCache): Promise<Map<string, MemoScores>> {
  const fitted = new Map<string, MemoScores>();
  for (const [name, config] of Object.entries(MEMBERS)) {
    const t0 = performance.now();
    const { model, extraFit } = buildFromConfig(config, features);
    await model.fit({ interactions: train, rng: createRng(0), ...extraFit });
    fitted.set(name, new MemoScores(model));
    log(`  fitted ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  return fitted;
}

const precision = (members: Map<string, MemoScores>, names: string[], weights: number[], train: CsrMatrix, test: CsrMatrix) =>
  evaluateRanking(new BlendModel(names.map((n, k) => ({ model: members.get(n)!, weight: weights[k] }))), { train, test, ks: [10] })["p@10"];

const args = parseArgs(process.argv.slice(2));
const loaded = await loadUaBase("blend-study");
if (!loaded) process.exit(0);
const { dataset, train } = loaded;
const splitSeeds = String(args.get("splits") ?? "2000,2001").split(",").map(Number);
const innerHoldout = Number(args.get("inner-holdout") ?? 10);
if (!Number.isInteger(innerHoldout) || innerHoldout < 1) throw new Error(`--inner-holdout must be a positive integer (ratings per user), got ${args.get("inner-holdout")}`);
const features = new FeatureCache({ items: dataset.items });
const rows: (string | number)[][] = [];
const pseudoTestBySet = new Map<string, number[]>();
for (const seed of splitSeeds) {
  const outer = holdOutPerUser(train, 10, createRng(seed));
  const inner = holdOutPerUser(outer.train, innerHoldout, createRng(1000));
  const [innerTrain, innerValid, outerTrain, outerTest] = [inner.train, inner.valid, outer.train, outer.valid].map(positives);
  log(`split ${seed}: members on the validation's train…`);
  const onValidation = await fitMembers(innerTrain, features);
  log(`split ${seed}: members on the pseudo-train…`);
  const onPseudoTrain = await fitMembers(outerTrain, features);
  for (const set of MEMBER_SETS) {
    let best = { weights: [] as number[], score: -1 };
    for (const weights of blendWeightGrid(set.members.length)) {
      const score = precision(onValidation, set.members, weights, innerTrain, innerValid);
      if (score > best.score) best = { weights, score };
    }
    const pseudoTest = precision(onPseudoTrain, set.members, best.weights, outerTrain, outerTest);
    pseudoTestBySet.set(set.label, [...(pseudoTestBySet.get(set.label) ?? []), pseudoTest]);
    rows.push([seed, set.label, best.weights.map((w, k) => `${w}×${set.members[k]}`).filter((s) => !s.startsWith("0×")).join(" + "), best.score, pseudoTest]);
    log(`split ${seed} ${set.label}: validation ${best.score.toFixed(4)} → pseudo-test ${pseudoTest.toFixed(4)}`);
  }
}
for (const set of MEMBER_SETS) {
  const xs = pseudoTestBySet.get(set.label)!;
  rows.push(["mean", set.label, "", "", xs.reduce((a, b) => a + b, 0) / xs.length]);
}
console.log(`ML-100k ua.base only: blend weights chosen on validation (${innerHoldout} ratings per user), scored on a pseudo-test of 10 per user held out of ua.base (ua.test never read)`);
console.log(formatTable(["split", "members", "weights chosen on validation", "validation P@10", "pseudo-test P@10"], rows));
