import { BlendModel } from "../../trainer/model/blend.ts";
import { EaseModel } from "../../trainer/model/ease.ts";
import { SlistModel } from "../../trainer/model/slist.ts";
import { createRng } from "../../trainer/util/rng.ts";
import type { Contender, ContenderRun, DatasetName, ProtocolData } from "../lib/contender.ts";

const log = (line: string) => process.stderr.write(line + "\n");

/**
 * The fits tried per dataset (each is one n×n inverse: ~1 min CPU on Toys' 12k items, ~4 on
 * Sports' 18k). The recency decay costs no refit and is searched on every fit.
 */
const fitGrid: Partial<Record<DatasetName, Record<string, unknown>[]>> = {
  "amazon-toys-2014-seq": [{ lambda: 50, alpha: 0.5 }, { lambda: 200, alpha: 0.5 }],
  "amazon-sports-2014-seq": [{ lambda: 50, alpha: 0.5 }],
  "amazon-grocery-2014": [{ lambda: 50, alpha: 0.5 }, { lambda: 300, alpha: 0.5 }],
  "amazon-gift-cards-2018": [{ lambda: 10, alpha: 0.5 }, { lambda: 50, alpha: 0.5 }],
  "sample-store": [{ lambda: 10, alpha: 0.5 }, { lambda: 50, alpha: 0.5 }],
};
const recencyGrid = [0.5, 1, 2, 4, 8];

/**
 * The blend's slist fit: the fit the slist contender chose on dev (λ=50 won on Toys dev over
 * λ=200), so the blend search does not repeat the whole grid; recency is searched again.
 */
const blendFit: Record<string, unknown>[] = [{ lambda: 50, alpha: 0.5 }];

/** Fits each grid point on train (the protocols validate on dev, so train is the final fit) and keeps the best on dev. */
async function tunedSlist(data: ProtocolData, seed: number, grid = fitGrid[data.dataset] ?? [{}]): Promise<ContenderRun & { model: SlistModel; score: number }> {
  let best: { model: SlistModel; score: number; fitSeconds: number; fitCpuSeconds: number; chosen: Record<string, unknown> } | undefined;
  for (const params of grid) {
    const model = new SlistModel(params);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await model.fit({ interactions: data.train, sequences: data.sequences, rng: createRng(seed) });
    const fitSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    let bestDecay = { decay: recencyGrid[0], score: -Infinity };
    for (const decay of recencyGrid) {
      model.setRecencyDecay(decay);
      const score = data.validate(model)[data.primaryMetric];
      log(`  tune ${data.dataset} slist ${JSON.stringify({ ...params, recencyDecay: decay })}: dev ${data.primaryMetric}=${score.toFixed(4)} (fit ${fitSeconds.toFixed(1)} s)`);
      if (score > bestDecay.score) bestDecay = { decay, score };
    }
    model.setRecencyDecay(bestDecay.decay);
    if (!best || bestDecay.score > best.score) {
      best = { model, score: bestDecay.score, fitSeconds, fitCpuSeconds: (cpu.user + cpu.system) / 1e6, chosen: model.params() };
    }
    (globalThis as { gc?: () => void }).gc?.();
  }
  if (!best) throw new Error("slist: empty grid");
  return { model: best.model, score: best.score, fitted: true, fitSeconds: best.fitSeconds, fitCpuSeconds: best.fitCpuSeconds, chosen: best.chosen };
}

/** Leave-last-out protocols with order (every one the bench has keeps each user's sequence). */
const ordered = (_d: DatasetName, p: string) => p === "leave-last-out";

export const contenders: Contender[] = [
  {
    name: "slist",
    appliesTo: ordered,
    build: (data, seed) => tunedSlist(data, seed),
  },
  {
    // SLIST blended with EASE (λ = the anchor's 100), weight chosen on dev. Not on Sports: two
    // 18k×18k double matrices (2.7 GB each) would exceed the 4 GB memory budget.
    name: "slist+ease",
    appliesTo: (d, p) => ordered(d, p) && d !== "amazon-sports-2014-seq",
    async build(data, seed) {
      const slist = await tunedSlist(data, seed, blendFit);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const ease = new EaseModel({ lambda: 100 });
      await ease.fit({ interactions: data.train, rng: createRng(seed) });
      const cpu = process.cpuUsage(c0);
      let best = { weight: 1, score: slist.score };
      for (const weight of [0.9, 0.8, 0.7, 0.6, 0.5]) {
        const blend = BlendModel.ofFitted([{ model: slist.model, weight }, { model: ease, weight: 1 - weight }], "slist+ease");
        const score = data.validate(blend)[data.primaryMetric];
        log(`  tune ${data.dataset} slist+ease weight ${weight}: dev ${data.primaryMetric}=${score.toFixed(4)}`);
        if (score > best.score) best = { weight, score };
      }
      const model = BlendModel.ofFitted([{ model: slist.model, weight: best.weight }, { model: ease, weight: 1 - best.weight }], "slist+ease");
      return {
        model,
        fitted: true,
        fitSeconds: (slist.fitSeconds ?? 0) + (performance.now() - t0) / 1000,
        fitCpuSeconds: (slist.fitCpuSeconds ?? 0) + (cpu.user + cpu.system) / 1e6,
        chosen: { slist: slist.chosen, ease: { lambda: 100 }, slistWeight: best.weight },
      };
    },
  },
];
