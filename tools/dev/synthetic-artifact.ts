/**
 * A synthetic artifact with realistic-looking catalogue data, built directly with the format
 * module's helpers: random neighbour lists (mostly within the item's category), int8 vectors,
 * popularity and user histories. Used by worker tests when no trained artifact is wanted and
 * by bench/serve.ts for the 100k-item serving benchmark. Runs in Node and inside workerd.
 */
import {
  type Artifact,
  buildContentIndex,
  encodeArtifact,
  FORMAT_VERSION,
  NONE,
  quantizeNeighbours,
  quantizeVectors,
  stringTable,
} from "../../src/artifact/index.ts";
import { togetherLists } from "../../trainer/lists/together.ts";
import { createRng, type Rng } from "../../trainer/util/rng.ts";

export interface SyntheticOptions {
  items?: number;
  users?: number;
  k?: number;
  dim?: number;
  seed?: number;
  /** A version id as the trainer makes them (UTC time + 8 hex digits), e.g. 20261129T001500Z-1a2b3c4d. */
  version?: string;
  /** Items with no interactions (served by content neighbours). */
  coldShare?: number;
}

const CATEGORIES: [string, string[]][] = [
  ["Beverages", ["Plant Milk", "Coffee", "Tea", "Juice"]],
  ["Snacks", ["Crisps", "Nuts", "Bars", "Crackers"]],
  ["Pantry", ["Pasta", "Rice", "Sauces", "Spices"]],
  ["Breakfast", ["Cereal", "Oats", "Spreads"]],
  ["Household", ["Cleaning", "Paper", "Laundry"]],
];
const BRANDS = ["Oatly", "Alpro", "Nature's Path", "Barilla", "Lavazza", "Twinings", "Kind", "Pukka", "Ecover", "Quaker", "Rude Health", "Kallo"];
const NOUNS: Record<string, string[]> = {
  "Plant Milk": ["Oat Milk", "Almond Drink", "Soya Milk", "Coconut Drink"],
  Coffee: ["Espresso Beans", "Ground Coffee", "Decaf Pods"],
  Tea: ["Green Tea", "Earl Grey", "Chamomile Tea"],
  Juice: ["Orange Juice", "Apple Juice", "Beetroot Shot"],
  Crisps: ["Sea Salt Crisps", "Lentil Chips", "Veggie Straws"],
  Nuts: ["Roasted Almonds", "Cashews", "Trail Mix"],
  Bars: ["Peanut Bar", "Protein Bar", "Date Bar"],
  Crackers: ["Rice Cakes", "Rye Crispbread", "Oat Crackers"],
  Pasta: ["Fusilli", "Spaghetti", "Penne"],
  Rice: ["Basmati Rice", "Arborio Rice", "Brown Rice"],
  Sauces: ["Tomato Passata", "Pesto", "Soy Sauce"],
  Spices: ["Smoked Paprika", "Cumin", "Turmeric"],
  Cereal: ["Granola", "Corn Flakes", "Muesli"],
  Oats: ["Porridge Oats", "Oat Bran", "Overnight Oats"],
  Spreads: ["Peanut Butter", "Almond Butter", "Marmalade"],
  Cleaning: ["Surface Spray", "Washing-up Liquid", "Glass Cleaner"],
  Paper: ["Kitchen Roll", "Toilet Tissue", "Napkins"],
  Laundry: ["Laundry Liquid", "Fabric Softener", "Stain Remover"],
};
const SIZES = ["1L", "500g", "250g", "6 pack", "750ml", "1kg", "200g", "12 pack"];

export function syntheticArtifact(options: SyntheticOptions = {}): Artifact {
  const n = options.items ?? 500;
  const nu = options.users ?? Math.max(10, Math.floor(n / 5));
  const k = options.k ?? 20;
  const dim = options.dim ?? 32;
  const rng: Rng = createRng(options.seed ?? 7);
  const version = options.version ?? "20261129T000000Z-0000000a";
  const coldShare = options.coldShare ?? 0.05;

  const ids: string[] = [];
  const titles: string[] = [];
  const brands: string[] = [];
  const paths: string[] = [];
  const images: string[] = [];
  const urls: string[] = [];
  const prices = new Float32Array(n);
  const topCategory = new Uint32Array(n);
  const sub = new Uint32Array(n);
  const byTop: number[][] = CATEGORIES.map(() => []);
  for (let i = 0; i < n; i++) {
    const c = rng.int(CATEGORIES.length);
    const [top, subs] = CATEGORIES[c];
    const s = subs[rng.int(subs.length)];
    const brand = BRANDS[rng.int(BRANDS.length)];
    const noun = NOUNS[s][rng.int(NOUNS[s].length)];
    const id = `P${(100000 + i).toString(36).toUpperCase()}`;
    ids.push(id);
    titles.push(`${brand} ${noun} ${SIZES[rng.int(SIZES.length)]}`);
    brands.push(brand);
    paths.push(`${top} > ${s}`);
    images.push(`https://img.example.com/${id}.jpg`);
    urls.push(`https://shop.example.com/p/${id}`);
    prices[i] = i % 97 === 0 ? NaN : Math.round((0.5 + rng.next() * 19.5) * 100) / 100;
    topCategory[i] = c;
    sub[i] = s.length;
    byTop[c].push(i);
  }

  const interactions = new Uint32Array(n);
  for (let i = 0; i < n; i++) interactions[i] = rng.next() < coldShare ? 0 : 1 + Math.floor(200 * Math.pow(rng.next(), 3));

  /** k neighbours per item passing `fill`, mostly from the item's own category, scores decaying. */
  const neighbourRows = (fill: (i: number) => boolean) => {
    const ptr = new Uint32Array(n + 1);
    const rows: number[] = [];
    const rowScores: number[] = [];
    for (let i = 0; i < n; i++) {
      if (fill(i)) {
        const same = byTop[topCategory[i]];
        const seen = new Set<number>([i]);
        let score = 0.9 + rng.next() * 0.1;
        for (let j = 0; j < k && seen.size < n; j++) {
          let cand = rng.next() < 0.8 && same.length > k ? same[rng.int(same.length)] : rng.int(n);
          let guard = 0;
          while (seen.has(cand) && guard++ < 50) cand = rng.int(n);
          if (seen.has(cand)) break;
          seen.add(cand);
          rows.push(cand);
          rowScores.push(score);
          score *= 0.93 + rng.next() * 0.05;
        }
      }
      ptr[i + 1] = rows.length;
    }
    return { ptr, ids: Uint32Array.from(rows), scores: Float32Array.from(rowScores) };
  };
  // Collaborative lists: dense k per item (NONE-padded; empty for cold items), as the trainer writes them.
  const warm = neighbourRows((i) => interactions[i] > 0);
  const denseIds = new Uint32Array(n * k).fill(NONE);
  const denseScores = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let p = warm.ptr[i]; p < warm.ptr[i + 1]; p++) {
      denseIds[i * k + p - warm.ptr[i]] = warm.ids[p];
      denseScores[i * k + p - warm.ptr[i]] = warm.scores[p];
    }
  }
  const collaborative = quantizeNeighbours(k, denseIds, denseScores);
  // Content lists: sparse, only for cold items (the only ones that need them).
  const cold = neighbourRows((i) => interactions[i] === 0);
  const content = quantizeNeighbours(k, cold.ids, cold.scores, cold.ptr);

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => interactions[b] - interactions[a] || a - b);
  const overall = Uint32Array.from(order.filter((i) => interactions[i] > 0));
  const byCategoryPtr = new Uint32Array(CATEGORIES.length + 1);
  const byCategory: number[] = [];
  CATEGORIES.forEach((_, c) => {
    for (const i of overall) if (topCategory[i] === c && byCategory.length - byCategoryPtr[c] < 200) byCategory.push(i);
    byCategoryPtr[c + 1] = byCategory.length;
  });

  const itemVec = new Float32Array(n * dim);
  for (let i = 0; i < itemVec.length; i++) itemVec[i] = rng.next() * 2 - 1;
  const userVec = new Float32Array(nu * dim);
  for (let i = 0; i < userVec.length; i++) userVec[i] = rng.next() * 2 - 1;
  const userIds: string[] = [];
  const historyPtr = new Uint32Array(nu + 1);
  const history: number[] = [];
  for (let u = 0; u < nu; u++) {
    userIds.push(`u${u}`);
    const len = 1 + rng.int(8);
    for (let t = 0; t < len; t++) history.push(overall[rng.int(overall.length)]);
    historyPtr[u + 1] = history.length;
  }
  const itemBiases = new Float32Array(n);
  for (let i = 0; i < n; i++) itemBiases[i] = Math.log1p(interactions[i]) / 10;

  return {
    header: {
      formatVersion: FORMAT_VERSION,
      version,
      createdAt: "2026-11-29T00:00:00.000Z",
      sourceHash: "0".repeat(64),
      model: { type: "synthetic", params: { dim, k, seed: options.seed ?? 7 } },
      metrics: { "p@10": 0.1, "ndcg@10": 0.12 },
      headlineMetric: "ndcg@10",
      counts: { items: n, users: nu, categories: CATEGORIES.length },
    },
    items: {
      ids: stringTable(ids, true),
      titles: stringTable(titles),
      brands: stringTable(brands),
      categoryPaths: stringTable(paths),
      imageUrls: stringTable(images),
      urls: stringTable(urls),
      prices,
      topCategory,
    },
    categories: { names: stringTable(CATEGORIES.map(([name]) => name)) },
    neighbours: collaborative,
    contentNeighbours: content,
    itemInteractions: interactions,
    // Baskets: each user's history, so the together section has realistic rows.
    together: togetherLists(Array.from({ length: nu }, (_, u) => history.slice(historyPtr[u], historyPtr[u + 1])), n, { minSupport: 1 }),
    contentIndex: buildContentIndex(n, (i) => ({ title: titles[i], brand: brands[i], category: paths[i] }), interactions),
    popular: { overall, byCategoryPtr, byCategoryIds: Uint32Array.from(byCategory) },
    itemVectors: quantizeVectors(itemVec, dim, "int8"),
    itemBiases,
    users: {
      ids: stringTable(userIds, true),
      historyPtr,
      historyIds: Uint32Array.from(history),
      vectors: quantizeVectors(userVec, dim, "int8"),
    },
  };
}

export function syntheticArtifactBytes(options: SyntheticOptions = {}): Promise<Uint8Array> {
  return encodeArtifact(syntheticArtifact(options));
}
