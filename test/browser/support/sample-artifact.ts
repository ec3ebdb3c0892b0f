/**
 * A real artifact for end-to-end tests: the sample storefront (G's generateStore), a model fitted
 * on a leave-last-out train split and evaluated on the held-out items, packed by the trainer's
 * buildArtifact. The hybrid (WARP) variant also stores its per-epoch loss in
 * `extra.trainingHistory`, which the demo's model card charts. Builds in well under a second.
 */
import { generateStore, type SampleStore } from "../../../trainer/sample/index.ts";
import { leaveLastOut } from "../../../trainer/eval/splits.ts";
import { evaluateRanking } from "../../../trainer/eval/ranking.ts";
import { interactionsToCsr } from "../../../trainer/data/interactions-matrix.ts";
import { createModel } from "../../../trainer/model/registry.ts";
import { fitHybrid } from "../../../trainer/model/hybrid.ts";
import type { Recommender } from "../../../trainer/model/model.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { buildArtifact } from "../../../trainer/artifact/build.ts";
import { decodeArtifact } from "../../../src/artifact/index.ts";

export interface SampleArtifact {
  bytes: Uint8Array;
  version: string;
  store: SampleStore;
  metrics: Record<string, number>;
  trainingHistory: { epoch: number; loss?: number }[];
}


export interface SampleArtifactOptions {
  items?: number;
  users?: number;
  seed?: number;
  model?: "itemknn" | "hybrid";
}

export async function buildSampleArtifact(options: SampleArtifactOptions = {}): Promise<SampleArtifact> {
  const store = generateStore({ seed: options.seed ?? 7, items: options.items ?? 400, users: options.users ?? 300 });
  const { train, test } = leaveLastOut(store.interactions);
  const trainMatrix = interactionsToCsr(train);
  const trainingHistory: SampleArtifact["trainingHistory"] = [];
  let model: Recommender;
  if (options.model === "hybrid") {
    model = await fitHybrid(trainMatrix, createRng(1), { epochs: 15 }, { onEpoch: (epoch, info) => void trainingHistory.push({ epoch, ...info }) });
  } else {
    model = createModel("itemknn");
    await model.fit({ interactions: trainMatrix, rng: createRng(1) });
  }
  const metrics = evaluateRanking(model, { train: trainMatrix, test: interactionsToCsr(test) });
  // The store's own comparison the model card shows: popularity scored on the same held-out split.
  const popularity = createModel("popularity");
  await popularity.fit({ interactions: trainMatrix, rng: createRng(1) });
  const candidates = [
    { family: "popularity", description: "popularity {}", test: evaluateRanking(popularity, { train: trainMatrix, test: interactionsToCsr(test) }), fitSeconds: 0, chosen: false },
    { family: model.name, description: model.name, test: metrics, fitSeconds: 0, chosen: true },
  ];
  const bytes = await buildArtifact({
    candidates,
    model,
    interactions: train,
    items: store.items,
    metrics,
    headlineMetric: "ndcg@10",
    createdAt: new Date(Date.UTC(2026, 10, 29, 0, 15)),
    extra: trainingHistory.length > 0 ? { trainingHistory } : undefined,
  });
  const { header } = await decodeArtifact(bytes);
  return { bytes, version: header.version, store, metrics, trainingHistory };
}
