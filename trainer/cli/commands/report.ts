import { writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { REPORT_HTML_KEY, REPORT_JSON_KEY } from "../../../src/artifact/index.ts";
import { openStore } from "../../artifact/cli-store.ts";
import { InputError } from "../../data/types.ts";
import { readEvents } from "../../events/read.ts";
import { parseSince } from "../../events/since.ts";
import { openEventSource } from "../../events/source.ts";
import { computeOutcomes } from "../../outcomes/outcomes.ts";
import { outcomesHtml, outcomesText } from "../../outcomes/render.ts";

interface ReportCliOptions {
  events: string;
  since: string;
  json?: boolean;
  html?: string;
  publish?: "local" | "remote";
  persistTo?: string;
  api?: string;
}

/** `edgerec report --events …`: what recommendations earned, per placement and variant, with A/B tests. */
export function register(program: Command): void {
  program
    .command("report")
    .description("outcomes from stored events: impressions, CTR, add-to-cart and conversion rates, revenue per 1,000 impressions (95% intervals) per placement and variant, and A/B tests")
    .requiredOption("--events <where>", "local (wrangler dev's storage), remote (the worker's admin API), or a directory of events/dt=…/")
    .option("--since <when>", "only events from this far back (7d, 12h, or a date)", "7d")
    .option("--json", "print the numbers as one JSON object")
    .option("--html <file>", "write a self-contained HTML report with charts over time")
    .addOption(new Option("--publish <where>", "also store the report beside the artifacts (the worker's admin page /v1/admin/report shows it)").choices(["local", "remote"]))
    .option("--persist-to <dir>", "local storage directory for --events local / --publish local (as wrangler's --persist-to)")
    .option("--api <url>", "worker base URL for --events remote (token in EDGEREC_ADMIN_TOKEN)")
    .action(async (opts: ReportCliOptions) => {
      const source = await openEventSource(opts.events, { persistTo: opts.persistTo, api: opts.api });
      let outcomes;
      try {
        const read = await readEvents(source, { since: parseSince(opts.since) });
        if (read.malformed) process.stderr.write(`${read.malformed} malformed event lines skipped (first: ${read.problems[0]?.file}:${read.problems[0]?.line})\n`);
        outcomes = computeOutcomes(read.events);
      } finally {
        await source.dispose();
      }
      const generatedAt = new Date();
      const html = opts.html || opts.publish ? outcomesHtml(outcomes, generatedAt) : "";
      if (opts.html) writeFileSync(opts.html, html);
      if (opts.publish) {
        if (opts.publish === "remote" && opts.persistTo) throw new InputError("--persist-to applies to --publish local only");
        const { store, where, dispose } = await openStore({ local: opts.publish === "local", remote: opts.publish === "remote", persistTo: opts.persistTo, backend: "r2", via: "miniflare" });
        try {
          await store.put(REPORT_HTML_KEY, new TextEncoder().encode(html));
          await store.put(REPORT_JSON_KEY, new TextEncoder().encode(JSON.stringify({ generatedAt: generatedAt.toISOString(), ...outcomes })));
        } finally {
          await dispose();
        }
        process.stderr.write(`published the report to ${where} (${REPORT_HTML_KEY})\n`);
      }
      if (opts.json) process.stdout.write(JSON.stringify(outcomes) + "\n");
      else process.stdout.write(outcomesText(outcomes));
    });
}
