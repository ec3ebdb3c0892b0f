import { createWriteStream } from "node:fs";
import type { Command } from "commander";
import { addDataOptions, dataSpecFromOptions, printReadReports, type DataCliOptions } from "../../data/cli-options.ts";
import { loadDataset } from "../../data/load.ts";
import { InputError } from "../../data/types.ts";
import { scorePairs } from "../../eval/pair-auc.ts";
import { runPipeline } from "../../pipeline/run.ts";
import { addModelOptions, type ModelCliOptions } from "../model-options.ts";
import { configFromOptions, type PipelineCliOptions } from "../pipeline-options.ts";

interface PredictOptions extends DataCliOptions, ModelCliOptions {
  out: string;
  minRating: string;
  seed: string;
  json?: boolean;
}

/**
 * Turns scores into the submission's `rating` column. Models trained with the logistic loss
 * give logits, which become probabilities; other scores are only ordered within a user, so
 * they are mapped to (0, 1) by their rank among all predicted rows (ROC AUC only uses the order).
 */
export function submissionValues(scores: Float32Array, logits: boolean): Float64Array {
  const n = scores.length;
  const out = new Float64Array(n);
  if (logits) {
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-scores[i]));
    return out;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const value = (start + end) / 2 / n; // mid-rank, so ties stay ties
    for (let t = start; t < end; t++) out[order[t]] = value;
    start = end;
  }
  return out;
}

export function register(program: Command): void {
  const cmd = program
    .command("predict")
    .description("train on a competition train.csv and write the submission `Id,rating` for its test.csv (the probability that rating >= --min-rating)");
  addDataOptions(cmd);
  // auto by default (EASE is skipped above AUTO_DEFAULTS.easeMaxItems, e.g. on the competition's 41k items);
  // `--model hybrid --param loss=logistic` learns the rating labels directly.
  addModelOptions(cmd, "auto");
  cmd
    .requiredOption("--out <file>", "submission CSV to write (Id,rating)")
    .option("--min-rating <r>", "a training row is positive when its rating (overall stars) is >= r", "4")
    .option("--seed <n>", "model seed", "0")
    .option("--json", "print a JSON summary instead of text")
    .action(async (opts: PredictOptions) => {
      const show = !opts.json;
      if (!opts.train?.length || !opts.test?.length) {
        throw new InputError("predict needs --train <train.csv> and --test <test.csv>", undefined, undefined, "e.g. edgerec predict --format competition-csv --train train.csv --test test.csv --out submission.csv");
      }
      const threshold = Number(opts.minRating);
      if (!Number.isFinite(threshold)) throw new InputError(`--min-rating must be a number, got ${JSON.stringify(opts.minRating)}`);
      const dataset = await loadDataset(dataSpecFromOptions(opts), { progress: show });
      if (show) printReadReports(dataset.reports);
      const rows = dataset.extra?.testRows;
      if (!rows || rows.ids.length === 0) {
        throw new InputError("the --test file has no Id column (or no usable rows)", opts.test[0], undefined, "pass the competition test.csv with its Id column, and --format competition-csv");
      }
      // The pipeline on the labelled rows alone: choose on validation, check on a held-out
      // share, then refit the choice on every labelled row before scoring the test rows.
      const labelled = { interactions: dataset.splits!.train, items: dataset.items, reports: dataset.reports, userFeatures: dataset.userFeatures };
      const result = await runPipeline({
        dataset: labelled,
        spec: dataSpecFromOptions(opts),
        model: configFromOptions(opts as PipelineCliOptions),
        task: "rating-class",
        minRating: threshold,
        split: "random",
        seed: Number(opts.seed) || 0,
        progress: show,
        fitServed: true,
      });
      const model = result.served.model;
      const fitSeconds = result.fitSeconds;
      const nItems = dataset.interactions.itemIds.length;
      const scores = scorePairs(model, nItems, rows.users, rows.items);
      const values = submissionValues(scores, model.params().loss === "logistic");
      await new Promise<void>((resolve, reject) => {
        const out = createWriteStream(opts.out);
        out.on("error", reject);
        out.write("Id,rating\n");
        let chunk = "";
        for (let k = 0; k < rows.ids.length; k++) {
          chunk += `${rows.ids[k]},${values[k].toPrecision(6)}\n`;
          if (chunk.length > 1 << 16) {
            out.write(chunk);
            chunk = "";
          }
        }
        out.end(chunk, () => resolve());
      });
      const summary = { out: opts.out, rows: rows.ids.length, model: model.name, params: model.params(), fitSeconds, candidates: result.candidates, validation: result.metrics };
      if (opts.json) process.stdout.write(JSON.stringify(summary) + "\n");
      else process.stdout.write(`wrote ${rows.ids.length} predictions to ${opts.out} (${model.name}, fit ${fitSeconds.toFixed(2)} s)\n`);
    });
}
