import type { FitInput, Recommender } from "../model/model.ts";
import { progress } from "../util/progress.ts";

/**
 * Fits a model with a progress bar: EASE reports its inversion blocks, iterative models
 * their epochs (total from params().epochs when known). Returns the fit time in seconds.
 */
export async function fitWithProgress(model: Recommender, input: FitInput, showProgress: boolean): Promise<number> {
  const epochs = Number(model.params().epochs);
  const bar = progress(`fit ${model.name}`, Number.isFinite(epochs) && epochs > 0 ? epochs : 1, { enabled: showProgress });
  const withHook = model as Recommender & { onProgress?: (done: number, total: number) => void };
  if ("onProgress" in withHook || model.name === "ease") withHook.onProgress = (done, total) => bar.update(done, { total });
  const userOnEpoch = input.onEpoch;
  const t0 = performance.now();
  try {
    await model.fit({
      ...input,
      onEpoch: (epoch, info) => {
        bar.update(epoch + 1);
        return userOnEpoch?.(epoch, info);
      },
    });
  } finally {
    bar.stop();
  }
  return (performance.now() - t0) / 1000;
}
