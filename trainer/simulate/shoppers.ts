/**
 * Simulated shoppers with a known truth, taken from the sample store generator (whose histories
 * come from its latent tastes): the items a shopper rated 4–5 are the ones they like. The first
 * half of those (by time) they find by browsing the store — sent as `view` events — and the rest
 * they would buy if shown: a recommendation of one of these is clicked with probability
 * `likedClick` × position bias, any other item with `otherClick` × position bias.
 */
import type { SampleStore } from "../sample/store.ts";

export interface Shopper {
  id: string;
  browsed: string[];
  /** Liked items the shopper has not found yet: what a good recommender shows them. */
  hidden: Set<string>;
}

export interface ClickModel {
  likedClick: number;
  otherClick: number;
  /** Position bias: slot p is seen with probability 1 / (1 + p)^positionDecay. */
  positionDecay: number;
  /** Probability that a clicked liked item goes into the cart, and that it is bought (a bought item was in the cart first). */
  addToCart: number;
  purchase: number;
}

export const DEFAULT_CLICK_MODEL: ClickModel = { likedClick: 0.7, otherClick: 0.02, positionDecay: 0.6, addToCart: 0.6, purchase: 0.4 };

export function simulatedShoppers(store: SampleStore, minLiked = 4): Shopper[] {
  const { users, items, ratings, times, userIds, itemIds } = store.interactions;
  const liked: { item: number; t: number }[][] = userIds.map(() => []);
  for (let k = 0; k < users.length; k++) if (ratings[k] >= 4) liked[users[k]].push({ item: items[k], t: times[k] });
  const out: Shopper[] = [];
  for (let u = 0; u < userIds.length; u++) {
    const l = liked[u];
    if (l.length < minLiked) continue;
    l.sort((a, b) => a.t - b.t || a.item - b.item);
    const half = Math.ceil(l.length / 2);
    out.push({ id: userIds[u], browsed: l.slice(0, half).map((x) => itemIds[x.item]), hidden: new Set(l.slice(half).map((x) => itemIds[x.item])) });
  }
  return out;
}

export function clickProbability(model: ClickModel, liked: boolean, position: number): number {
  return (liked ? model.likedClick : model.otherClick) / Math.pow(1 + position, model.positionDecay);
}
