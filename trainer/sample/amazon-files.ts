import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createRng } from "../util/rng.ts";
import { pickOne } from "./random.ts";
import type { SampleStore } from "./store.ts";

/** File names follow Amazon 2018's own (`<Category>_5.json.gz`, `meta_<Category>.json.gz`). */
export const SAMPLE_REVIEWS_FILE = "Sample_Store_5.json";
export const SAMPLE_META_FILE = "meta_Sample_Store.json";
export const SAMPLE_MANIFEST_FILE = "sample.json";

export interface WrittenSample {
  dir: string;
  reviews: string;
  meta: string;
  manifest: string;
  reviewCount: number;
  itemCount: number;
}

const SUMMARIES: Record<number, string[]> = {
  1: ["One Star", "Disappointed", "Would not buy again"],
  2: ["Two Stars", "Not great", "Meh"],
  3: ["Three Stars", "It's okay", "Does the job"],
  4: ["Four Stars", "Good value", "Pretty good"],
  5: ["Five Stars", "Love it", "Excellent"],
};
const TEXTS: Record<number, string[]> = {
  1: ["This {noun} broke my heart. Returning it.", "Not what I expected from {brand}."],
  2: ["The {noun} is below average for the price.", "Expected more from {brand}."],
  3: ["An average {noun}. Nothing special.", "Fine for the price, but {brand} has better."],
  4: ["Solid {noun}, I would buy it again.", "{brand} does a good job here."],
  5: ["Best {noun} I have had. Highly recommend!", "{brand} never disappoints. Great {noun}."],
};

/**
 * Writes the store as Amazon 2018 files: reviews (one JSON object per line with
 * overall, verified, reviewTime, reviewerID, asin, reviewerName, reviewText, summary,
 * unixReviewTime) and metadata (asin, title, brand, category, price "$12.99",
 * description[], image[], also_view[], also_buy[], main_cat, plus a non-Amazon `url`).
 * gzip (the default) matches the published `.json.gz` files; output is deterministic.
 */
export function writeAmazonFiles(store: SampleStore, dir: string, options: { gzip?: boolean } = {}): WrittenSample {
  const gzip = options.gzip ?? true;
  mkdirSync(dir, { recursive: true });
  const textRng = createRng(store.options.seed ^ 0x5eed);
  const { interactions, items, userNames } = store;
  const reviewLines: string[] = [];
  for (let k = 0; k < interactions.users.length; k++) {
    const u = interactions.users[k];
    const item = items[interactions.items[k]];
    const stars = interactions.ratings[k];
    const time = interactions.times[k];
    const noun = (item.categories?.[2] ?? "product").toLowerCase();
    reviewLines.push(
      JSON.stringify({
        overall: stars,
        verified: true,
        reviewTime: amazonDate(time),
        reviewerID: interactions.userIds[u],
        asin: item.id,
        reviewerName: userNames[u],
        reviewText: pickOne(textRng, TEXTS[stars]).replace("{noun}", noun).replace("{brand}", item.brand ?? "this brand"),
        summary: pickOne(textRng, SUMMARIES[stars]),
        unixReviewTime: time,
      }),
    );
  }
  const metaLines = items.map((item) =>
    JSON.stringify({
      asin: item.id,
      title: item.title,
      brand: item.brand,
      category: item.categories,
      main_cat: item.categories?.[0],
      price: item.price === undefined ? "" : `$${item.price.toFixed(2)}`,
      description: item.description ? [item.description] : [],
      image: item.imageUrl ? [item.imageUrl] : [],
      also_buy: item.alsoBuy ?? [],
      also_view: item.alsoView ?? [],
      url: item.url,
    }),
  );
  const suffix = gzip ? ".gz" : "";
  const reviews = join(dir, SAMPLE_REVIEWS_FILE + suffix);
  const meta = join(dir, SAMPLE_META_FILE + suffix);
  const encode = (lines: string[]) => {
    const text = Buffer.from(lines.join("\n") + "\n");
    return gzip ? gzipSync(text, { level: 6 }) : text;
  };
  writeFileSync(reviews, encode(reviewLines));
  writeFileSync(meta, encode(metaLines));
  const manifest = join(dir, SAMPLE_MANIFEST_FILE);
  writeFileSync(
    manifest,
    JSON.stringify(
      {
        generator: "edgerec sample storefront",
        options: { ...store.options, gzip },
        reviews: SAMPLE_REVIEWS_FILE + suffix,
        meta: SAMPLE_META_FILE + suffix,
        counts: { reviews: reviewLines.length, items: items.length, users: interactions.userIds.length },
      },
      null,
      2,
    ) + "\n",
  );
  return { dir, reviews, meta, manifest, reviewCount: reviewLines.length, itemCount: items.length };
}

/** Amazon's `reviewTime` format: "06 17, 2018" (UTC). */
function amazonDate(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const mm = String(d.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(d.getUTCDate()).padStart(2, "0");
  return `${mm} ${dd}, ${d.getUTCFullYear()}`;
}
