import type { ItemMeta } from "../data/types.ts";
import type { Rng } from "../util/rng.ts";
import { normal, pickOne, pickWeighted } from "./random.ts";
import { initialsOf, svgTile } from "./svg-image.ts";
import { TAXONOMY } from "./taxonomy.ts";

/** One leaf category ("shelf") of the sample catalogue, with the items on it. */
export interface Shelf {
  /** [department, aisle, shelf], e.g. ["Grocery", "Beverages", "Coffee"]. */
  path: [string, string, string];
  department: number;
  /** Index of the aisle over all departments (brands belong to an aisle). */
  aisle: number;
  items: number[];
}

/**
 * The catalogue plus the hidden per-item truth the shopper simulation draws from.
 * Typed arrays are indexed by item (same order as `items`).
 */
export interface SampleCatalog {
  items: ItemMeta[];
  shelves: Shelf[];
  brands: string[];
  shelfOf: Int32Array;
  brandOf: Int32Array;
  /** Where the price sits within its shelf, in standard deviations of log-price (cheap < 0 < premium). */
  priceZ: Float32Array;
  /** Hidden quality (about N(0,1)); raises ratings and popularity. */
  quality: Float32Array;
  /** Zipf-like appeal; choice weights within a shelf are proportional to a power of it. */
  appeal: Float64Array;
}

export interface CatalogOptions {
  items: number;
  /** Base of product URLs. */
  storeUrl: string;
}

const ID_SPACE = 36 ** 8;

/**
 * Amazon-like 10-character ids ("B0" + 8 base-36 chars). Multiplying by an odd number
 * not divisible by 3 is a bijection modulo 36^8, so ids are unique yet look scattered.
 */
export function sampleItemId(index: number): string {
  return `B0${(((index + 1) * 2654435761) % ID_SPACE).toString(36).toUpperCase().padStart(8, "0")}`;
}

const DESCRIPTION_LINES = [
  "A dependable everyday pick from the {shelf} range.",
  "Made for people who take their {shelf} seriously.",
  "Great value and thoughtfully designed.",
  "A customer favourite in {aisle}.",
  "Simple, well made and easy to love.",
];

export function generateCatalog(rng: Rng, options: CatalogOptions): SampleCatalog {
  const shelves: Shelf[] = [];
  const shelfSpecs = [];
  const brands: string[] = [];
  const aisleBrands: number[][] = [];
  // Brands have a price tier (budget … premium) and a quality reputation.
  const brandTier: number[] = [];
  const brandQuality: number[] = [];
  let aisleIndex = 0;
  for (let d = 0; d < TAXONOMY.length; d++) {
    const dept = TAXONOMY[d];
    for (const aisle of dept.aisles) {
      const ids: number[] = [];
      for (const name of aisle.brands) {
        ids.push(brands.length);
        brands.push(name);
        brandTier.push(0.45 * normal(rng));
        brandQuality.push(0.6 * normal(rng));
      }
      aisleBrands.push(ids);
      for (const spec of aisle.shelves) {
        shelves.push({ path: [dept.name, aisle.name, spec.name], department: d, aisle: aisleIndex, items: [] });
        shelfSpecs.push({ spec, aisle, hue: dept.hue });
      }
      aisleIndex++;
    }
  }

  // Shelves get uneven item counts, like a real store (some aisles are deep, others shallow).
  const shelfWeights = shelves.map(() => 0.4 + rng.next() * 1.2);
  const n = options.items;
  const items: ItemMeta[] = new Array(n);
  const shelfOf = new Int32Array(n);
  const brandOf = new Int32Array(n);
  const priceZ = new Float32Array(n);
  const quality = new Float32Array(n);
  const titles = new Set<string>();

  for (let i = 0; i < n; i++) {
    // Every shelf gets at least one item when the catalogue is big enough.
    const s = i < shelves.length && n >= shelves.length ? i : pickWeighted(rng, shelfWeights);
    const { spec, aisle, hue } = shelfSpecs[s];
    const shelf = shelves[s];
    // Redraw a few times on a duplicate title; a rare leftover clash gets a pack size.
    let brand = 0;
    let product = "";
    let variantIndex = 0;
    let adjective = "";
    let title = "";
    for (let attempt = 0; attempt < 12 && (attempt === 0 || titles.has(title)); attempt++) {
      brand = aisleBrands[shelf.aisle][rng.int(aisle.brands.length)];
      product = pickOne(rng, spec.products);
      variantIndex = rng.int(spec.variants.length);
      adjective = pickOne(rng, aisle.adjectives);
      title = `${brands[brand]} ${adjective} ${product} ${spec.variants[variantIndex]}`;
    }
    for (let pack = 2; titles.has(title); pack++) {
      title = `${brands[brand]} ${adjective} ${product} ${spec.variants[variantIndex]}, Pack of ${pack}`;
    }
    titles.add(title);

    // Log-normal price per shelf, shifted by brand tier and variant size.
    const sizeStep = spec.variants.length > 1 ? variantIndex / (spec.variants.length - 1) - 0.5 : 0;
    const z = brandTier[brand] / spec.priceSigma + 0.5 * sizeStep / spec.priceSigma + 0.8 * normal(rng);
    const price = roundPrice(spec.medianPrice * Math.exp(spec.priceSigma * z));
    const q = brandQuality[brand] + 0.8 * normal(rng);

    const id = sampleItemId(i);
    const slug = title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "");
    const line = pickOne(rng, DESCRIPTION_LINES).replace("{shelf}", spec.name.toLowerCase()).replace("{aisle}", aisle.name.toLowerCase());
    items[i] = {
      id,
      title,
      brand: brands[brand],
      categories: [...shelf.path],
      price,
      description: `${adjective} ${product.toLowerCase()} by ${brands[brand]}, ${spec.variants[variantIndex]}. ${line}`,
      imageUrl: svgTile(initialsOf(product), hue, 38 + (s % 3) * 8, i),
      url: `${options.storeUrl.replace(/\/$/, "")}/products/${slug}-${id.toLowerCase()}`,
    };
    shelfOf[i] = s;
    brandOf[i] = brand;
    priceZ[i] = z;
    quality[i] = q;
    shelf.items.push(i);
  }

  // Zipf-like appeal: rank items by a noisy mix of quality and luck; appeal ∝ 1/(rank + 10).
  const order = Array.from({ length: n }, (_, i) => i);
  const luck = Float64Array.from({ length: n }, (_, i) => 0.5 * quality[i] + normal(rng));
  order.sort((a, b) => luck[b] - luck[a] || a - b);
  const appeal = new Float64Array(n);
  for (let rank = 0; rank < n; rank++) appeal[order[rank]] = 1 / (rank + 10);

  addAlsoViewed(items, shelves, priceZ);
  return { items, shelves, brands, shelfOf, brandOf, priceZ, quality, appeal };
}

/** Store prices end in .99 (or .49 below $5), as shoppers expect. */
function roundPrice(p: number): number {
  if (p < 5) return Math.max(0.49, Math.round(p * 2) / 2 - 0.01);
  return Math.round(p) - 0.01;
}

/** "Customers also viewed": the items closest in price on the same shelf (content only, no interaction leakage). */
function addAlsoViewed(items: ItemMeta[], shelves: Shelf[], priceZ: Float32Array): void {
  for (const shelf of shelves) {
    const sorted = [...shelf.items].sort((a, b) => priceZ[a] - priceZ[b] || a - b);
    for (let p = 0; p < sorted.length; p++) {
      const near: string[] = [];
      for (let d = 1; near.length < 4 && d < sorted.length; d++) {
        if (p - d >= 0) near.push(items[sorted[p - d]].id);
        if (near.length < 4 && p + d < sorted.length) near.push(items[sorted[p + d]].id);
      }
      items[sorted[p]].alsoView = near;
    }
  }
}
