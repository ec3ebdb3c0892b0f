import type { Recommender } from "./model.ts";
import { PopularityModel } from "./popularity.ts";
import { ItemKnnModel } from "./itemknn.ts";
import { EaseModel } from "./ease.ts";
import { HybridMF } from "./hybrid.ts";
import { Rp3BetaModel } from "./rp3beta.ts";
import { IalsModel } from "./ials.ts";
import { MultDaeModel } from "./multdae.ts";
import { SlistModel } from "./slist.ts";

export type ModelFactory = (params: Record<string, unknown>) => Recommender;

/** Every model the CLI, the benches and tuning can build by name. */
const factories = new Map<string, ModelFactory>([
  ["popularity", (p) => new PopularityModel(p)],
  ["itemknn", (p) => new ItemKnnModel(p)],
  ["ease", (p) => new EaseModel(p)],
  ["hybrid", (p) => new HybridMF(p)],
  ["rp3beta", (p) => new Rp3BetaModel(p)],
  ["ials", (p) => new IalsModel(p)],
  ["multdae", (p) => new MultDaeModel(p)],
  ["slist", (p) => new SlistModel(p)],
]);

export function modelNames(): string[] {
  return [...factories.keys()];
}

export function createModel(name: string, params: Record<string, unknown> = {}): Recommender {
  const factory = factories.get(name);
  if (!factory) throw new Error(`unknown model "${name}"; choose one of: ${modelNames().join(", ")}`);
  return factory(params);
}
