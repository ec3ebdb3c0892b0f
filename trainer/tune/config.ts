import type { ItemMeta } from "../data/types.ts";
import { buildItemFeatures, ALL_ITEM_FEATURE_SETS, type ItemFeatureSet } from "../features/item-features.ts";
import { buildUserFeatures } from "../features/user-features.ts";
import { BlendModel, type BlendScaling } from "../model/blend.ts";
import { EaseModel } from "../model/ease.ts";
import { HybridMF, HYBRID_DEFAULTS, type HybridParams } from "../model/hybrid.ts";
import { RateLogitModel } from "../model/hybrid-rates.ts";
import { RATING_STACK_DEFAULTS, RatingStackModel, type RatingStackOptions } from "../model/rating-stack.ts";
import type { FitInput, Recommender } from "../model/model.ts";
import { createModel } from "../model/registry.ts";

/**
 * A trained model's recipe, as `edgerec tune` writes it (best.json) and `edgerec train
 * --config` reads it: the model, its hyper-parameters and which metadata features it uses.
 */
export type ModelConfig =
  | { model: "hybrid"; params: Partial<HybridParams>; itemFeatures: ItemFeatureSet[]; userFeatures: boolean }
  | { model: "ease"; params: { lambda: number } }
  | { model: "rate-logit"; params: { prior: number } }
  | { model: "blend"; scaling: BlendScaling; members: Array<{ weight: number; config: ModelConfig }> }
  /** Members stacked by a logistic regression learned on pairs held out of the training data (rating classification). */
  | { model: "rating-stack"; params: Partial<RatingStackOptions>; members: ModelConfig[] }
  | { model: string; params: Record<string, unknown> };

/** What feature-using configs need from the dataset. */
export interface FeatureSource {
  items?: ItemMeta[];
  userIds?: string[];
  userFeatures?: Map<string, string[]>;
}

/** Builds (and caches per feature-set key) the metadata matrices a config asks for. */
export class FeatureCache {
  private readonly cache = new Map<string, Partial<FitInput>>();
  constructor(private readonly source: FeatureSource) {}

  fitExtras(itemSets: ItemFeatureSet[], userFeatures: boolean): Partial<FitInput> {
    const key = `${[...itemSets].sort().join(",")}|${userFeatures}`;
    let got = this.cache.get(key);
    if (!got) {
      got = {};
      if (itemSets.length > 0 && this.source.items) got.itemFeatures = buildItemFeatures(this.source.items, { sets: itemSets }).matrix;
      if (userFeatures && this.source.userFeatures && this.source.userIds) {
        got.userFeatures = buildUserFeatures(this.source.userIds, this.source.userFeatures).matrix;
      }
      this.cache.set(key, got);
    }
    return got;
  }
}

/** A model from its config, plus what its fit needs besides the interactions (feature matrices). */
export interface Built {
  model: Recommender;
  extraFit: Partial<FitInput>;
}

/**
 * Turns a config into an unfitted model. Blends fit their members with each member's own
 * features (a blend's fit input carries none: members are wrapped to add theirs).
 */
export function buildFromConfig(config: ModelConfig, features: FeatureCache, overrides: { threads?: number } = {}): Built {
  checkConfig(config);
  if (config.model === "hybrid") {
    const c = config as Extract<ModelConfig, { model: "hybrid" }>;
    const params = { ...c.params, ...(overrides.threads ? { threads: overrides.threads } : {}) };
    return { model: new HybridMF(params, "hybrid"), extraFit: features.fitExtras(c.itemFeatures ?? [], c.userFeatures ?? false) };
  }
  if (config.model === "ease") return { model: new EaseModel((config as { params: Record<string, unknown> }).params), extraFit: {} };
  if (config.model === "rate-logit") return { model: new RateLogitModel(Number((config as { params: { prior: number } }).params.prior ?? 5)), extraFit: {} };
  if (config.model === "rating-stack") {
    const c = config as Extract<ModelConfig, { model: "rating-stack" }>;
    const members = c.members.map((m) => buildFromConfig(m, features, overrides)).map((b) => ({ model: b.model, extraFit: b.extraFit }));
    return { model: new RatingStackModel(members, c.params ?? {}), extraFit: {} };
  }
  if (config.model === "blend") {
    const c = config as Extract<ModelConfig, { model: "blend" }>;
    const members = c.members.map((m) => {
      const built = buildFromConfig(m.config, features, overrides);
      return { model: withExtras(built), weight: m.weight };
    });
    return { model: new BlendModel(members, "blend", c.scaling ?? "per-user"), extraFit: {} };
  }
  return { model: createModel(config.model, (config as { params?: Record<string, unknown> }).params ?? {}), extraFit: {} };
}

/** A recommender that adds its own feature matrices to whatever fit input it is given. */
function withExtras(built: Built): Recommender {
  if (!built.extraFit.itemFeatures && !built.extraFit.userFeatures) return built.model;
  const inner = built.model;
  return {
    name: inner.name,
    fit: (input) => inner.fit({ ...input, ...built.extraFit }),
    scoreUser: (u, out, h) => inner.scoreUser(u, out, h),
    itemVectors: inner.itemVectors ? () => inner.itemVectors!() : undefined,
    userVectors: inner.userVectors ? () => inner.userVectors!() : undefined,
    params: () => inner.params(),
  };
}

/** Rejects configs that cannot be built, saying which field is wrong and what is allowed. */
export function checkConfig(config: unknown, where = "config"): asserts config is ModelConfig {
  if (!config || typeof config !== "object") throw new Error(`${where}: expected an object like {"model":"hybrid","params":{…}}`);
  const c = config as Record<string, unknown>;
  if (typeof c.model !== "string") throw new Error(`${where}: "model" must be a string (hybrid, ease, blend, rating-stack, rate-logit or a registered model)`);
  if (c.model === "blend") {
    if (!Array.isArray(c.members) || c.members.length === 0) throw new Error(`${where}: a blend needs a non-empty "members" list of {weight, config}`);
    c.members.forEach((m: unknown, k: number) => {
      const mm = m as { weight?: unknown; config?: unknown };
      if (typeof mm?.weight !== "number") throw new Error(`${where}.members[${k}]: "weight" must be a number`);
      checkConfig(mm.config, `${where}.members[${k}].config`);
    });
    return;
  }
  if (c.model === "rating-stack") {
    if (!Array.isArray(c.members) || c.members.length === 0) throw new Error(`${where}: a rating-stack needs a non-empty "members" list of model configs`);
    c.members.forEach((m: unknown, k: number) => checkConfig(m, `${where}.members[${k}]`));
    for (const key of Object.keys((c.params ?? {}) as object)) {
      if (!(key in RATING_STACK_DEFAULTS)) throw new Error(`${where}: unknown rating-stack parameter "${key}"; known: ${Object.keys(RATING_STACK_DEFAULTS).join(", ")}`);
    }
    return;
  }
  if (c.params !== undefined && (typeof c.params !== "object" || c.params === null)) throw new Error(`${where}: "params" must be an object`);
  if (c.model === "hybrid") {
    const p = (c.params ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(p)) {
      if (!(key in HYBRID_DEFAULTS)) throw new Error(`${where}: unknown hybrid parameter "${key}"; known: ${Object.keys(HYBRID_DEFAULTS).join(", ")}`);
    }
    const sets = c.itemFeatures ?? [];
    if (!Array.isArray(sets) || sets.some((s) => !ALL_ITEM_FEATURE_SETS.includes(s as ItemFeatureSet))) {
      throw new Error(`${where}: "itemFeatures" must be a list of ${ALL_ITEM_FEATURE_SETS.join(", ")}`);
    }
  }
}

/** Human-readable one-liner for leaderboards. */
export function describeConfig(config: ModelConfig): string {
  if (config.model === "blend") {
    const c = config as Extract<ModelConfig, { model: "blend" }>;
    return `blend(${c.members.map((m) => `${m.weight.toFixed(2)}×${describeConfig(m.config)}`).join(" + ")})`;
  }
  if (config.model === "rating-stack") {
    const c = config as Extract<ModelConfig, { model: "rating-stack" }>;
    return `rating-stack(${c.members.map(describeConfig).join(" | ")})`;
  }
  if (config.model === "hybrid") {
    const c = config as Extract<ModelConfig, { model: "hybrid" }>;
    const p = { ...HYBRID_DEFAULTS, ...c.params };
    const feats = [c.itemFeatures.length ? `items:${c.itemFeatures.join("+")}` : "", c.userFeatures ? "users" : ""].filter(Boolean).join(",") || "ids only";
    return `hybrid ${p.loss} k=${p.components} lr=${p.learningRate.toPrecision(2)} α=${p.itemAlpha.toExponential(0)}/${p.userAlpha.toExponential(0)} ${p.schedule} ep=${p.epochs} [${feats}]`;
  }
  return `${config.model} ${JSON.stringify((config as { params?: unknown }).params ?? {})}`;
}
