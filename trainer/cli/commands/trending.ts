import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { TRENDING_KEY } from "../../../src/artifact/index.ts";
import { addStoreOptions, openStore, type StoreCliOptions } from "../../artifact/cli-store.ts";
import { readEvents } from "../../lists/events.ts";
import { DEFAULT_TRENDING, trending } from "../../lists/trending.ts";
import { optionalNumber } from "../../util/option-parsers.ts";


export function register(program: Command): void {
  addStoreOptions(
    program
      .command("trending")
      .description("recompute the trending list from recent events (velocity over the last 24 h against the last 7 days) and publish it to KV, without a retrain"),
  )
    .requiredOption("--events <dir>", "events as the pipeline writes them: <dir>/events/dt=YYYY-MM-DD/hr=HH/*.ndjson.gz")
    .option("--now <time>", "end of the window (ISO time; default now)")
    .option("--recent-hours <h>", "recent window", String(DEFAULT_TRENDING.recentHours))
    .option("--baseline-days <d>", "baseline window", String(DEFAULT_TRENDING.baselineDays))
    .option("--min-recent <n>", "least weighted recent events an item needs", String(DEFAULT_TRENDING.minRecent))
    .option("--top <n>", "items to keep", String(DEFAULT_TRENDING.top))
    .option("--out <file>", "write the list to a file instead of publishing it")
    .option("--json", "print a JSON summary")
    .action(
      async (
        opts: StoreCliOptions & { events: string; now?: string; recentHours: string; baselineDays: string; minRecent: string; top: string; out?: string; json?: boolean },
      ) => {
        const now = opts.now ? Date.parse(opts.now) : Date.now();
        if (!Number.isFinite(now)) throw new Error(`--now ${JSON.stringify(opts.now)} is not an ISO time`);
        const params = {
          recentHours: optionalNumber("recent-hours", opts.recentHours, { min: 1, max: 24 * 30 })!,
          baselineDays: optionalNumber("baseline-days", opts.baselineDays, { min: 1, max: 365 })!,
          minRecent: optionalNumber("min-recent", opts.minRecent, { min: 0, max: 1e9 })!,
          top: optionalNumber("top", opts.top, { min: 1, max: 100_000 })!,
        };
        if (params.recentHours > params.baselineDays * 24) throw new Error("--recent-hours must not exceed the baseline window");
        const read = readEvents(opts.events, now - params.baselineDays * 86_400_000, now);
        const doc = trending(read.events, now, params);
        const text = JSON.stringify(doc);
        let where = opts.out;
        if (opts.out) writeFileSync(opts.out, text);
        else {
          const opened = await openStore({ ...opts, backend: "kv" });
          try {
            await opened.store.put(TRENDING_KEY, new TextEncoder().encode(text));
            where = `${opened.where} (${TRENDING_KEY})`;
          } finally {
            await opened.dispose();
          }
        }
        const summary = { files: read.files, lines: read.lines, used: doc.events, rejected: read.rejected, problems: read.problems, items: doc.items.length, top: doc.items.slice(0, 5), where };
        if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else {
          process.stdout.write(`${read.files} event files, ${read.lines} lines, ${doc.events} events in the window, ${read.rejected} rejected\n`);
          for (const p of read.problems) process.stdout.write(`  ${p.file}:${p.line}: ${p.reason}\n`);
          process.stdout.write(`${doc.items.length} trending items -> ${where}\n`);
          for (const t of doc.items.slice(0, 5)) process.stdout.write(`  ${t.id}  score ${t.score}  (24 h: ${t.recent}, 7 d: ${t.baseline})\n`);
        }
        if (read.rejected > 0) process.exitCode = 2;
      },
    );
}
