import { Command, InvalidArgumentError } from "commander";
import { resolve } from "node:path";
import { readArtifactHeader } from "../../ops/artifact-header.ts";
import { checkCatalog, checkDataQuality, checkGate, DEFAULT_GATE_TOLERANCE, toleranceFromEnv } from "../../ops/gate.ts";
import { readPublishedHeader, readPublishedMetrics, type PublishedSource } from "../../ops/published.ts";
import { thresholdsFromOptions } from "../../pipeline/quality.ts";
import { addStoreOptions, type StoreCliOptions } from "../../artifact/cli-store.ts";
import { number } from "../../util/option-parsers.ts";

interface GateCliOptions extends StoreCliOptions {
  publishedArtifact?: string;
  pointer?: string;
  tolerance?: number;
  absolute?: boolean;
  metric?: string;
  json?: boolean;
  allowNewCatalog?: boolean;
  maxMissing?: string[];
}

/** `edgerec gate <artifact>`: exit 1 when the new artifact is worse than the published one. */
export function register(program: Command): void {
  addStoreOptions(
    program
      .command("gate")
      .description(
        "quality gate: fail (exit 1) when the artifact's headline metric falls more than a tolerance below the published version's " +
          "(read from --local storage by default, or --remote)",
      )
      .argument("<artifact>", "the newly built artifact (edgerec train --out)"),
  )
    .option("--published-artifact <file>", "compare with this artifact file instead of the published version")
    .option("--pointer <file>", "compare with a saved copy of the `current` pointer JSON")
    .option(
      "--tolerance <fraction>",
      `allowed drop as a fraction of the published value (default EDGEREC_GATE_TOLERANCE or ${DEFAULT_GATE_TOLERANCE})`,
      number("tolerance", { min: 0 }),
    )
    .option("--absolute", "read --tolerance as an absolute difference of the metric instead")
    .option("--metric <name>", "metric to compare (default: the artifact's headline metric)")
    .option("--allow-new-catalog", "compare even when under half of the item ids are shared with the published version (a deliberate change of catalogue)")
    .option("--max-missing <field=share...>", "data-quality thresholds: fail when more than this share of catalogue items lack the field (title, image, url, price, category); default title=0.2, others 0.5")
    .option("--json", "print the result as JSON")
    .action(async (artifact: string, opts: GateCliOptions) => {
      const chosen = [opts.local, opts.remote, opts.publishedArtifact, opts.pointer].filter(Boolean).length;
      if (chosen > 1) throw new InvalidArgumentError("choose one of --local, --remote, --published-artifact, --pointer");
      const source: PublishedSource = opts.publishedArtifact
        ? { kind: "artifact", path: resolve(opts.publishedArtifact) }
        : opts.pointer
          ? { kind: "pointer", path: resolve(opts.pointer) }
          : { kind: "store", options: { ...opts, local: !opts.remote } };
      const header = await readArtifactHeader(resolve(artifact));
      const published = await readPublishedMetrics(source);
      const metricGate = checkGate(header, published, {
        tolerance: opts.tolerance ?? toleranceFromEnv() ?? DEFAULT_GATE_TOLERANCE,
        absolute: opts.absolute,
        metric: opts.metric,
      });
      const catalog = checkCatalog(header, published ? await readPublishedHeader(source) : null, {
        allowNewCatalog: opts.allowNewCatalog || /^(1|true|yes)$/i.test(process.env.EDGEREC_GATE_ALLOW_NEW_CATALOG ?? ""),
      });
      const quality = checkDataQuality(header, thresholdsFromOptions(opts.maxMissing));
      const qualityMessages = quality.map((q) => `data-quality gate FAILED: ${q}`);
      const passed = metricGate.passed && catalog.passed && quality.length === 0;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...metricGate, passed, metricPassed: metricGate.passed, catalog, dataQuality: { passed: quality.length === 0, violations: quality } }) + "\n");
      } else {
        (metricGate.passed ? process.stdout : process.stderr).write(`${metricGate.message}\n`);
        (catalog.passed ? process.stdout : process.stderr).write(`${catalog.message}\n`);
        for (const m of qualityMessages) process.stderr.write(`${m}\n`);
      }
      if (!passed) process.exitCode = 1;
    });
}
