import type { Command } from "commander";
import { addStoreOptions, openStore, type StoreCliOptions } from "../../artifact/cli-store.ts";
import { rollback } from "../../artifact/publish.ts";

export function register(program: Command): void {
  addStoreOptions(
    program
      .command("rollback")
      .description("point `current` at an earlier published version (default: the one before the current)")
      .argument("[version]", "a version id listed by `edgerec versions`"),
  )
    .option("--json", "print JSON")
    .action(async (version: string | undefined, opts: StoreCliOptions & { json?: boolean }) => {
      const { store, where, dispose } = await openStore(opts);
      try {
        const result = await rollback(store, version);
        if (opts.json) process.stdout.write(`${JSON.stringify({ where, from: result.from, to: result.to.version, ...(result.repaired ? { repaired: result.repaired } : {}) })}\n`);
        else {
          if (result.repaired) process.stdout.write(`repaired: ${result.repaired}\n`);
          process.stdout.write(`current in ${where}: ${result.from ?? (result.repaired ? "(unreadable)" : "(none)")} -> ${result.to.version}\n`);
        }
      } finally {
        await dispose();
      }
    });
}
