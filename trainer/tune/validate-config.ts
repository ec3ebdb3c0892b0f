import { readFileSync } from "node:fs";
import type { Dataset } from "../data/spec.ts";
import { InputError } from "../data/types.ts";
import type { Metrics } from "../eval/ranking.ts";
import { createRng } from "../util/rng.ts";
import { buildFromConfig, checkConfig, describeConfig, FeatureCache, type ModelConfig } from "./config.ts";
import { prepare, validTrainInput, type PrepareOptions } from "./prepare.ts";

/** A model configuration file (tune's best.json, or one written by hand), checked. */
export function readModelConfig(file: string): ModelConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new InputError(`cannot read the model configuration: ${(err as Error).message}`, file, undefined, "pass the best.json written by `edgerec tune`");
  }
  checkConfig(parsed, file);
  return parsed;
}

/** How tune carves and samples its validation split: the same options `prepare` takes. */
export type ValidateConfigOptions = Omit<PrepareOptions, "validPerUser">;

/**
 * A configuration's score on tune's validation split: carved from train exactly as `edgerec
 * tune` carves it (same seed, same user sample), fit on the rest with the same seed, so the
 * result is the number tune's leaderboard shows for it. Test is never read.
 */
export async function validateConfig(dataset: Dataset, config: ModelConfig, opts: ValidateConfigOptions): Promise<{ description: string; primary: string; metrics: Metrics; fitSeconds: number }> {
  const prepared = prepare(dataset, opts);
  const data = prepared.tuneData;
  const { model, extraFit } = buildFromConfig(config, new FeatureCache(dataset));
  const t0 = performance.now();
  await model.fit({ ...validTrainInput(data), rng: createRng(opts.seed), ...extraFit });
  const fitSeconds = (performance.now() - t0) / 1000;
  return { description: describeConfig(config), primary: data.primary, metrics: data.validate(model), fitSeconds };
}
