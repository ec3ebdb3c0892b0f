import type { Command } from "commander";
import { addStoreOptions, openStore, type StoreCliOptions } from "../../artifact/cli-store.ts";
import { DEFAULT_GC_GRACE_MS, gc } from "../../artifact/gc.ts";
import { number } from "../../util/option-parsers.ts";

export function register(program: Command): void {
  addStoreOptions(
    program
      .command("gc")
      .description("delete the objects of versions that are neither listed by `edgerec versions` nor current (what an interrupted publish left), once older than a grace period"),
  )
    .option("--grace <minutes>", `keep unlisted versions uploaded less than this long ago (a publish may still be running)`, number("grace", { min: 0, of: "minutes" }), DEFAULT_GC_GRACE_MS / 60_000)
    .option("--dry-run", "list what would be deleted, delete nothing")
    .option("--json", "print JSON")
    .action(async (opts: StoreCliOptions & { grace: number; dryRun?: boolean; json?: boolean }) => {
      const { store, where, dispose } = await openStore(opts);
      try {
        const result = await gc(store, { graceMs: opts.grace * 60_000, dryRun: opts.dryRun });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ where, dryRun: !!opts.dryRun, ...result })}\n`);
          return;
        }
        const verb = opts.dryRun ? "would delete" : "deleted";
        for (const r of result.removed) process.stdout.write(`${verb} ${r.version} (${r.keys.length} object(s))\n`);
        if (result.young.length) process.stdout.write(`kept (younger than ${opts.grace} min, a publish may be running): ${result.young.join(", ")}\n`);
        if (result.stray.length) process.stdout.write(`not in a version folder, left alone: ${result.stray.slice(0, 10).join(", ")}\n`);
        if (!result.removed.length) process.stdout.write(`nothing to collect in ${where}\n`);
      } finally {
        await dispose();
      }
    });
}
