import { writeFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { addDataOptions, dataSpecFromOptions, printReadReports, type DataCliOptions } from "../../data/cli-options.ts";
import { loadDataset } from "../../data/load.ts";
import { InputError } from "../../data/types.ts";
import { SPLIT_KINDS, type SplitKind } from "../../eval/prepare.ts";
import { progressBar } from "../../eval/progress-bar.ts";
import type { HybridLoss } from "../../model/hybrid.ts";
import { runPipeline } from "../../pipeline/run.ts";
import type { ModelConfig } from "../../tune/config.ts";
import { prepare, type Task } from "../../tune/prepare.ts";
import { MULTDAE_TUNE_DEFAULTS, tune, type Trial } from "../../tune/search.ts";

interface TuneCliOptions extends DataCliOptions {
  split?: SplitKind;
  fraction?: string;
  task: Task;
  minRating?: string;
  trials: string;
  maxEpochs: string;
  evalEvery: string;
  patience: string;
  losses?: string;
  ease?: string;
  multdae?: string;
  blend: boolean;
  blendSelection?: string;
  blendFolds?: string;
  blendHoldout: string;
  threads: string;
  seed: string;
  timeBudget?: string;
  out?: string;
  artifact?: string;
  top: string;
  json?: boolean;
}

function num(name: string, v: string | undefined, min: number, max: number, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new InputError(`--${name} must be ${integer ? "an integer" : "a number"} in ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

export function register(program: Command): void {
  const cmd = program
    .command("tune")
    .description("seeded random search over hybrid factorisation settings (loss, components, learning rate, regularisation, features, epochs with early stopping), EASE's λ and blends, all scored on a validation split carved from train; prints a leaderboard");
  addDataOptions(cmd);
  cmd
    .addOption(new Option("--split <kind>", "evaluation split whose train part is tuned on (default: given files, else leave-last-out)").choices(SPLIT_KINDS))
    .option("--fraction <f>", "random / item-cold-start split share")
    .addOption(new Option("--task <task>", "ranking (top-k) or rating-class (global pair ROC AUC)").choices(["ranking", "rating-class"]).default("ranking"))
    .option("--min-rating <r>", "ranking: positives are ratings >= r; rating-class: label threshold (default 4)")
    .option("--trials <n>", "random hybrid configurations to try", "12")
    .option("--max-epochs <n>", "upper bound on epochs (early stopping picks the count)", "60")
    .option("--eval-every <n>", "validate every n epochs", "5")
    .option("--patience <n>", "stop a trial after n validations without improvement", "2")
    .option("--losses <list>", "losses to sample from: warp,bpr,warp-kos,logistic,mse (default by task)")
    .option("--ease <lambdas>", "EASE λ values to try (ranking), comma list; 'none' to skip", "100,300,1000")
    .option("--multdae <sizes>", "Mult-DAE hidden-layer sizes to try (ranking), comma list, e.g. 200; epochs by early stopping. A fit costs hidden × items per user per epoch: for catalogues EASE suits. Default none")
    .option("--no-blend", "do not try blends of the best models")
    .option("--blend-selection <metric>", "validation metric that picks the blend weights (ranking), e.g. ndcg@20: it counts more positives than p@10 and picks with less noise; then only its pick joins the leaderboard. Default: the primary metric")
    .option("--blend-folds <k>", "choose the blend weights on k folds held out of train (pooled selection metric) instead of the validation split; each fold refits the blend's members (ranking, splits without dev)")
    .option("--blend-holdout <n>", "ratings per user each blend fold holds out: few keep the folds' train close to what the final model is fit on", "3")
    .option("--threads <n>", "Hogwild threads per hybrid fit", "1")
    .option("--seed <n>", "seed of the search (and of every fit)", "0")
    .option("--time-budget <seconds>", "start no new trial after this many seconds")
    .option("--out <file>", "write the winning configuration (for `edgerec train --config`)", "best.json")
    .option("--artifact <file>", "then fit the winner through the training pipeline (test metrics, refit on every interaction) and build this serving artifact")
    .option("--top <n>", "leaderboard rows printed", "15")
    .option("--json", "print one JSON object (leaderboard and best config) instead of a table")
    .action(async (opts: TuneCliOptions) => {
      const result = await runTune(opts);
      if (opts.artifact) await finalFit(opts, result.best.config);
      if (opts.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      const rows = result.leaderboard.slice(0, num("top", opts.top, 1, 1000, true));
      const metricKeys = Object.keys(rows[0]?.metrics ?? {}).filter((k) => !["users", "pairs"].includes(k));
      const lines = [
        `validation: ${result.validation}; primary metric ${result.primary} (test split never used)`,
        "",
        ["#", result.primary.padStart(8), ...metricKeys.filter((k) => k !== result.primary).map((k) => k.padStart(8)), "  time s", "  configuration"].join(" "),
        ...rows.map((t, i) =>
          [
            String(i + 1).padStart(2),
            t.score.toFixed(4).padStart(8),
            ...metricKeys.filter((k) => k !== result.primary).map((k) => (t.metrics[k] ?? NaN).toFixed(4).padStart(8)),
            t.seconds.toFixed(1).padStart(8),
            " " + t.description,
          ].join(" "),
        ),
        "",
        `best: ${result.best.description}`,
        opts.out ? `written to ${opts.out} (use: edgerec train --config ${opts.out} …)` : "",
      ];
      process.stdout.write(lines.join("\n") + "\n");
    });
}

/** Tune's final fit is the training pipeline's: the winner evaluated on test, refitted on every interaction, built. */
async function finalFit(opts: TuneCliOptions, config: ModelConfig): Promise<void> {
  const show = !opts.json;
  const result = await runPipeline({
    spec: dataSpecFromOptions(opts),
    model: config,
    split: opts.split,
    fraction: num("fraction", opts.fraction, 0, 1),
    task: opts.task,
    minRating: num("min-rating", opts.minRating, -1e9, 1e9),
    seed: num("seed", opts.seed, 0, 2 ** 31, true) ?? 0,
    progress: show,
    out: opts.artifact,
  });
  if (show) process.stderr.write(`artifact: ${result.artifact!.path} (test ${result.headlineMetric} ${(result.metrics[result.headlineMetric] ?? NaN).toFixed(4)}; served model refitted on ${result.served.trainedOn.interactions} interactions)\n`);
}

/** --blend-selection's cut-off k, which validation must then compute besides the primary @10 (undefined: auc, mrr or no option). */
function blendSelectionCutoff(opts: TuneCliOptions): number | undefined {
  const metric = opts.blendSelection;
  if (metric === undefined) return undefined;
  if (opts.task !== "ranking") throw new InputError(`--blend-selection applies to --task ranking (rating-class blends are scored by pairAuc alone)`);
  const match = /^(?:p|r|hr|ndcg)@([1-9]\d{0,3})$|^(?:auc|mrr)$/.exec(metric);
  if (!match) throw new InputError(`--blend-selection: ${JSON.stringify(metric)} is not a ranking metric; use p@k, r@k, hr@k or ndcg@k (e.g. ndcg@20), auc or mrr`);
  return match[1] === undefined ? undefined : Number(match[1]);
}

export async function runTune(opts: TuneCliOptions) {
  const show = !opts.json;
  const seed = num("seed", opts.seed, 0, 2 ** 31, true) ?? 0;
  const dataset = await loadDataset(dataSpecFromOptions(opts), { progress: show });
  if (show) printReadReports(dataset.reports);
  const blendCutoff = blendSelectionCutoff(opts);
  const prepared = prepare(dataset, {
    ...(blendCutoff !== undefined ? { ks: [...new Set([10, blendCutoff])] } : {}),
    split: opts.split,
    fraction: num("fraction", opts.fraction, 0, 1),
    task: opts.task,
    minRating: num("min-rating", opts.minRating, -1e9, 1e9),
    seed,
    ...(opts.blendFolds !== undefined
      ? { blendFolds: { count: num("blend-folds", opts.blendFolds, 1, 100, true)!, perUser: num("blend-holdout", opts.blendHoldout, 1, 1000, true)! } }
      : {}),
  });
  const losses = opts.losses?.split(",").map((s) => s.trim()) as HybridLoss[] | undefined;
  const allowed: HybridLoss[] = ["warp", "bpr", "warp-kos", "logistic", "mse"];
  for (const l of losses ?? []) if (!allowed.includes(l)) throw new InputError(`--losses: unknown loss ${JSON.stringify(l)}; choose from ${allowed.join(",")}`);
  const easeLambdas = !opts.ease || opts.ease === "none" ? [] : opts.ease.split(",").map((v) => num("ease", v, 0, 1e9)!);
  const trials = num("trials", opts.trials, 0, 10000, true)!;
  const maxEpochs = num("max-epochs", opts.maxEpochs, 1, 100000, true)!;
  const multdae = !opts.multdae || opts.multdae === "none" ? [] : opts.multdae.split(",").map((v) => ({ ...MULTDAE_TUNE_DEFAULTS, hidden: num("multdae", v, 1, 100000, true)!, epochs: maxEpochs }));
  const bar = progressBar("tune", trials + easeLambdas.length + multdae.length, show);
  const result = await tune(prepared.tuneData, {
    trials,
    seed,
    maxEpochs,
    evalEvery: num("eval-every", opts.evalEvery, 1, 100000, true)!,
    patience: num("patience", opts.patience, 1, 1000, true)!,
    losses,
    easeLambdas,
    multdae,
    blend: opts.blend,
    blendSelection: opts.blendSelection,
    threads: num("threads", opts.threads, 1, 256, true),
    timeBudgetSeconds: num("time-budget", opts.timeBudget, 0, 1e9),
    onTrial: (_t: Trial, done: number, total: number) => bar.update(done, total),
    onBlendFold: (done, total, seconds) => show && process.stderr.write(`blend fold ${done}/${total}: members refit and the weight grid scored (${seconds.toFixed(1)} s)\n`),
  });
  bar.stop();
  if (opts.out) writeFileSync(opts.out, JSON.stringify({ ...result.best.config, validation: { [prepared.tuneData.primary]: result.best.score } }, null, 2) + "\n");
  return {
    primary: prepared.tuneData.primary,
    validation: prepared.dev ? "the dev split (train fit on the train split)" : "5 interactions per user held out of the train split",
    best: { config: result.best.config, description: result.best.description, score: result.best.score, metrics: result.best.metrics },
    leaderboard: result.leaderboard.map((t) => ({ description: t.description, score: t.score, metrics: t.metrics, seconds: t.seconds, config: t.config, curve: t.curve })),
  };
}
