import type { Dataset } from "../data/spec.ts";
import { InputError, type Interactions } from "../data/types.ts";
import type { Rng } from "../util/rng.ts";
import { itemColdStart, leaveLastOut, randomSplit, type Split } from "./splits.ts";

export type SplitKind = "given" | "random" | "leave-last-out" | "item-cold-start";
export const SPLIT_KINDS: SplitKind[] = ["given", "random", "leave-last-out", "item-cold-start"];

export interface SplitOptions {
  kind: SplitKind;
  /** random: share of interactions held out; item-cold-start: share of items held out. */
  fraction?: number;
  rng: Rng;
}

/** The train/(dev)/test split an evaluation runs on, from given files or carved from one dataset. */
export function splitDataset(dataset: Dataset, opts: SplitOptions): Split & { coldItems?: Int32Array } {
  if (opts.kind === "given") {
    const s = dataset.splits;
    if (!s?.test) {
      throw new InputError("--split given needs --train and --test files", undefined, undefined, "pass --train <file> --test <file> [--dev <file>], or choose --split random|leave-last-out|item-cold-start");
    }
    return { train: s.train, dev: s.dev, test: s.test };
  }
  if (dataset.splits) {
    throw new InputError(`--split ${opts.kind} carves its own split from --interactions; given --train/--test files are only for --split given`);
  }
  const x: Interactions = dataset.interactions;
  if (opts.kind === "random") return randomSplit(x, opts.fraction ?? 0.2, opts.rng);
  if (opts.kind === "leave-last-out") return leaveLastOut(x, { dev: true });
  return itemColdStart(x, opts.fraction ?? 0.2, opts.rng);
}
