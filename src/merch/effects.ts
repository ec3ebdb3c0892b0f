/**
 * The combined per-item effect of a set of active hide/filter/boost/bury rules, over every list
 * index (artifact items 0..n, then new products n + entry): a drop/boosted flag byte and the
 * product of the boost and bury factors. Built once per view and set of active rules, so a list
 * reads one byte and one weight per candidate however many rules apply.
 */
import { inRuleSet, type RuleSetKey } from "./rule-set.ts";
import { type ItemEffects, type MerchView, OP_BOOST, OP_BURY, OP_FILTER, OP_HIDE } from "./view.ts";

/** Flag bits of ItemEffects.flags. */
export const DROP = 1;
export const BOOSTED = 2;

/** Distinct active-rule sets kept per view (each is n + entries bytes, plus 8 bytes each when it weights). */
const MAX_SETS = 16;

/** The effects of the per-item rules in the set `key` (merch/rule-set.ts; built by merch/plan.ts). */
export function effectsFor(view: MerchView, key: RuleSetKey): ItemEffects {
  let effects = view.effects.get(key);
  if (effects) return effects;
  const { n } = view;
  const E = view.state.entries.length;
  const flags = new Uint8Array(n + E);
  let weight: Float64Array | undefined;
  const rules = view.rules;
  // Rules in document order, so each item's factors multiply in the order the rules list them.
  for (let a = 0; a < rules.length; a++) {
    const c = rules[a];
    const op = c.op ?? 0;
    if (op !== OP_HIDE && op !== OP_FILTER && op !== OP_BOOST && op !== OP_BURY) continue;
    if (!inRuleSet(key, a)) continue;
    const bits = c.bits!;
    const entryBits = c.entryBits!;
    const factor = op === OP_BOOST || op === OP_BURY ? (c.rule as { factor: number }).factor : 1;
    if (factor !== 1 || op === OP_BOOST || op === OP_BURY) weight ??= new Float64Array(n + E).fill(1);
    for (let i = 0; i < n + E; i++) {
      const hit = i < n ? bits[i] : entryBits[i - n];
      switch (op) {
        case OP_HIDE:
          if (hit) flags[i] |= DROP;
          break;
        case OP_FILTER:
          if (!hit) flags[i] |= DROP;
          break;
        case OP_BOOST:
          if (hit) {
            weight![i] *= factor;
            flags[i] |= BOOSTED;
          }
          break;
        case OP_BURY:
          if (hit) weight![i] /= factor;
          break;
      }
    }
  }
  if (view.effects.size >= MAX_SETS) view.effects.clear();
  effects = { flags, weight };
  view.effects.set(key, effects);
  return effects;
}
