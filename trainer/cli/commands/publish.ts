import type { Command } from "commander";
import { addStoreOptions, openStore, type StoreCliOptions } from "../../artifact/cli-store.ts";
import { planPublish, publish } from "../../artifact/publish.ts";
import { positiveInt } from "../../util/option-parsers.ts";

export function register(program: Command): void {
  addStoreOptions(
    program
      .command("publish")
      .description("upload an artifact (or a sharded build's manifest.bin and shards), then flip the `current` pointer to it")
      .argument("<artifact>", "artifact.bin, or manifest.bin of a sharded build (its shard-<n>.bin files beside it)"),
  )
    .option("--keep <n>", "keep the newest n versions, deleting older ones (and what interrupted publishes left, as `edgerec gc`) after the flip", positiveInt("keep"))
    .option("--json", "print the result as JSON")
    .action(async (file: string, opts: StoreCliOptions & { keep?: number; json?: boolean }) => {
      const plan = await planPublish(file, { kv: opts.backend !== "r2" });
      const { store, where, dispose } = await openStore(opts);
      try {
        const result = await publish(store, plan, {
          keep: opts.keep,
          onObject: (key) => !opts.json && process.stderr.write(`  uploaded ${key}\n`),
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ...result, where })}\n`);
        } else {
          process.stdout.write(`published ${result.pointer.version} to ${where} (${plan.objects.length} object(s), ${result.pointer.bytes} bytes)\n`);
          if (result.repaired) process.stdout.write(`repaired: ${result.repaired}\n`);
          process.stdout.write(`current: ${result.previous ?? (result.repaired ? "(unreadable)" : "(none)")} -> ${result.pointer.version}\n`);
          if (result.deleted.length) process.stdout.write(`deleted old versions: ${result.deleted.join(", ")}\n`);
          if (result.collected.length) process.stdout.write(`deleted objects of interrupted publishes: ${result.collected.join(", ")}\n`);
        }
      } finally {
        await dispose();
      }
    });
}
