import type { Metrics } from "../eval/ranking.ts";
import { BlendModel, type BlendScaling } from "../model/blend.ts";
import { MemoScores } from "../model/memo-scores.ts";
import type { Recommender } from "../model/model.ts";
import { createRng } from "../util/rng.ts";
import { buildFromConfig, describeConfig, type FeatureCache, type ModelConfig } from "./config.ts";
import { validTrainInput } from "./prepare.ts";
import type { Trial, TuneData } from "./types.ts";

export interface BlendSearchInput {
  data: TuneData;
  /** Best first; `model` when the trial's own fit is exactly its config, else it is refit here. */
  members: Array<{ trial: Trial; model?: Recommender }>;
  features: FeatureCache;
  seed: number;
  /** The validation metric that picks the weights; when it is the primary one every point joins the leaderboard. */
  selection: string;
  /** Bytes of remembered member scores: the validation users are scored in blocks that fit. */
  memoBudgetBytes: number;
  /** Clock time (seconds) the search must end by. */
  deadline: number;
  clock: () => number;
  onProgress?: (note: string) => void;
}

export interface BlendSearchOutcome {
  trials: Trial[];
  skipped: string[];
  /** The best blend by the primary metric and its model (members as fitted here). */
  best?: { trial: Trial; model: Recommender };
  summary: string;
}

/**
 * Blends of the best model of each family, weights on the 0.1 grid. Each member scores each
 * validation user once — its rows are remembered for the users validation really scores, block
 * by block within the memory budget — and every grid point then costs only the blend's
 * arithmetic and ranking. Coarse points come first, so a budget that runs out mid-grid has
 * still tried the even splits; the points left out are reported.
 */
export async function searchBlends(input: BlendSearchInput): Promise<BlendSearchOutcome> {
  const { data, clock, deadline } = input;
  const skipped: string[] = [];
  const none = (summary: string): BlendSearchOutcome => ({ trials: [], skipped, summary });
  if (input.members.length < 2) return none("blend: fewer than two families to blend");
  if (clock() >= deadline) {
    skipped.push("blend: not tried (time budget)");
    return none("blend: not tried (time budget)");
  }
  // The first weight vector scores every member once (their rows are remembered after): about one validation pass each.
  const firstPoint = input.members.reduce((sum, m) => sum + (m.trial.validateSeconds ?? 0), 0);
  if (Number.isFinite(deadline) && clock() + firstPoint > deadline) {
    const note = `blend: not tried, scoring its ${input.members.length} members once would take about ${firstPoint.toFixed(0)} s, past the time budget`;
    skipped.push(note);
    return none(note);
  }
  const members: Array<{ trial: Trial; model: Recommender }> = [];
  for (const m of input.members) {
    if (m.model) {
      members.push({ trial: m.trial, model: m.model });
      continue;
    }
    // Early stopping ran past the best epoch (or this trial was resumed): refit as scored, same seed.
    if (clock() + refitSeconds(m.trial) > deadline) {
      skipped.push(`blend: ${m.trial.description} left out, refitting it would take ~${refitSeconds(m.trial).toFixed(0)} s (time budget)`);
      continue;
    }
    input.onProgress?.(`blend: refitting ${m.trial.description} at its chosen epochs`);
    const { model, extraFit } = buildFromConfig(m.trial.config, input.features);
    await model.fit({ ...validTrainInput(data), rng: createRng(input.seed), ...extraFit });
    members.push({ trial: m.trial, model });
  }
  if (members.length < 2) return none("blend: fewer than two members fit the time budget");

  const scaling: BlendScaling = data.task === "ranking" ? "per-user" : "none";
  const grid = coarseFirst(blendWeightGrid(members.length));
  const nItems = data.validTrain.nCols;
  const users = data.task === "ranking" ? data.validationUsers : undefined;
  const perBlock = Math.max(1, MemoScores.usersWithin(input.memoBudgetBytes, members.length, nItems));
  const blocks: Array<Int32Array | undefined> = [];
  if (users) for (let at = 0; at < users.length; at += perBlock) blocks.push(users.subarray(at, at + perBlock));
  else blocks.push(undefined);
  const memoAll = !users && members.length * data.validTrain.nRows * nItems * 4 <= input.memoBudgetBytes;
  const cutoffs = data.cutoffs;
  const streamed = blocks.length > 1;
  const marks = streamed && cutoffs ? grid.map(() => cutoffs.map(() => new Uint8Array(nItems))) : undefined;
  const sums = grid.map(() => new Map<string, number>());
  const results: Array<Metrics | undefined> = grid.map(() => undefined);
  const seconds = new Float64Array(grid.length);
  let allowed = grid.length;
  input.onProgress?.(`blend: ${grid.length} weight vectors over ${members.length} members (${members.map((m) => m.trial.config.model).join(", ")}), ${blocks.length} user block${blocks.length > 1 ? "s" : ""}`);

  for (const [b, block] of blocks.entries()) {
    const parts = members.map((m) => (block ? new MemoScores(m.model, block, nItems) : memoAll ? new MemoScores(m.model) : m.model));
    const blockStart = clock();
    let firstPoint = 0;
    for (let g = 0; g < allowed; g++) {
      // Block 0 measures what a point costs and keeps only the points every block can still afford.
      if (b === 0 && g >= 2 && Number.isFinite(deadline)) {
        const perPoint = (clock() - blockStart - firstPoint) / (g - 1);
        const laterBlocks = (blocks.length - 1) * (firstPoint + (g + 1) * perPoint);
        if (clock() + perPoint + laterBlocks > deadline) {
          allowed = g;
          break;
        }
      }
      const t0 = clock();
      const blend = new BlendModel(
        parts.map((model, k) => ({ model, weight: grid[g][k] })),
        "blend",
        scaling,
      );
      const metrics = block ? data.validate(blend, { users: block, coverageMarks: marks?.[g] }) : data.validate(blend);
      if (!(input.selection in metrics)) throw new Error(`tune: blendSelection "${input.selection}" is not among the validation metrics (${Object.keys(metrics).join(", ")}); choose one of those`);
      seconds[g] += clock() - t0;
      if (b === 0 && g === 0) firstPoint = clock() - t0;
      if (!streamed) results[g] = metrics;
      else accumulate(sums[g], metrics);
    }
    input.onProgress?.(`blend: user block ${b + 1}/${blocks.length} scored over ${allowed} weight vectors`);
  }
  if (streamed) for (let g = 0; g < allowed; g++) results[g] = averaged(sums[g]);
  if (allowed < grid.length) skipped.push(`blend: ${grid.length - allowed} of ${grid.length} weight vectors not scored (time budget; the coarser ones came first)`);

  const scored: Trial[] = [];
  for (let g = 0; g < allowed; g++) {
    const metrics = results[g]!;
    const config: ModelConfig = { model: "blend", scaling, members: members.map((m, k) => ({ weight: grid[g][k], config: m.trial.config })).filter((m) => m.weight > 0) };
    scored.push({ config, description: describeConfig(config), score: metrics[data.primary], metrics, seconds: seconds[g], family: "blend" });
  }
  const chosen = input.selection === data.primary ? scored : scored.length ? [scored.reduce((a, b) => (b.metrics[input.selection] > a.metrics[input.selection] ? b : a))] : [];
  const top = chosen.filter((t) => Number.isFinite(t.score)).reduce<Trial | undefined>((a, t) => (a === undefined || t.score > a.score ? t : a), undefined);
  const best = top && {
    trial: top,
    model: BlendModel.ofFitted(
      members.map((m, k) => ({ model: m.model, weight: grid[scored.indexOf(top)][k] })).filter((m) => m.weight > 0),
      "blend",
      scaling,
    ),
  };
  return { trials: chosen, skipped, best, summary: `blend: ${allowed} of ${grid.length} weight vectors scored over ${members.length} members` };
}

/** Sums of each metric weighted by the block's users; coverage (a union, already cumulative in the shared marks) is the last block's. */
function accumulate(sum: Map<string, number>, metrics: Metrics): void {
  const n = metrics.users ?? 0;
  if (n === 0) return;
  for (const [key, value] of Object.entries(metrics)) {
    if (key.startsWith("coverage@")) sum.set(key, value);
    else if (key !== "users") sum.set(key, (sum.get(key) ?? 0) + value * n);
  }
  sum.set("users", (sum.get("users") ?? 0) + n);
}

function averaged(sum: Map<string, number>): Metrics {
  const n = sum.get("users") ?? 0;
  const out: Metrics = {};
  for (const [key, value] of sum) out[key] = key === "users" || key.startsWith("coverage@") ? value : n ? value / n : Number.NaN;
  return out;
}

/**
 * The grid reordered so the coarse weight vectors come first: those in steps of 0.5, then of
 * 0.2, then the rest (each group in grid order).
 */
export function coarseFirst(grid: number[][]): number[][] {
  const level = (w: number[]) => Math.max(...w.map((x) => (Math.round(x * 10) % 5 === 0 ? 0 : Math.round(x * 10) % 2 === 0 ? 1 : 2)));
  return grid.map((w, i) => ({ w, i, l: level(w) })).sort((a, b) => a.l - b.l || a.i - b.i).map((x) => x.w);
}

/** A trial's fit time up to its chosen epoch (iterative trials ran past it). */
export function refitSeconds(trial: Trial): number {
  const last = trial.curve?.at(-1)?.epoch;
  const chosen = Number((trial.config as { params?: { epochs?: unknown } }).params?.epochs);
  return last && chosen ? (trial.seconds * Math.min(chosen, last)) / last : trial.seconds;
}

/** The weights a blend search tries over n members: the 0.1 simplex grid, at least two members in each (one alone is that member's own trial). */
export function blendWeightGrid(n: number): number[][] {
  return simplexGrid(n, 10).filter((w) => w.filter((x) => x > 0).length >= 2);
}

/** Every weight vector of n entries in steps of 1/steps that sums to 1. */
export function simplexGrid(n: number, steps: number): number[][] {
  const counts = (parts: number, total: number): number[][] =>
    parts === 1 ? [[total]] : Array.from({ length: total + 1 }, (_, a) => counts(parts - 1, total - a).map((rest) => [a, ...rest])).flat();
  return counts(n, steps).map((c) => c.map((x) => +(x / steps).toFixed(6)));
}
