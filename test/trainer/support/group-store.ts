import type { Interactions, ItemMeta } from "../../../trainer/data/types.ts";
import type { FitInput, ItemVectors, Recommender } from "../../../trainer/model/model.ts";
import { createRng } from "../../../trainer/util/rng.ts";

/**
 * A small store with clustered tastes: items belong to one of `groups` categories, each user
 * likes one group, so the right neighbours of an item are the items of its category.
 * The last `cold` items have metadata but no interactions.
 */
export function smallStore(options: { items?: number; users?: number; groups?: number; cold?: number; seed?: number } = {}) {
  const nItems = options.items ?? 60;
  const nUsers = options.users ?? 40;
  const groups = options.groups ?? 3;
  const cold = options.cold ?? 3;
  const rng = createRng(options.seed ?? 7);
  const categories = ["Snacks", "Beverages", "Dairy", "Bakery", "Produce"];
  const items: ItemMeta[] = Array.from({ length: nItems }, (_, i) => ({
    id: `item-${i}`,
    title: `${categories[i % groups]} product ${i} ${["crunchy", "fizzy", "creamy", "fresh", "green"][i % groups]}`,
    brand: `Brand${i % groups}`,
    categories: [categories[i % groups], `${categories[i % groups]} sub ${i % 2}`],
    price: 1 + (i % 10),
    imageUrl: `https://img.example/${i}.png`,
    url: `https://shop.example/p/${i}`,
  }));
  const warmItems = nItems - cold;
  const users: number[] = [];
  const its: number[] = [];
  const times: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const g = u % groups;
    for (let t = 0; t < 8; t++) {
      let item: number;
      do item = rng.int(warmItems);
      while (item % groups !== g);
      users.push(u);
      its.push(item);
      times.push(1_700_000_000 + u * 100 + t);
    }
  }
  // Interactions know only the warm items; cold ones come from the catalogue alone.
  const interactions: Interactions = {
    userIds: Array.from({ length: nUsers }, (_, u) => `user-${u}`),
    itemIds: Array.from({ length: warmItems }, (_, i) => `item-${i}`),
    users: Int32Array.from(users),
    items: Int32Array.from(its),
    ratings: new Float32Array(users.length).fill(NaN),
    times: Float64Array.from(times),
  };
  return { items, interactions, groups, warmItems };
}

/** A factor model whose vectors are one-hot group memberships plus noise (no training needed). */
export class GroupModel implements Recommender {
  readonly name = "group-mf";
  constructor(
    private readonly nItems: number,
    private readonly nUsers: number,
    private readonly groups: number,
    private readonly dim = 8,
    private readonly logistic = true,
  ) {}
  async fit(_input: FitInput): Promise<void> {}
  private rows(n: number, seed: number): Float32Array {
    const rng = createRng(seed);
    const v = new Float32Array(n * this.dim);
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < this.dim; d++) v[i * this.dim + d] = (rng.next() - 0.5) * 0.2;
      v[i * this.dim + (i % this.groups)] += 1;
    }
    return v;
  }
  itemVectors(): ItemVectors {
    return { dim: this.dim, vectors: this.rows(this.nItems, 1), biases: new Float32Array(this.nItems).fill(-0.5) };
  }
  userVectors(): ItemVectors {
    return { dim: this.dim, vectors: this.rows(this.nUsers, 2), biases: new Float32Array(this.nUsers) };
  }
  scoreUser(user: number, out: Float32Array): void {
    const u = this.userVectors().vectors;
    const v = this.itemVectors().vectors;
    for (let i = 0; i < out.length; i++) {
      let s = 0;
      for (let d = 0; d < this.dim; d++) s += u[user * this.dim + d] * v[i * this.dim + d];
      out[i] = s;
    }
  }
  params(): Record<string, unknown> {
    return { dim: this.dim, loss: this.logistic ? "logistic" : "warp" };
  }
}

/** An item–item model (like item-kNN): similarity 1 within a group, 0 across. */
export class GroupSimilarityModel implements Recommender {
  readonly name = "group-knn";
  constructor(
    private readonly nItems: number,
    private readonly groups: number,
  ) {}
  async fit(_input: FitInput): Promise<void> {}
  itemSimilarities(item: number, out: Float32Array): void {
    for (let j = 0; j < this.nItems; j++) out[j] = j % this.groups === item % this.groups ? 1 / (1 + Math.abs(j - item)) : 0;
  }
  scoreUser(_user: number, out: Float32Array, history?: Int32Array): void {
    out.fill(0);
    const row = new Float32Array(this.nItems);
    for (const h of history ?? []) {
      this.itemSimilarities(h, row);
      for (let j = 0; j < this.nItems; j++) out[j] += row[j];
    }
  }
  params(): Record<string, unknown> {
    return {};
  }
}
