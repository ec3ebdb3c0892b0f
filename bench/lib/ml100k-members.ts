/**
 * The ML-100k blend members as bench:quality's search picked them on its validation split
 * (bench/results/quality.md), and ua.base loaded the way the studies read it. Shared by the
 * studies that replay the blend choice on ua.base alone (blend-study, fold-study).
 */
import { loadSplitFiles } from "../../trainer/data/load.ts";
import type { ModelConfig } from "../../trainer/tune/config.ts";
import { DEFAULT_IALS, MULTDAE_TUNE_DEFAULTS } from "../../trainer/tune/search.ts";
import { missingFiles } from "./data-root.ts";
import { datasetFiles } from "./protocols.ts";

export const ML100K_MEMBERS: Record<string, ModelConfig> = {
  warp: { model: "hybrid", params: { loss: "warp", components: 64, learningRate: 0.044, schedule: "adagrad", userAlpha: 1e-5, itemAlpha: 1e-6, epochs: 10, threads: 1, maxSampled: 50 }, itemFeatures: [], userFeatures: false },
  bpr: { model: "hybrid", params: { loss: "bpr", components: 32, learningRate: 0.091, schedule: "adagrad", userAlpha: 1e-6, itemAlpha: 1e-6, epochs: 45, threads: 1, normalization: "split" }, itemFeatures: ["categories"], userFeatures: false },
  ease: { model: "ease", params: { lambda: 500 } },
  "ials (default)": { model: "ials", params: DEFAULT_IALS },
  "ials α=3 λ=30 k=64": { model: "ials", params: { ...DEFAULT_IALS, components: 64, alpha: 3, lambda: 30 } },
  "mult-dae": { model: "multdae", params: { ...MULTDAE_TUNE_DEFAULTS, epochs: 80 } },
};

/** ua.base with item metadata, or undefined (after saying so) when ../shared/data is absent. */
export async function loadUaBase(script: string) {
  const [baseFile, , itemsFile] = datasetFiles["movielens-100k"];
  if (missingFiles([baseFile, itemsFile]).length) {
    process.stderr.write(`${script}: ${baseFile} not found (the data lives in ../shared/data, never in the repository); skipped\n`);
    return undefined;
  }
  return loadSplitFiles({ train: baseFile }, { format: "delimited", delimiter: "\t", header: false, columns: { user: 0, item: 1, rating: 2, time: 3 }, items: itemsFile, itemsFormat: "movielens-item" });
}
