import type { Command } from "commander";
import { addDataOptions, printReadReports } from "../../data/cli-options.ts";
import { loadDataset } from "../../data/load.ts";
import { runPipeline } from "../../pipeline/run.ts";
import { addPipelineOptions, pipelineOptionsFromCli, type PipelineCliOptions } from "../pipeline-options.ts";
import { pipelineText } from "../pipeline-output.ts";

/** `edgerec evaluate`: the pipeline up to the test metrics (no refit, no artifact). */
export function register(program: Command): void {
  const cmd = program
    .command("evaluate")
    .description("choose a model on validation (--model auto, the default) or fit the named one on the train split, and report ranking metrics (LightFM semantics) or rating-classification ROC AUC on the test split");
  addDataOptions(cmd);
  addPipelineOptions(cmd, { artifact: false });
  cmd.action(async (opts: PipelineCliOptions) => {
    const show = !opts.json;
    const options = pipelineOptionsFromCli(opts, show);
    const dataset = await loadDataset(options.spec!, { progress: show });
    if (show) printReadReports(dataset.reports);
    const t0 = performance.now();
    const result = await runPipeline({ ...options, dataset, out: undefined });
    const summary = {
      model: result.config.model,
      params: (result.config as { params?: unknown }).params ?? {},
      split: result.prepared.splitKind,
      task: opts.task,
      seed: options.seed,
      counts: {
        users: dataset.interactions.userIds.length,
        items: dataset.interactions.itemIds.length,
        train: result.prepared.train.users.length,
        dev: result.prepared.dev?.users.length,
        test: result.prepared.test.users.length,
      },
      metrics: result.metrics,
      candidates: result.candidates,
      primary: result.primary,
      fitSeconds: result.fitSeconds,
      seconds: (performance.now() - t0) / 1000,
    };
    if (opts.json) process.stdout.write(JSON.stringify(summary) + "\n");
    else process.stdout.write(pipelineText(result));
  });
}
