import type { Rng } from "../util/rng.ts";
import type { SampleCatalog } from "./catalog.ts";
import { dirichlet, normal, pickWeighted } from "./random.ts";

export interface ShopperOptions {
  users: number;
  /** Unix seconds of the first and last possible interaction. */
  startTime: number;
  endTime: number;
  /** Median interactions per user; the log-normal tail gives a few heavy users. */
  medianActivity: number;
}

/** Raw simulated shopping history, one entry per (user, item), ordered by user then time. */
export interface ShoppingHistory {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  times: Float64Array;
  /** Session number per interaction (global, increasing), for basket/session evaluation. */
  sessions: Int32Array;
}

const DAY = 86_400;

/**
 * Shoppers with latent tastes. Each user has:
 * - a sparse Dirichlet preference over departments and, within them, over shelves
 *   (most people shop two or three corners of the store);
 * - affinities for brands (a few loyal favourites, mild likes and dislikes);
 * - a preferred price level (budget … premium) with a personal tolerance;
 * - a rating temperament (some people give 5 stars to everything).
 * Users shop in sessions that stay on one shelf or wander to a sibling shelf of the
 * same aisle. Within a shelf, choice ∝ appeal^0.8 · exp(brand + quality + price fit),
 * so popular items dominate (Zipf long tail) but tastes decide among them.
 * Activity is log-normal: most users rate a handful of items, a few rate hundreds.
 */
export function simulateShoppers(rng: Rng, catalog: SampleCatalog, options: ShopperOptions): ShoppingHistory {
  const { shelves, brands, brandOf, priceZ, quality, appeal } = catalog;
  const nShelves = shelves.length;
  const nDepartments = 1 + Math.max(...shelves.map((s) => s.department));
  const shelfAppeal = shelves.map((s) => s.items.reduce((sum, i) => sum + appeal[i], 0));
  // Sibling shelves of one aisle, for sessions that wander (coffee → tea).
  const siblings = shelves.map((s) => shelves.flatMap((t, j) => (t.aisle === s.aisle && t !== s ? [j] : [])));
  const choiceBase = Float64Array.from(appeal, (a) => Math.pow(a, 0.8));

  const users: number[] = [];
  const items: number[] = [];
  const ratings: number[] = [];
  const times: number[] = [];
  const sessions: number[] = [];
  let sessionCounter = 0;
  const span = options.endTime - options.startTime;
  const shelfWeights = new Float64Array(nShelves);
  const brandAffinity = new Float32Array(brands.length);
  const chosen = new Set<number>();

  for (let u = 0; u < options.users; u++) {
    const departmentTaste = dirichlet(rng, nDepartments, 0.3);
    const shelfTaste = dirichlet(rng, nShelves, 0.6);
    let total = 0;
    for (let s = 0; s < nShelves; s++) {
      // Mix in a little of the store's overall demand so no shelf is unreachable.
      shelfWeights[s] = departmentTaste[shelves[s].department] * shelfTaste[s] + 0.002 * shelfAppeal[s];
      total += shelfWeights[s];
    }
    for (let b = 0; b < brands.length; b++) brandAffinity[b] = 0.7 * normal(rng);
    for (let k = 0; k < 2; k++) {
      const favouriteShelf = pickWeighted(rng, shelfWeights, total);
      const shelfItems = shelves[favouriteShelf].items;
      if (shelfItems.length > 0) brandAffinity[brandOf[shelfItems[rng.int(shelfItems.length)]]] += 1.5;
    }
    const pricePreference = 0.9 * normal(rng);
    const priceTolerance = 0.6 + 0.9 * rng.next();
    const generosity = 0.45 * normal(rng);

    const activity = Math.min(
      Math.max(1, Math.floor(options.medianActivity * Math.exp(1.05 * normal(rng)))),
      Math.floor(catalog.items.length / 4),
    );
    // Sessions spread over the user's active period; heavy users are active longer.
    const firstDay = options.startTime + rng.next() * span * 0.7;
    const activeSpan = Math.min(options.endTime - firstDay, span * Math.min(1, 0.1 + activity / 60));
    let t = firstDay;
    chosen.clear();
    let made = 0;
    while (made < activity) {
      const sessionLength = Math.min(activity - made, 1 + geometric(rng, 0.5));
      const sessionShelf = rng.next() < 0.92 ? pickWeighted(rng, shelfWeights, total) : pickWeighted(rng, shelfAppeal);
      const session = sessionCounter++;
      for (let k = 0; k < sessionLength; k++) {
        const sib = siblings[sessionShelf];
        const shelf = k > 0 && sib.length > 0 && rng.next() < 0.3 ? sib[rng.int(sib.length)] : sessionShelf;
        const item = chooseItem(rng, shelves[shelf].items, chosen, (i) => {
          const gap = (priceZ[i] - pricePreference) / priceTolerance;
          return choiceBase[i] * Math.exp(brandAffinity[brandOf[i]] + 0.3 * quality[i] - 0.5 * gap * gap);
        });
        if (item < 0) continue;
        chosen.add(item);
        const gap = Math.abs(priceZ[item] - pricePreference) / priceTolerance;
        const latent = 4.0 + generosity + 0.4 * brandAffinity[brandOf[item]] + 0.45 * quality[item] - 0.35 * gap + 0.7 * normal(rng);
        users.push(u);
        items.push(item);
        ratings.push(Math.min(5, Math.max(1, Math.round(latent))));
        times.push(Math.floor(t));
        sessions.push(session);
        t += 60 + rng.int(1800);
      }
      made += sessionLength;
      // Next session: exponential gap scaled so the user's sessions fit their active span.
      const expectedSessions = Math.max(1, activity / 2);
      t += Math.max(DAY / 4, (-Math.log(1 - rng.next()) * activeSpan) / expectedSessions);
      if (t > options.endTime) t = options.endTime - rng.int(DAY);
    }
  }
  return {
    users: Int32Array.from(users),
    items: Int32Array.from(items),
    ratings: Float32Array.from(ratings),
    times: Float64Array.from(times),
    sessions: Int32Array.from(sessions),
  };
}

function geometric(rng: Rng, p: number): number {
  let k = 0;
  while (rng.next() > p && k < 20) k++;
  return k;
}

/** Draws one not-yet-chosen item of the shelf with the given weight; -1 when the shelf is exhausted. */
function chooseItem(rng: Rng, shelfItems: number[], chosen: Set<number>, weight: (i: number) => number): number {
  const weights = new Float64Array(shelfItems.length);
  let total = 0;
  for (let k = 0; k < shelfItems.length; k++) {
    const i = shelfItems[k];
    weights[k] = chosen.has(i) ? 0 : weight(i);
    total += weights[k];
  }
  if (total <= 0) return -1;
  return shelfItems[pickWeighted(rng, weights, total)];
}
