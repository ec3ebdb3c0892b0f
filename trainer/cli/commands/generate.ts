import { Command } from "commander";
import { resolve } from "node:path";
import { writeAmazonFiles } from "../../sample/amazon-files.ts";
import { generateStore } from "../../sample/store.ts";
import { integer, positiveInt } from "../../util/option-parsers.ts";


/** `edgerec generate`: the sample storefront as Amazon 2018 files (see trainer/sample/store.ts). */
export function register(program: Command): void {
  program
    .command("generate")
    .description("write the synthetic sample store (products, shoppers, ratings) as Amazon 2018 review + metadata JSON lines")
    .requiredOption("--out <dir>", "output directory")
    .option("--seed <n>", "random seed (same seed, same files)", integer("seed"), 1)
    .option("--items <n>", "number of products", positiveInt("items"), 3000)
    .option("--users <n>", "number of shoppers", positiveInt("users"), 2000)
    .option("--store-url <url>", "base URL of product pages", "https://shop.example.com")
    .option("--no-gzip", "write plain .json instead of .json.gz")
    .option("--json", "print a machine-readable summary")
    .action((opts: { out: string; seed: number; items: number; users: number; storeUrl: string; gzip: boolean; json?: boolean }) => {
      const store = generateStore({ seed: opts.seed, items: opts.items, users: opts.users, storeUrl: opts.storeUrl });
      const written = writeAmazonFiles(store, resolve(opts.out), { gzip: opts.gzip });
      const summary = {
        reviews: written.reviews,
        meta: written.meta,
        manifest: written.manifest,
        items: written.itemCount,
        users: store.interactions.userIds.length,
        ratings: written.reviewCount,
        seed: opts.seed,
      };
      if (opts.json) {
        process.stdout.write(JSON.stringify(summary) + "\n");
        return;
      }
      process.stdout.write(
        `sample store (seed ${opts.seed}): ${summary.items} products, ${summary.users} shoppers, ${summary.ratings} ratings\n` +
          `  reviews  ${summary.reviews}\n  metadata ${summary.meta}\n` +
          `train on it: npx edgerec train --interactions ${summary.reviews} --items ${summary.meta}\n`,
      );
    });
}
