import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Option, type Command } from "commander";
import { addDataOptions, dataSpecFromOptions, printReadReports, type DataCliOptions } from "../../data/cli-options.ts";
import { loadDataset } from "../../data/load.ts";
import { InputError } from "../../data/types.ts";
import { SPLIT_KINDS, type SplitKind } from "../../eval/prepare.ts";
import type { HybridLoss } from "../../model/hybrid.ts";
import { runPipeline } from "../../pipeline/run.ts";
import type { ModelConfig } from "../../tune/config.ts";
import { prepare, type Prepared, type Task } from "../../tune/prepare.ts";
import { tuneReporter } from "../../tune/progress.ts";
import { formatSeconds } from "../../util/progress.ts";
import { BUILT_IN_FAMILIES, MULTDAE_TUNE_DEFAULTS, tune, type Trial } from "../../tune/search.ts";
import { countOrAll, optionalNumber } from "../../util/option-parsers.ts";

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
  threads: string;
  jobs?: string;
  seed: string;
  timeBudget?: string;
  validationUsers?: string;
  families?: string;
  resume?: string;
  out?: string;
  artifact?: string;
  top: string;
  json?: boolean;
}


export function register(program: Command): void {
  const cmd = program
    .command("tune")
    .description("seeded search over popularity, item-kNN, RP3beta, iALS, the order-aware SLIST (timed data), EASE's λ, hybrid factorisation settings (loss, components, learning rate, regularisation, features; successive halving, then early stopping) and blends, all scored on a validation split carved from train; prints a leaderboard");
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
    .option("--multdae <sizes>", "Mult-DAE hidden-layer sizes to try (ranking), comma list, e.g. 200; epochs by early stopping; 'none' to skip. A fit costs hidden × items per user per epoch. Default: 200 when --time-budget is set and its estimated epoch time fits, else none")
    .option("--no-blend", "do not try blends of the best models")
    .option("--blend-selection <metric>", "validation metric that picks the blend weights (ranking), e.g. ndcg@20: it counts more positives than p@10 and picks with less noise; then only its pick joins the leaderboard. Default: the primary metric")
    .option("--threads <n>", "Hogwild threads per hybrid fit", "1")
    .option("--jobs <n>", "hybrid trials fitted at once in worker threads, without a time budget (default: the number of cores; the choice is the same whatever the number)")
    .option("--seed <n>", "seed of the search and of every fit (train --config with the same --seed refits what tune scored)", "0")
    .option("--time-budget <seconds>", "wall-clock budget for the whole search (trials, baselines and the blend); every family gets a first trial before any gets a second, and what did not fit is listed. Default: none")
    .option("--validation-users <n|all>", "ranking: score validation on a seeded sample of n users, or all of them", "5000")
    .option("--families <list>", `only these model families, comma list of ${BUILT_IN_FAMILIES.join(",")} (default: all that apply)`)
    .option("--resume <file>", "continue a stopped search from its --out file: trials already on its leaderboard are not run again")
    .option("--out <file>", "write the winning configuration (for `edgerec train --config`) with the leaderboard; rewritten after every trial", "best.json")
    .option("--artifact <file>", "then fit the winner through the training pipeline (test metrics, refit on every interaction) and build this serving artifact")
    .option("--top <n>", "leaderboard rows printed", "15")
    .option("--json", "print one JSON object (leaderboard and best config) instead of a table (progress lines still go to stderr)")
    .action(async (opts: TuneCliOptions) => {
      const result = await runTune(opts);
      if (opts.artifact) await finalFit(opts, result.best.config);
      if (opts.json) {
        process.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      const rows = result.leaderboard.slice(0, optionalNumber("top", opts.top, { min: 1, max: 1000, integer: true }));
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
        ...(result.skipped.length ? ["skipped:", ...result.skipped.map((n) => `  ${n}`), ""] : []),
        `best: ${result.best.description}`,
        `${formatSeconds(result.seconds)} in all, peak RSS ${result.peakRssMB} MB`,
        opts.out ? `written to ${opts.out} (use: edgerec train --config ${opts.out} --seed ${opts.seed} …)` : "",
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
    fraction: optionalNumber("fraction", opts.fraction, { min: 0, max: 1 }),
    task: opts.task,
    minRating: optionalNumber("min-rating", opts.minRating, { min: -1e9, max: 1e9 }),
    seed: optionalNumber("seed", opts.seed, { min: 0, max: 2 ** 31, integer: true }) ?? 0,
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

/** Validation users: a count, or every user with a held-out positive. */
function validationUsers(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return countOrAll("validation-users", v);
}

/** What a --resume file must agree with: the same data, split, validation sample and search seed. */
function fingerprint(prepared: Prepared, seed: number) {
  const d = prepared.tuneData;
  return { primary: d.primary, seed, users: d.validTrain.nRows, items: d.validTrain.nCols, interactions: d.validTrain.indices.length, validationUsers: d.validationUsers?.length ?? null };
}

type TuneFile = { tune?: { fingerprint?: unknown; leaderboard?: Array<Partial<Trial>> } };

/** The trials of an earlier run to resume from, refused when its data or settings differ. */
function resumeTrials(file: string, expected: ReturnType<typeof fingerprint>): Trial[] {
  let saved: TuneFile;
  try {
    saved = JSON.parse(readFileSync(file, "utf8")) as TuneFile;
  } catch (err) {
    throw new InputError(`--resume: cannot read ${file}: ${(err as Error).message}`, file, undefined, "pass the --out file of an earlier `edgerec tune` run");
  }
  if (!saved.tune?.leaderboard) throw new InputError(`--resume: ${file} holds no tune leaderboard`, file, undefined, "pass the --out file of an earlier `edgerec tune` run (written after every trial)");
  if (JSON.stringify(saved.tune.fingerprint) !== JSON.stringify(expected)) {
    throw new InputError(
      `--resume: ${file} was tuned on other data or settings (${JSON.stringify(saved.tune.fingerprint)}, now ${JSON.stringify(expected)})`,
      file,
      undefined,
      "use the same data options, --split, --seed and --validation-users, or start afresh without --resume",
    );
  }
  return saved.tune.leaderboard.filter((t): t is Trial => typeof t.key === "string" && t.config !== undefined && typeof t.description === "string").map((t) => ({ ...t, score: t.score ?? -Infinity, metrics: t.metrics ?? {} }));
}

const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);

export async function runTune(opts: TuneCliOptions) {
  const show = !opts.json;
  const seed = optionalNumber("seed", opts.seed, { min: 0, max: 2 ** 31, integer: true }) ?? 0;
  const dataset = await loadDataset(dataSpecFromOptions(opts), { progress: show });
  if (show) printReadReports(dataset.reports);
  const blendCutoff = blendSelectionCutoff(opts);
  const prepared = prepare(dataset, {
    ...(blendCutoff !== undefined ? { ks: [...new Set([10, blendCutoff])] } : {}),
    split: opts.split,
    fraction: optionalNumber("fraction", opts.fraction, { min: 0, max: 1 }),
    task: opts.task,
    minRating: optionalNumber("min-rating", opts.minRating, { min: -1e9, max: 1e9 }),
    seed,
    maxValidUsers: validationUsers(opts.validationUsers),
  });
  const losses = opts.losses?.split(",").map((s) => s.trim()) as HybridLoss[] | undefined;
  const allowed: HybridLoss[] = ["warp", "bpr", "warp-kos", "logistic", "mse"];
  for (const l of losses ?? []) if (!allowed.includes(l)) throw new InputError(`--losses: unknown loss ${JSON.stringify(l)}; choose from ${allowed.join(",")}`);
  const easeLambdas = !opts.ease || opts.ease === "none" ? [] : opts.ease.split(",").map((v) => optionalNumber("ease", v, { min: 0, max: 1e9 })!);
  const trials = optionalNumber("trials", opts.trials, { min: 0, max: 10000, integer: true })!;
  const maxEpochs = optionalNumber("max-epochs", opts.maxEpochs, { min: 1, max: 100000, integer: true })!;
  const multdae =
    opts.multdae === undefined ? undefined : opts.multdae === "none" ? [] : opts.multdae.split(",").map((v) => ({ ...MULTDAE_TUNE_DEFAULTS, hidden: optionalNumber("multdae", v, { min: 1, max: 100000, integer: true })!, epochs: maxEpochs }));
  const only = opts.families?.split(",").map((s) => s.trim());
  for (const f of only ?? []) if (!(BUILT_IN_FAMILIES as readonly string[]).includes(f)) throw new InputError(`--families: unknown family ${JSON.stringify(f)}; choose from ${BUILT_IN_FAMILIES.join(",")}`);
  const print = fingerprint(prepared, seed);
  const resume = opts.resume ? resumeTrials(opts.resume, print) : undefined;
  const primary = prepared.tuneData.primary;
  const validation = prepared.dev
    ? "the dev split (train fit on the train split)"
    : "5 interactions per user held out of the train split";
  const sample = prepared.tuneData.validationUsers ? `, scored on ${prepared.tuneData.validationUsers.length} users` : "";
  const reporter = tuneReporter(primary, { enabled: true, tty: show && process.stderr.isTTY === true });
  const write = (trials: Trial[], skipped: string[], complete: boolean, seconds?: number) => {
    if (!opts.out) return;
    const board = trials.filter((t) => Number.isFinite(t.score)).sort((a, b) => b.score - a.score);
    const best = board[0];
    if (!best) return;
    const body = {
      ...best.config,
      validation: { [primary]: best.score },
      tune: {
        complete,
        fingerprint: print,
        skipped,
        ...(seconds !== undefined ? { seconds, peakRssMB: peakRssMB() } : {}),
        leaderboard: trials.map((t) => ({ key: t.key, family: t.family, description: t.description, score: Number.isFinite(t.score) ? t.score : null, metrics: t.metrics, seconds: t.seconds, validateSeconds: t.validateSeconds, config: t.config, curve: t.curve })),
      },
    };
    // Written aside and renamed, so a stop mid-write never leaves a truncated file.
    writeFileSync(`${opts.out}.tmp`, JSON.stringify(body, null, 2) + "\n");
    renameSync(`${opts.out}.tmp`, opts.out);
  };
  let result;
  try {
    result = await tune(prepared.tuneData, {
      trials,
      seed,
      maxEpochs,
      evalEvery: optionalNumber("eval-every", opts.evalEvery, { min: 1, max: 100000, integer: true })!,
      patience: optionalNumber("patience", opts.patience, { min: 1, max: 1000, integer: true })!,
      losses,
      easeLambdas,
      multdae,
      only,
      blend: opts.blend,
      blendSelection: opts.blendSelection,
      threads: optionalNumber("threads", opts.threads, { min: 1, max: 256, integer: true }),
      jobs: optionalNumber("jobs", opts.jobs, { min: 1, max: 256, integer: true }) ?? availableParallelism(),
      timeBudgetSeconds: opts.timeBudget === undefined || opts.timeBudget === "none" ? undefined : optionalNumber("time-budget", opts.timeBudget, { min: 1, max: 1e9 }),
      resume,
      onProgress: (p) => reporter.onProgress(p),
      onLeaderboard: ({ trials, skipped }) => write(trials, skipped, false),
    });
  } finally {
    reporter.stop();
  }
  write(result.leaderboard, result.skipped, true, result.seconds);
  return {
    primary,
    validation: `${validation}${sample}`,
    best: { config: result.best.config, description: result.best.description, score: result.best.score, metrics: result.best.metrics },
    skipped: result.skipped,
    seconds: result.seconds,
    cpuSeconds: (() => {
      const cpu = process.cpuUsage();
      return (cpu.user + cpu.system) / 1e6;
    })(),
    peakRssMB: peakRssMB(),
    leaderboard: result.leaderboard.map((t) => ({ description: t.description, family: t.family, score: t.score, metrics: t.metrics, seconds: t.seconds, config: t.config, curve: t.curve })),
  };
}
