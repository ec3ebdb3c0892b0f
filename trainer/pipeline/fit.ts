import type { CsrMatrix } from "../data/matrix.ts";
import { progress } from "../util/progress.ts";
import { BlendModel } from "../model/blend.ts";
import type { ItemSequences, Recommender } from "../model/model.ts";
import type { EpochPoint } from "../report/html.ts";
import { buildFromConfig, checkConfig, type FeatureCache, type ModelConfig } from "../tune/config.ts";
import { createRng } from "../util/rng.ts";

export interface FitConfigOptions {
  seed: number;
  threads?: number;
  progress?: boolean;
  /** Ratings as values (the hybrid's mse loss fits on these instead of `interactions`). */
  ratings?: CsrMatrix;
  /** Users' items in time order (the rows of `interactions`), for order-aware models. */
  sequences?: ItemSequences;
  /** Called after each epoch of each factor model; its return value becomes the point's held-out metric. */
  monitor?: (model: Recommender) => number | undefined;
}

export interface FittedConfig {
  model: Recommender;
  /** Item × metadata-feature matrix the model used (undefined for identity-only models). */
  itemFeatures?: CsrMatrix;
  /** Loss (and monitored metric) per epoch of every iterative member. */
  history: EpochPoint[];
  seconds: number;
}

/**
 * Fits one model configuration on one interaction matrix. Blends fit member by member so every
 * factor model's per-epoch loss is recorded; the same function fits the candidates on the
 * validation split, the chosen one on train (to score test) and again on every interaction.
 */
export async function fitConfig(config: ModelConfig, interactions: CsrMatrix, features: FeatureCache, o: FitConfigOptions): Promise<FittedConfig> {
  checkConfig(config);
  const history: EpochPoint[] = [];
  let itemFeatures: CsrMatrix | undefined;
  const fitOne = async (c: ModelConfig, label: string): Promise<Recommender> => {
    const built = buildFromConfig(c, features, { threads: o.threads });
    if (built.extraFit.itemFeatures && !itemFeatures) itemFeatures = built.extraFit.itemFeatures;
    const model = built.model;
    const epochs = Number(model.params().epochs);
    const bar = progress(`fit ${label}`, Number.isFinite(epochs) && epochs > 0 ? epochs : 1, { enabled: o.progress ?? false });
    const isMse = c.model === "hybrid" && (c as { params: { loss?: string } }).params.loss === "mse";
    await model.fit({
      interactions: isMse && o.ratings ? o.ratings : interactions,
      ratings: o.ratings,
      sequences: o.sequences,
      rng: createRng(o.seed),
      ...built.extraFit,
      onEpoch: (epoch, info) => {
        bar.update(epoch + 1);
        const point: EpochPoint = { model: label, epoch, loss: info.loss };
        const metric = o.monitor?.(model);
        if (metric !== undefined) point.metric = metric;
        history.push(point);
      },
    });
    bar.stop();
    return model;
  };
  const t0 = performance.now();
  let model: Recommender;
  if (config.model === "blend") {
    const c = config as Extract<ModelConfig, { model: "blend" }>;
    const members = [];
    for (let k = 0; k < c.members.length; k++) {
      members.push({ model: await fitOne(c.members[k].config, `${c.members[k].config.model}#${k + 1}`), weight: c.members[k].weight });
    }
    model = BlendModel.ofFitted(members, "blend", c.scaling ?? "per-user");
  } else {
    model = await fitOne(config, config.model);
  }
  return { model, itemFeatures, history, seconds: (performance.now() - t0) / 1000 };
}
