import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { addStoreOptions, openStore, type StoreCliOptions } from "../../artifact/cli-store.ts";
import { loadOverlay, pushChanges } from "../../catalog/merch-store.ts";
import { readChanges } from "../../catalog/read-changes.ts";

/** How many bad rows are printed (all are counted). */
const LISTED = 20;

export function register(program: Command): void {
  const catalog = program.command("catalog").description("the live catalogue overlay in KV: stock, prices, display fields and new products without a retrain");
  addStoreOptions(
    catalog
      .command("push")
      .description("merge item changes from a CSV (header row) or JSON-lines file into the overlay; bad rows are reported with their line numbers and the rest is pushed")
      .argument("<file>", "columns/keys: id, op (put|patch|delete, default patch), inStock, hidden, price, title, brand, image, url, categories"),
  )
    .option("--dry-run", "check the file and report, write nothing")
    .option("--json", "print the result as JSON")
    .action(async (file: string, opts: StoreCliOptions & { dryRun?: boolean; json?: boolean }) => {
      const read = await readChanges(file);
      const rejected = read.problems.length;
      let version: number | undefined;
      let where: string | undefined;
      if (!opts.dryRun && read.writes.length > 0) {
        const opened = await openStore({ ...opts, backend: "kv" });
        try {
          version = (await pushChanges(opened.store, read.writes)).version;
          where = opened.where;
        } finally {
          await opened.dispose();
        }
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ rows: read.rows, accepted: read.writes.length, rejected, problems: read.problems, overlayVersion: version, where })}\n`);
      } else {
        process.stdout.write(`${file}: ${read.rows} rows, ${read.writes.length} accepted, ${rejected} rejected\n`);
        for (const p of read.problems.slice(0, LISTED)) process.stdout.write(`  line ${p.line}: ${p.reason}\n`);
        if (rejected > LISTED) process.stdout.write(`  … and ${rejected - LISTED} more (--json lists all)\n`);
        if (version !== undefined) process.stdout.write(`overlay version ${version} written to ${where}; isolates apply it within a minute\n`);
        else if (opts.dryRun) process.stdout.write("dry run: nothing written\n");
      }
      if (rejected > 0) process.exitCode = 2;
    });
  addStoreOptions(catalog.command("pull").description("write the overlay document to a file (for `edgerec train --overlay`)"))
    .requiredOption("--out <file>", "where to write overlay.json")
    .action(async (opts: StoreCliOptions & { out: string }) => {
      const { store, where, dispose } = await openStore({ ...opts, backend: "kv" });
      try {
        const doc = await loadOverlay(store);
        writeFileSync(opts.out, JSON.stringify(doc));
        process.stdout.write(`overlay version ${doc.version} (${Object.keys(doc.items).length} items) from ${where} -> ${opts.out}\n`);
      } finally {
        await dispose();
      }
    });
}
