import type { Command } from "commander";
import type { StoredEvent } from "../../../src/artifact/index.ts";
import { addEventSourceOptions, eventWhere, openFromCli, type EventSourceCliOptions } from "../../events/cli-source.ts";
import { listEventObjects, readEvents } from "../../events/read.ts";
import { parseSince } from "../../events/since.ts";

interface EventsCliOptions extends EventSourceCliOptions {
  since?: string;
  json?: boolean;
}

/** `edgerec events ls|cat|count`: what the queue consumer has written to R2. */
export function register(program: Command): void {
  const events = program.command("events").description("look at the shopper events stored in R2 (POST /v1/events → queue → events/dt=…/hr=…/)");
  const sub = (name: string, description: string, run: (opts: EventsCliOptions) => Promise<void>) =>
    addEventSourceOptions(events.command(name).description(description))
      .option("--since <when>", "only events from this far back: 90d, 12h, 30m, or a date")
      .option("--json", "machine-readable output")
      .action(run);

  sub("ls", "list the stored batch objects (key, bytes)", async (opts) => {
    const source = await openFromCli(eventWhere(opts), opts);
    try {
      const objects = await listEventObjects(source, parseSince(opts.since));
      if (opts.json) process.stdout.write(JSON.stringify(objects) + "\n");
      else {
        for (const o of objects) process.stdout.write(`${o.key}\t${o.size}\n`);
        process.stderr.write(`${objects.length} objects in ${source.where}\n`);
      }
    } finally {
      await source.dispose();
    }
  });

  sub("cat", "print the stored events as NDJSON (oldest first, each id once)", async (opts) => {
    const source = await openFromCli(eventWhere(opts), opts);
    try {
      const read = await readEvents(source, { since: parseSince(opts.since) });
      for (const e of read.events) process.stdout.write(JSON.stringify(e) + "\n");
      reportProblems(read);
    } finally {
      await source.dispose();
    }
  });

  sub("count", "count the stored events by type", async (opts) => {
    const source = await openFromCli(eventWhere(opts), opts);
    try {
      const read = await readEvents(source, { since: parseSince(opts.since) });
      const byType: Record<string, number> = {};
      for (const e of read.events as StoredEvent[]) byType[e.type] = (byType[e.type] ?? 0) + 1;
      const summary = { events: read.events.length, objects: read.objects, duplicates: read.duplicates, malformed: read.malformed, byType };
      if (opts.json) process.stdout.write(JSON.stringify(summary) + "\n");
      else {
        process.stdout.write(`${summary.events} events in ${summary.objects} objects (${source.where})\n`);
        for (const [type, n] of Object.entries(byType).sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${type.padEnd(17)} ${n}\n`);
        if (read.duplicates) process.stdout.write(`  ${read.duplicates} redelivered duplicates ignored\n`);
      }
      reportProblems(read);
    } finally {
      await source.dispose();
    }
  });
}

function reportProblems(read: { malformed: number; problems: { file: string; line: number; reason: string }[] }): void {
  if (read.malformed === 0) return;
  process.stderr.write(`${read.malformed} malformed lines skipped, e.g.:\n`);
  for (const p of read.problems.slice(0, 5)) process.stderr.write(`  ${p.file}:${p.line}: ${p.reason}\n`);
}
