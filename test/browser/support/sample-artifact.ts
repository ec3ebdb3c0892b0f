/**
 * A real artifact for end-to-end tests: the sample storefront (G's generateStore), an item-kNN
 * model fitted on a leave-last-out train split, evaluated on the held-out items, packed by the
 * trainer's buildArtifact. Small enough to build in well under a second.
 */
import { generateStore, type SampleStore } from "../../../trainer/sample/index.ts";
import { leaveLastOut } from "../../../trainer/eval/splits.ts";
import { evaluateRanking } from "../../../trainer/eval/ranking.ts";
import { interactionsToCsr } from "../../../trainer/data/interactions-matrix.ts";
import { createModel } from "../../../trainer/model/registry.ts";
import { createRng } from "../../../trainer/util/rng.ts";
import { buildArtifact } from "../../../trainer/artifact/build.ts";
import { decodeArtifact } from "../../../src/artifact/format.ts";

export interface SampleArtifact {
  bytes: Uint8Array;
  version: string;
  store: SampleStore;
  metrics: Record<string, number>;
}

export async function buildSampleArtifact(options: { items?: number; users?: number; seed?: number } = {}): Promise<SampleArtifact> {
  const store = generateStore({ seed: options.seed ?? 7, items: options.items ?? 400, users: options.users ?? 300 });
  const { train, test } = leaveLastOut(store.interactions);
  const trainMatrix = interactionsToCsr(train);
  const model = createModel("itemknn");
  await model.fit({ interactions: trainMatrix, rng: createRng(1) });
  const metrics = evaluateRanking(model, { train: trainMatrix, test: interactionsToCsr(test) });
  const bytes = await buildArtifact({
    model,
    interactions: train,
    items: store.items,
    metrics,
    headlineMetric: "ndcg@10",
    createdAt: new Date(Date.UTC(2026, 10, 29, 0, 15)),
  });
  const { header } = await decodeArtifact(bytes);
  return { bytes, version: header.version, store, metrics };
}
