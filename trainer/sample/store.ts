/**
 * # The sample storefront
 *
 * A synthetic but realistic online store, so that `npm start`, the tests and the
 * benches have data without an account or a download. Everything is derived from one
 * seed through trainer/util/rng.ts: the same seed and sizes give byte-identical output.
 *
 * - **Catalogue** (`items`, default 3,000): 8 departments › 24 aisles › 64 shelves
 *   (e.g. Grocery › Beverages › Coffee, Home › Kitchen › Cookware), 5 invented brands
 *   per aisle with price tiers, log-normal prices per shelf (medians from $2.50 pasta to
 *   $220 monitors), titles "Brand Adjective Product Variant", one-line descriptions,
 *   inline SVG tiles as images (no network), product URLs, "also viewed" lists.
 * - **Shoppers** (`users`, default 2,000): latent tastes over departments/shelves
 *   (sparse), brands and price level; sessions on one shelf or its siblings;
 *   1–5 star ratings with time stamps. Item popularity is Zipf-like and activity is
 *   log-normal (median ~5 ratings, a few users with hundreds), so a long tail exists.
 * - **Learnable, not trivial**: tastes make a personalised model clearly beat
 *   popularity, and the Zipf appeal makes popularity clearly beat random
 *   (see test/trainer/sample/sample-store.test.ts and bench/lib/sample-store-protocol.ts).
 *
 * `generateStore` returns it in memory in the trainer's own shapes; `writeAmazonFiles`
 * (trainer/sample/amazon-files.ts) writes it as Amazon 2018 review + metadata JSON lines
 * so that the real readers are exercised (`edgerec generate`).
 */
import type { Interactions, ItemMeta } from "../data/types.ts";
import { createRng } from "../util/rng.ts";
import { generateCatalog, type Shelf } from "./catalog.ts";
import { simulateShoppers } from "./shoppers.ts";

export interface StoreOptions {
  seed?: number;
  /** Number of products (default 3,000). */
  items?: number;
  /** Number of shoppers (default 2,000). */
  users?: number;
  /** Median ratings per shopper (default 5). */
  medianActivity?: number;
  /** Base URL of product pages (default https://shop.example.com). */
  storeUrl?: string;
  /** Unix seconds of the first/last rating (default 2016-01-01 … 2018-09-30, like Amazon 2018). */
  startTime?: number;
  endTime?: number;
}

export interface SampleStore {
  /** Every catalogue item, including ones nobody rated (cold items). items[i].id === interactions.itemIds[i]. */
  items: ItemMeta[];
  /** Ratings 1–5 with times; itemIds cover the whole catalogue, userIds every shopper. */
  interactions: Interactions;
  /** Session number per interaction (parallel to interactions.users), for basket evaluation. */
  sessions: Int32Array;
  /** Display names of the shoppers, parallel to interactions.userIds (for review files). */
  userNames: string[];
  /** The category tree: one entry per leaf, with item indexes. */
  shelves: Shelf[];
  options: Required<StoreOptions>;
}

export const SAMPLE_DEFAULTS: Required<StoreOptions> = {
  seed: 1,
  items: 3000,
  users: 2000,
  medianActivity: 5,
  storeUrl: "https://shop.example.com",
  startTime: Date.UTC(2016, 0, 1) / 1000,
  endTime: Date.UTC(2018, 8, 30) / 1000,
};

const FIRST_NAMES = [
  "Alex", "Sam", "Jordan", "Maria", "Chen", "Priya", "Lena", "Omar", "Grace", "Noah", "Aisha", "Mateo",
  "Yuki", "Olga", "Ben", "Fatima", "Liam", "Sofia", "Ivan", "Zoe", "Kwame", "Nina", "Raj", "Emma",
];

export function generateStore(options: StoreOptions = {}): SampleStore {
  const opts: Required<StoreOptions> = { ...SAMPLE_DEFAULTS, ...stripUndefined(options) };
  if (!Number.isInteger(opts.items) || opts.items < 1) throw new RangeError(`items must be a positive integer, got ${opts.items}`);
  if (!Number.isInteger(opts.users) || opts.users < 1) throw new RangeError(`users must be a positive integer, got ${opts.users}`);
  if (!(opts.endTime > opts.startTime)) throw new RangeError("endTime must be after startTime");
  const rng = createRng(opts.seed);
  // Separate streams, so that changing the number of users leaves the catalogue unchanged.
  const catalogRng = rng.fork();
  const shopperRng = rng.fork();
  const nameRng = rng.fork();
  const catalog = generateCatalog(catalogRng, { items: opts.items, storeUrl: opts.storeUrl });
  const history = simulateShoppers(shopperRng, catalog, {
    users: opts.users,
    startTime: opts.startTime,
    endTime: opts.endTime,
    medianActivity: opts.medianActivity,
  });
  const userIds = Array.from({ length: opts.users }, (_, u) => sampleUserId(u));
  const userNames = userIds.map(
    () => `${FIRST_NAMES[nameRng.int(FIRST_NAMES.length)]} ${String.fromCharCode(65 + nameRng.int(26))}.`,
  );
  return {
    items: catalog.items,
    interactions: {
      userIds,
      itemIds: catalog.items.map((it) => it.id),
      users: history.users,
      items: history.items,
      ratings: history.ratings,
      times: history.times,
    },
    sessions: history.sessions,
    userNames,
    shelves: catalog.shelves,
    options: opts,
  };
}

/** Amazon-like reviewer ids ("A" + 13 base-36 chars), unique per index. */
export function sampleUserId(index: number): string {
  const scrambled = ((index + 1) * 2246822519) % 36 ** 9;
  return `A1${scrambled.toString(36).toUpperCase().padStart(9, "0")}S`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
