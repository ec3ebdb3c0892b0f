import { Command, InvalidArgumentError } from "commander";
import { resolve } from "node:path";
import { readArtifactHeader } from "../../ops/artifact-header.ts";
import { checkGate, DEFAULT_GATE_TOLERANCE, toleranceFromEnv } from "../../ops/gate.ts";
import { readPublishedMetrics, type PublishedSource } from "../../ops/published.ts";
import { addStoreOptions, type StoreCliOptions } from "../../artifact/cli-store.ts";

interface GateCliOptions extends StoreCliOptions {
  publishedArtifact?: string;
  pointer?: string;
  tolerance?: number;
  absolute?: boolean;
  metric?: string;
  json?: boolean;
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
      (v) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`tolerance must be a non-negative number such as 0.02, got ${JSON.stringify(v)}`);
        return n;
      },
    )
    .option("--absolute", "read --tolerance as an absolute difference of the metric instead")
    .option("--metric <name>", "metric to compare (default: the artifact's headline metric)")
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
      const result = checkGate(header, published, {
        tolerance: opts.tolerance ?? toleranceFromEnv() ?? DEFAULT_GATE_TOLERANCE,
        absolute: opts.absolute,
        metric: opts.metric,
      });
      if (opts.json) process.stdout.write(JSON.stringify(result) + "\n");
      else (result.passed ? process.stdout : process.stderr).write(`${result.message}\n`);
      if (!result.passed) process.exitCode = 1;
    });
}
