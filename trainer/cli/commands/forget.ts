import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { parseDeployEnv, requireGeneratedConfig } from "../../wrangler/generated-config.ts";
import { openLocalKv } from "../../privacy/kv-access.ts";
import { purgeEventPartitions, purgeFile } from "../../privacy/purge.ts";
import { adminToken, purgeRemoteEvents, workerUrlFor } from "../../privacy/remote-purge.ts";
import { readTombstones, type TombstoneSource, writeTombstones } from "../../privacy/tombstones.ts";

interface ForgetOptions {
  local?: boolean;
  remote?: boolean;
  persistTo?: string;
  env: string;
  purge?: boolean;
  data?: string[];
  export?: string;
  list?: boolean;
  api?: string;
}

export function register(program: Command): void {
  program
    .command("forget")
    .description("forget shoppers: write KV tombstones the worker honours within 60 s (served as unknown); training then drops them")
    .argument("[ids...]", "shopper ids to forget (none: only --list, --export or --purge)")
    .option("--local", "wrangler's local storage (what `npm start` / `wrangler dev --local` read)")
    .option("--remote", "the deployed worker's KV namespace (set up by `edgerec deploy`)")
    .option("--persist-to <dir>", "local storage directory (as wrangler's --persist-to)")
    .option("--env <name>", "with --remote: staging or production", "production")
    .option("--list", "print every forgotten shopper id")
    .option("--export <file>", "write every forgotten shopper id to a file, one per line (for training elsewhere)")
    .option("--purge", "rewrite stored data without the forgotten shoppers: --data files and R2 event partitions (events/…; with --remote through the deployed worker)")
    .option("--data <files...>", "with --purge: interaction files to rewrite in place (JSON lines or CSV/TSV with a header)")
    .option("--api <url>", "with --purge --remote: the worker's base URL (default EDGEREC_API, else the URL `edgerec deploy` recorded; token in EDGEREC_ADMIN_TOKEN)")
    .action(async (ids: string[], opts: ForgetOptions) => {
      if (opts.local === opts.remote) throw new Error("say where: --local (wrangler's local storage) or --remote (the deployed worker's KV)");
      if (ids.length === 0 && !opts.list && !opts.export && !opts.purge) throw new Error("name at least one shopper id, or use --list, --export or --purge");
      if (opts.data && !opts.purge) throw new Error("--data goes with --purge");
      if (opts.api && !(opts.remote && opts.purge)) throw new Error("--api goes with --purge --remote");
      const deployEnv = parseDeployEnv(opts.env);
      // Purging remote event partitions alone goes through the worker, which reads the tombstones itself.
      const needsTombstones = ids.length > 0 || opts.list || opts.export || (opts.purge && (!opts.remote || (opts.data?.length ?? 0) > 0));
      const source: Exclude<TombstoneSource, { kind: "file" }> | undefined = !needsTombstones
        ? undefined
        : opts.remote
          ? { kind: "remote", config: requireGeneratedConfig(deployEnv).config }
          : { kind: "local", persistTo: opts.persistTo };
      const where = opts.remote ? `remote KV (${opts.env})` : `local KV in ${resolve(opts.persistTo ?? ".wrangler/state")}`;
      if (ids.length > 0) {
        await writeTombstones(ids, source!);
        process.stdout.write(`forgot ${ids.length} shopper(s) in ${where}: the worker serves them as unknown within 60 s; the next training run drops them\n`);
      }
      const all = source && (opts.list || opts.export || opts.purge) ? await readTombstones(source) : new Set<string>();
      if (opts.list) for (const id of [...all].sort()) process.stdout.write(`${id}\n`);
      if (opts.export) {
        writeFileSync(opts.export, [...all].sort().join("\n") + (all.size ? "\n" : ""));
        process.stderr.write(`wrote ${all.size} forgotten shopper id(s) to ${opts.export}\n`);
      }
      if (opts.purge) await purge(all, opts);
    });
}

/** Event objects per worker request: well inside the Workers CPU limit. */
const REMOTE_PURGE_PAGE = 25;

async function purge(forgotten: Set<string>, opts: ForgetOptions): Promise<void> {
  for (const file of opts.data ?? []) {
    const c = purgeFile(file, forgotten);
    process.stdout.write(`purged ${file}: dropped ${c.dropped} line(s), kept ${c.kept}${c.unparsed ? `, ${c.unparsed} unparsable line(s) kept as they were` : ""}\n`);
  }
  if (opts.remote) {
    const base = workerUrlFor(opts.api, parseDeployEnv(opts.env));
    const token = adminToken();
    const totals = await purgeRemoteEvents(base, token, REMOTE_PURGE_PAGE, (t) => {
      process.stderr.write(`purging event partitions through ${base}: page ${t.pages}, ${t.scanned} object(s) read, ${t.dropped} event(s) dropped\n`);
    });
    if (forgotten.size > totals.forgotten) {
      process.stderr.write(`the worker read ${totals.forgotten} tombstone(s) but ${forgotten.size} exist: KV listings lag up to 60 s after a write; run this again in a minute (it is idempotent)\n`);
    }
    process.stdout.write(
      `purged remote event partitions: ${totals.scanned} object(s) read, ${totals.rewritten} rewritten, ${totals.deleted} deleted (only forgotten shoppers' events), ` +
        `${totals.dropped} event(s) dropped${totals.unparsed ? `, ${totals.unparsed} unparsable line(s) kept as they were` : ""} (${totals.forgotten} forgotten shopper(s))\n`,
    );
    return;
  }
  const storage = await openLocalKv(opts.persistTo);
  try {
    const counts = await purgeEventPartitions(storage.bucket, forgotten);
    const dropped = counts.reduce((s, c) => s + c.dropped, 0);
    process.stdout.write(`purged event partitions: ${counts.length} object(s) read, ${counts.filter((c) => c.dropped > 0).length} rewritten, ${dropped} event(s) dropped\n`);
  } finally {
    await storage.dispose();
  }
}
