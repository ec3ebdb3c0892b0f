import { MAX_ITEMS as SLIST_MAX_ITEMS } from "../model/ease.ts";
import { SlistModel } from "../model/slist.ts";
import type { ModelConfig } from "./config.ts";
import type { FamilyContext, TuneFamily } from "./families.ts";

/**
 * SLIST settings tune tries, in order: the model's defaults (chosen on the Toys and Grocery dev
 * splits), the weaker recency Sports' dev split chose, then for data whose order says less
 * (validation items drawn from anywhere in a history, not the next one): more weight on
 * whole-history similarity, a stronger ridge, and every one of the latest 500 items alike.
 * The first two share one fit.
 */
export const DEFAULT_SLIST: Array<Record<string, number>> = [
  { lambda: 50, alpha: 0.5, recencyDecay: 2 },
  { lambda: 50, alpha: 0.5, recencyDecay: 4 },
  { lambda: 200, alpha: 0.8, recencyDecay: 0, historyLength: 500 },
];

/**
 * Seconds an SLIST fit costs per item³: its inverse is EASE's (trainer/tune/search.ts
 * easeFitSeconds), and multiplying the sparse transitions into it costs about as much again.
 */
const SLIST_SECONDS_PER_ITEM_CUBED = 6.2e-11;

/** Estimated seconds of an SLIST fit over n items. */
export function slistFitSeconds(nItems: number): number {
  return nItems ** 3 * SLIST_SECONDS_PER_ITEM_CUBED;
}

/**
 * The order-aware family: SLIST over each user's items in time order. It takes part only when
 * ranking data carries times (without an order SLIST is EASE with a free diagonal, which EASE
 * already covers) and the catalogue fits its items × items matrix; else the note says why.
 */
export function slistFamily(ctx: FamilyContext, settings: Array<Record<string, number>> = DEFAULT_SLIST): { family?: TuneFamily; note?: string } {
  if (ctx.task !== "ranking" || settings.length === 0) return {};
  if (!ctx.ordered) return { note: "slist: not tried, the interactions have no times, so there is no order to learn" };
  if (ctx.nItems > SLIST_MAX_ITEMS) return { note: `slist: not tried, ${ctx.nItems} items exceed its ${SLIST_MAX_ITEMS}-item limit` };
  return {
    family: {
      name: "slist",
      iterative: false,
      configs: settings.map((params): ModelConfig => ({ model: "slist", params })),
      estimateSeconds: () => slistFitSeconds(ctx.nItems),
    },
  };
}

/**
 * The last SLIST fit of a search, for the settings that differ from it only in how a history
 * is scored (recency decay, history length): those score the same B (SlistModel.withScoring)
 * instead of refitting it. Only one fit is held (an items × items matrix), so the family lists
 * such settings one after another.
 */
export class SlistFits {
  private last?: { key: string; model: SlistModel; seconds: number };

  /** A model for this config sharing an earlier fit's B, with that fit's seconds; undefined when none matches. */
  reuse(config: ModelConfig): { model: SlistModel; fitSeconds: number } | undefined {
    if (config.model !== "slist" || !this.last || this.last.key !== fitKey(config)) return undefined;
    const { recencyDecay, historyLength } = new SlistModel((config as { params: Record<string, unknown> }).params).p;
    return { model: this.last.model.withScoring({ recencyDecay, historyLength }), fitSeconds: this.last.seconds };
  }

  remember(config: ModelConfig, model: unknown, seconds: number): void {
    if (config.model === "slist" && model instanceof SlistModel) this.last = { key: fitKey(config), model, seconds };
  }

  /**
   * Lets the held fit go unless one of the configurations still to run can share it: a dense
   * n×n matrix, not to be held beside the next fits for nothing.
   */
  keepFor(later: readonly ModelConfig[]): void {
    const key = this.last?.key;
    if (key !== undefined && !later.some((c) => c.model === "slist" && fitKey(c) === key)) this.last = undefined;
  }

  /** Lets the held fit go (the trials are over). */
  clear(): void {
    this.last = undefined;
  }
}

/** What B depends on: every parameter but how a history is scored. */
function fitKey(config: ModelConfig): string {
  const { recencyDecay: _decay, historyLength: _length, ...rest } = new SlistModel((config as { params: Record<string, unknown> }).params).p;
  return JSON.stringify(rest);
}
