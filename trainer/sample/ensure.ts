import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SAMPLE_MANIFEST_FILE, writeAmazonFiles, type WrittenSample } from "./amazon-files.ts";
import { generateStore, SAMPLE_DEFAULTS, type StoreOptions } from "./store.ts";

/**
 * The sample's files in `dir`, generated only when missing or made with other options,
 * so `npm start` run twice reuses the first run's data (idempotent, and fast).
 */
export function ensureSample(dir: string, options: StoreOptions & { gzip?: boolean } = {}): WrittenSample & { reused: boolean } {
  const gzip = options.gzip ?? true;
  const wanted = { ...SAMPLE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([k, v]) => v !== undefined && k !== "gzip")) };
  const manifestPath = join(dir, SAMPLE_MANIFEST_FILE);
  if (existsSync(manifestPath)) {
    try {
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
        options: Record<string, unknown>;
        reviews: string;
        meta: string;
        counts: { reviews: number; items: number };
      };
      const same = Object.entries(wanted).every(([k, v]) => manifest.options[k] === v) && manifest.options.gzip === gzip;
      const reviews = join(dir, manifest.reviews);
      const meta = join(dir, manifest.meta);
      if (same && existsSync(reviews) && existsSync(meta)) {
        return { dir, reviews, meta, manifest: manifestPath, reviewCount: manifest.counts.reviews, itemCount: manifest.counts.items, reused: true };
      }
    } catch {
      // An unreadable manifest means a half-written sample: regenerate it below.
    }
  }
  return { ...writeAmazonFiles(generateStore(wanted), dir, { gzip }), reused: false };
}
