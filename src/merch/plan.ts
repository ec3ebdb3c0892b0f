/**
 * Which rules apply to a list, and what they amount to, worked out once per view and set of
 * active rules rather than per request: when no rule's `where` names an item or a category,
 * the set depends on the list kind alone, so a request costs two map reads. Rules scoped to an
 * item or a category are tested per request and their plan is looked up by the active set.
 */
import { MAX_K } from "../recommend/scratch.ts";
import { effectsFor } from "./effects.ts";
import { inRuleSet, RuleSetBuilder, type RuleSetKey } from "./rule-set.ts";
import { type CompiledRule, type ItemEffects, type ListContext, type MerchView, OP_BOOST, OP_BURY, OP_NOT_BOUGHT } from "./view.ts";

export interface ListPlan {
  /** How many rules apply (0: the list passes through untouched). */
  active: number;
  /** A rule may drop or re-order items, so the recommender is asked for a few more. */
  fetchMore: boolean;
  /** Boost or bury apply: re-sort by the weighted rank score. */
  reorder: boolean;
  /** Diversity's λ, or -1 without a diversity rule. */
  lambda: number;
  /** The combined drop / boosted flags and weights of the active hide, filter, boost and bury rules. */
  effects: ItemEffects;
  /** Active caps, "not recently bought" rules, and pins and new arrivals (in document order). */
  caps: CompiledRule[];
  notBought: CompiledRule[];
  placements: CompiledRule[];
}

/** Distinct plans kept per view before the cache starts over (item- or category-scoped rules make one per active set). */
const MAX_PLANS = 64;

interface PlanCache {
  /** Some rule's `where` names an item or a category: the active set depends on more than the list kind. */
  perRequest: boolean;
  plans: Map<RuleSetKey, ListPlan>;
}

const caches = new WeakMap<MerchView, PlanCache>();

export function planFor(view: MerchView, ctx: ListContext): ListPlan {
  let cache = caches.get(view);
  if (!cache) {
    const perRequest = view.rules.some((c) => c.rule.where?.item !== undefined || c.rule.where?.category !== undefined);
    caches.set(view, (cache = { perRequest, plans: new Map() }));
  }
  if (!cache.perRequest) {
    let plan = cache.plans.get(ctx.list);
    if (!plan) cache.plans.set(ctx.list, (plan = buildPlan(view, activeSet(view, ctx))));
    return plan;
  }
  const key = activeSet(view, ctx);
  let plan = cache.plans.get(key);
  if (!plan) {
    if (cache.plans.size >= MAX_PLANS) cache.plans.clear();
    cache.plans.set(key, (plan = buildPlan(view, key)));
  }
  return plan;
}

/** The rules that apply to this list. */
function activeSet(view: MerchView, ctx: ListContext): RuleSetKey {
  const set = new RuleSetBuilder();
  const rules = view.rules;
  for (let a = 0; a < rules.length; a++) if (view.applies(rules[a].rule.where, ctx)) set.add(a);
  return set.key;
}

function buildPlan(view: MerchView, key: RuleSetKey): ListPlan {
  const plan: ListPlan = { active: 0, fetchMore: false, reorder: false, lambda: -1, effects: { flags: new Uint8Array(0), weight: undefined }, caps: [], notBought: [], placements: [] };
  // The effects are keyed by the per-item rules only (see effects.ts), so lists that differ in other rules share them.
  const perItem = new RuleSetBuilder();
  const rules = view.rules;
  for (let a = 0; a < rules.length; a++) {
    if (!inRuleSet(key, a)) continue;
    const c = rules[a];
    const kind = c.rule.kind;
    plan.active++;
    if (kind !== "pin" && kind !== "newArrivals" && (c.scoped || (kind !== "hide" && kind !== "filter"))) plan.fetchMore = true;
    const op = c.op;
    if (op === OP_BOOST || op === OP_BURY) plan.reorder = true;
    if (op === OP_NOT_BOUGHT) plan.notBought.push(c);
    else if (op !== 0) perItem.add(a);
    if (kind === "diversity") plan.lambda = c.lambda;
    else if (kind === "cap") plan.caps.push(c);
    else if (kind === "pin" || kind === "newArrivals") plan.placements.push(c);
  }
  if (plan.active > 0) plan.effects = effectsFor(view, perItem.key);
  return plan;
}

/** How many items to ask the recommender for: a few more than k when a rule may drop or re-order. */
export function fetchSize(plan: ListPlan | undefined, k: number): number {
  return plan?.fetchMore ? Math.min(MAX_K, k + Math.max(5, k >> 1)) : k;
}
