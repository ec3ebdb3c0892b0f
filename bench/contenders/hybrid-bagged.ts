/**
 * hybrid-bagged (ML-100k ua ratings>=4): EASE + bags of factor models. Each factor member is
 * the average of three fits with different seeds (bagging: SGD noise averages out, which lifts
 * the top of the list more than any single fit), blended with EASE by per-user z-scores.
 * Member configurations are the ones `edgerec tune`/hybrid-blend chose on validation
 * (BPR k=32 + genres, 45 epochs; WARP k=64, lr 0.044, 10 epochs; EASE λ=500); the blend
 * weights are chosen on a 0.1 grid on this seed's validation split (carved from ua.base),
 * then the same recipe is refit on all of ua.base. The test split is never looked at.
 */
import { BlendModel } from "../../trainer/model/blend.ts";
import { EaseModel } from "../../trainer/model/ease.ts";
import { HybridMF, type HybridParams } from "../../trainer/model/hybrid.ts";
import type { Recommender } from "../../trainer/model/model.ts";
import { buildItemFeatures } from "../../trainer/features/item-features.ts";
import { createRng } from "../../trainer/util/rng.ts";
import type { CsrMatrix } from "../../trainer/data/matrix.ts";
import type { Contender, ContenderRun, ProtocolData } from "../lib/contender.ts";

const log = (line: string) => process.stderr.write(line + "\n");

const BAG = 3;
const FACTORS: Array<{ name: string; params: Partial<HybridParams>; genres: boolean }> = [
  { name: "bpr", params: { loss: "bpr", components: 32, epochs: 45 }, genres: true },
  { name: "warp", params: { loss: "warp", components: 64, epochs: 10, learningRate: 0.044 }, genres: false },
];
const EASE_LAMBDA = 500;

/** EASE and one bag per factor configuration, fitted on `x` (members of a bag differ by seed only). */
async function fitMembers(data: ProtocolData, x: CsrMatrix, seed: number): Promise<Recommender[]> {
  const genres = buildItemFeatures(data.items, { sets: ["categories"] }).matrix;
  const ease = new EaseModel({ lambda: EASE_LAMBDA });
  await ease.fit({ interactions: x, rng: createRng(seed) });
  const members: Recommender[] = [ease];
  for (const f of FACTORS) {
    const bag = [];
    for (let b = 0; b < BAG; b++) {
      const m = new HybridMF(f.params);
      await m.fit({ interactions: x, rng: createRng(seed * 1000 + b), itemFeatures: f.genres ? genres : undefined });
      bag.push({ model: m, weight: 1 / BAG });
    }
    members.push(BlendModel.ofFitted(bag, `${f.name}-bag${BAG}`));
  }
  return members;
}

/** Weights (sum 1, steps of 0.1) for n members. */
function grid(n: number): number[][] {
  if (n === 1) return [[1]];
  const out: number[][] = [];
  for (let a = 0; a <= 10; a++) for (const rest of grid(n - 1).map((r) => r.map((w) => (w * (10 - a)) / 10))) out.push([a / 10, ...rest]);
  // Deduplicate the rounding of the recursive split.
  const seen = new Set<string>();
  return out.map((w) => w.map((v) => Math.round(v * 10) / 10)).filter((w) => {
    const key = w.join(",");
    if (seen.has(key) || Math.abs(w.reduce((s, v) => s + v, 0) - 1) > 1e-9) return false;
    seen.add(key);
    return true;
  });
}

async function build(data: ProtocolData, seed: number): Promise<ContenderRun> {
  const t0 = performance.now();
  const validMembers = await fitMembers(data, data.validTrain, seed);
  let best = { score: -Infinity, weights: [] as number[] };
  for (const weights of grid(validMembers.length)) {
    const blend = BlendModel.ofFitted(validMembers.map((model, k) => ({ model, weight: weights[k] })), "hybrid-bagged");
    const score = data.validate(blend)[data.primaryMetric];
    if (score > best.score) best = { score, weights };
  }
  log(`  hybrid-bagged seed ${seed} chose on validation: weights ease/bpr-bag/warp-bag = ${best.weights.join("/")} (valid ${data.primaryMetric}=${best.score.toFixed(4)})`);
  const t1 = performance.now();
  const members = await fitMembers(data, data.train, seed);
  const model = BlendModel.ofFitted(members.map((m, k) => ({ model: m, weight: best.weights[k] })), "hybrid-bagged");
  return {
    model,
    fitted: true,
    fitSeconds: (performance.now() - t1) / 1000,
    chosen: { weights: best.weights, members: ["ease", ...FACTORS.map((f) => f.name)], bag: BAG, validScore: best.score, tuneSeconds: (t1 - t0) / 1000 },
  };
}

export const contenders: Contender[] = [
  {
    name: "hybrid-bagged",
    seeded: true,
    appliesTo: (d, p) => d === "movielens-100k" && p === "ua-min4",
    build,
  },
];
