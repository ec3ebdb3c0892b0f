import { Option, type Command } from "commander";
import { addDataOptions, printReadReports } from "../../data/cli-options.ts";
import { loadDataset } from "../../data/load.ts";
import { InputError } from "../../data/types.ts";
import { runPipeline } from "../../pipeline/run.ts";
import { validateConfig } from "../../tune/validate-config.ts";
import { addPipelineOptions, configFromOptions, pipelineOptionsFromCli, type PipelineCliOptions } from "../pipeline-options.ts";
import { pipelineText } from "../pipeline-output.ts";
import { countOrAll } from "../../util/option-parsers.ts";

/** `edgerec evaluate`: the pipeline up to the test metrics (no refit, no artifact). */
export function register(program: Command): void {
  const cmd = program
    .command("evaluate")
    .description("choose a model on validation (--model auto, the default) or fit the named one on the train split, and report ranking metrics (LightFM semantics) or rating-classification ROC AUC on the test split");
  addDataOptions(cmd);
  addPipelineOptions(cmd, { artifact: false });
  cmd
    .addOption(new Option("--on <part>", "test: the pipeline's held-out test split; dev: one configuration scored on tune's validation split (carved from train, same seed and user sample), the number tune's leaderboard shows").choices(["test", "dev"]).default("test"))
    .option("--validation-users <n|all>", "with --on dev: validation users sampled, as tune's option", "5000");
  cmd.action(async (opts: EvaluateCliOptions) => {
    if (opts.on === "dev") return printDevScore(opts);
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

interface EvaluateCliOptions extends PipelineCliOptions {
  on: "test" | "dev";
  validationUsers?: string;
}

/** `evaluate --on dev`: a configuration scored on tune's validation split. */
async function printDevScore(opts: EvaluateCliOptions): Promise<void> {
  const config = configFromOptions(opts);
  if (config === "auto") throw new InputError("--on dev scores one configuration: name it with --model/--param, or pass --config best.json from `edgerec tune`");
  const show = !opts.json;
  const options = pipelineOptionsFromCli(opts, show);
  const users = countOrAll("validation-users", String(opts.validationUsers));
  const dataset = await loadDataset(options.spec!, { progress: show });
  if (show) printReadReports(dataset.reports);
  const seed = options.seed ?? 0;
  const ks = [...new Set(options.ks ?? [10])];
  const result = await validateConfig(dataset, config, { split: options.split, fraction: options.fraction, task: options.task ?? "ranking", minRating: options.minRating, seed, ks, maxValidUsers: users });
  if (opts.json) {
    process.stdout.write(JSON.stringify({ on: "dev", seed, ...result }) + "\n");
    return;
  }
  const lines = [result.description, `on tune's validation split (seed ${seed}), fit ${result.fitSeconds.toFixed(2)} s; primary metric ${result.primary}`, "", ...Object.entries(result.metrics).map(([k, v]) => `${k.padEnd(12)} ${Number.isInteger(v) ? v : v.toFixed(4)}`)];
  process.stdout.write(lines.join("\n") + "\n");
}
