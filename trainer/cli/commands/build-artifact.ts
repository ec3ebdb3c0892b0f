import type { Command } from "commander";
import { addDataOptions, printReadReports } from "../../data/cli-options.ts";
import { loadDataset } from "../../data/load.ts";
import { runPipeline } from "../../pipeline/run.ts";
import { addPipelineOptions, pipelineOptionsFromCli, type PipelineCliOptions } from "../pipeline-options.ts";
import { pipelineJson, pipelineText } from "../pipeline-output.ts";

/** `edgerec build-artifact`: the training pipeline with --out required (the same defaults as train). */
export function register(program: Command): void {
  const cmd = program
    .command("build-artifact")
    .description("the training pipeline (choose on validation, evaluate, refit on every interaction) writing the artifact the edge worker serves; same as `edgerec train --out`");
  addDataOptions(cmd);
  addPipelineOptions(cmd);
  cmd.requiredOption("--out <file>", "where to write artifact.bin (sharded builds: <name>-shards/ with manifest.bin + shard-<n>.bin beside it)");
  cmd.action(async (opts: PipelineCliOptions) => {
    const show = !opts.json;
    const options = pipelineOptionsFromCli(opts, show);
    const dataset = await loadDataset(options.spec!, { progress: show });
    if (show) printReadReports(dataset.reports);
    const t0 = performance.now();
    const result = await runPipeline({ ...options, dataset });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(pipelineJson(result, { out: result.artifact!.path, seconds: Number(((performance.now() - t0) / 1000).toFixed(2)) }))}\n`);
      return;
    }
    process.stdout.write(pipelineText(result, opts.report));
  });
}
