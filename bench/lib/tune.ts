import { createRng } from "../../trainer/util/rng.ts";
import type { FitInput, Recommender } from "../../trainer/model/model.ts";
import type { ContenderRun, ProtocolData } from "./contender.ts";

/**
 * Grid search on the validation split: fits each candidate on data.validTrain, keeps the one
 * with the best primary validation metric. When validTrain is the final train set, the best
 * fitted model is returned as is (its fit time with it) instead of being fit again.
 */
export async function tuneOnValidation(
  data: ProtocolData,
  grid: Record<string, unknown>[],
  make: (params: Record<string, unknown>) => Recommender,
  seed: number,
  extraFit?: Partial<FitInput>,
  log: (line: string) => void = (l) => process.stderr.write(l + "\n"),
): Promise<ContenderRun> {
  let best: { params: Record<string, unknown>; score: number; model?: Recommender; fitSeconds: number; fitCpuSeconds: number } | undefined;
  for (const params of grid) {
    const model = make(params);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await model.fit({ interactions: data.validTrain, sequences: data.validTrainIsTrain ? data.sequences : undefined, rng: createRng(seed), ...extraFit });
    const fitSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    const fitCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const metrics = data.validate(model);
    const score = metrics[data.primaryMetric];
    log(`  tune ${data.dataset}/${data.protocol} ${model.name} ${JSON.stringify(params)}: valid ${data.primaryMetric}=${score.toFixed(4)} (fit ${fitSeconds.toFixed(1)} s)`);
    // Large models (EASE keeps an n×n matrix) must not pile up as garbage between candidates.
    (globalThis as { gc?: () => void }).gc?.();
    if (!best || score > best.score) {
      best = { params, score, model: data.validTrainIsTrain ? model : undefined, fitSeconds, fitCpuSeconds };
    }
  }
  if (!best) throw new Error("tuneOnValidation: empty grid");
  if (best.model) return { model: best.model, fitted: true, fitSeconds: best.fitSeconds, fitCpuSeconds: best.fitCpuSeconds, chosen: best.params, extraFit };
  return { model: make(best.params), chosen: best.params, extraFit };
}
