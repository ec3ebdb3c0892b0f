import type { Command } from "commander";
import { InputError } from "../data/types.ts";
import { ALL_ITEM_FEATURE_SETS, type ItemFeatureSet } from "../features/item-features.ts";
import { modelNames } from "../model/registry.ts";

export interface ModelCliOptions {
  model: string;
  param?: string[];
  lambda?: string;
  k?: string;
  shrink?: string;
  itemFeatures?: string;
}

/** Adds --model and the hyper-parameter options shared by evaluate and predict. */
export function addModelOptions(cmd: Command, defaultModel = "ease"): Command {
  return cmd
    .option("--model <name>", `model: auto (compare families on validation, keep the best), ${modelNames().join(", ")}`, defaultModel)
    .option("--lambda <λ>", "EASE: L2 regularisation λ (default 500)")
    .option("--k <n>", "item-kNN: neighbours kept per item (default 100)")
    .option("--shrink <s>", "item-kNN: cosine shrinkage (default 10)")
    .option("--param <key=value...>", "any other model hyper-parameter, e.g. --param loss=warp epochs=30")
    .option("--item-features <sets>", `item metadata features for hybrid models: all or a comma list of ${ALL_ITEM_FEATURE_SETS.join(",")}`);
}

function parseValue(v: string): unknown {
  if (v === "true") return true;
  if (v === "false") return false;
  const n = Number(v);
  return v.trim() !== "" && Number.isFinite(n) ? n : v;
}

/** Model hyper-parameters from the CLI options (named ones and --param key=value). */
export function modelParams(opts: ModelCliOptions): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (opts.lambda !== undefined) params.lambda = parseValue(opts.lambda);
  if (opts.k !== undefined) params.k = parseValue(opts.k);
  if (opts.shrink !== undefined) params.shrink = parseValue(opts.shrink);
  for (const kv of opts.param ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new InputError(`--param ${JSON.stringify(kv)} is not key=value`, undefined, undefined, "write e.g. --param epochs=30");
    params[kv.slice(0, eq)] = parseValue(kv.slice(eq + 1));
  }
  return params;
}

export function itemFeatureSets(spec: string | undefined): ItemFeatureSet[] | undefined {
  if (!spec) return undefined;
  if (spec === "all") return ALL_ITEM_FEATURE_SETS;
  const sets = spec.split(",").map((s) => s.trim()) as ItemFeatureSet[];
  for (const s of sets) {
    if (!ALL_ITEM_FEATURE_SETS.includes(s)) throw new InputError(`--item-features: unknown set ${JSON.stringify(s)}; choose all or ${ALL_ITEM_FEATURE_SETS.join(",")}`);
  }
  return sets;
}

