import type { Command } from "commander";
import { addDataOptions, printReadReports } from "../../data/cli-options.ts";
import { loadDataset } from "../../data/load.ts";
import { runPipeline } from "../../pipeline/run.ts";
import { addPipelineOptions, pipelineOptionsFromCli, type PipelineCliOptions } from "../pipeline-options.ts";
import { pipelineJson, pipelineText } from "../pipeline-output.ts";
import { addEventTrainOptions, loadTrainingData, type EventTrainCliOptions } from "../../events/train-options.ts";

export function register(program: Command): void {
  const cmd = program
    .command("train")
    .description(
      "choose a model on validation (--model auto, the default), evaluate it on the held-out split, refit it on every interaction and build the serving artifact (--out) and HTML report (--report)",
    );
  addDataOptions(cmd);
  addPipelineOptions(cmd);
  cmd.option("--out <file>", "build the serving artifact into this file (sharded builds: <name>-shards/ with manifest.bin beside it)");
  addEventTrainOptions(cmd);
  cmd.action(async (opts: PipelineCliOptions & EventTrainCliOptions) => {
    const show = !opts.json;
    const options = pipelineOptionsFromCli(opts, show, Boolean(opts.events));
    const dataset = await loadTrainingData(opts, show, () => loadDataset(options.spec!, { progress: show }));
    if (show) printReadReports(dataset.reports);
    const result = await runPipeline({ ...options, dataset });
    if (opts.json) process.stdout.write(JSON.stringify(pipelineJson(result, { report: opts.report })) + "\n");
    else process.stdout.write(pipelineText(result, opts.report));
  });
}
