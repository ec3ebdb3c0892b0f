import { Worker } from "node:worker_threads";
import { HybridMF, type HybridState } from "../model/hybrid.ts";
import type { ModelConfig } from "./config.ts";
import type { TuneFamily } from "./families.ts";
import { checkSchedule, type IterativeOutcome, type IterativeTrialOptions, type TrialRunner } from "./iterative-trial.ts";
import type { TuneDataRecipe } from "./prepare.ts";

/** What a trial worker is started with: everything structured-cloneable. */
export interface TrialWorkerData {
  recipe: TuneDataRecipe;
  config: ModelConfig;
  family: Pick<TuneFamily, "name" | "iterative" | "blendable" | "checks">;
  options: Omit<IterativeTrialOptions, "onEpoch">;
  reportEpochs: boolean;
}

export type TrialRequest = { op: "advance"; pauseAt: number; stopAt: number } | { op: "stop"; reason: string; halved: boolean };

/** An outcome on the wire: the model as plain data. */
export type WireOutcome = Omit<IterativeOutcome, "model"> & { model?: HybridState };

export type TrialReply =
  | { type: "done"; status: { epochs: number; bestScore: number; secondsSoFar: number }; outcome?: WireOutcome }
  | { type: "epoch"; family: string; epoch: number; maxEpochs: number }
  | { type: "error"; message: string };

/** At most `n` trials fit at once: each advance holds a slot until it pauses or ends. */
export class JobSlots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly n: number) {
    this.free = n;
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/**
 * A worker's first code: it registers tsx in the worker (Node 20 does not carry the main
 * thread's TypeScript loader into workers), then loads the TypeScript entry. An entry that
 * fails to start (a bad config) answers with its error instead of leaving it unhandled.
 */
const BOOTSTRAP = `const { parentPort, workerData } = require("node:worker_threads");
import(workerData.tsx)
  .then((tsx) => { tsx.register(); return import(workerData.entry); })
  .catch((err) => parentPort.postMessage({ type: "error", message: err && err.stack ? err.stack : String(err) }));`;

/**
 * An iterative trial fitted in its own worker thread, so independent trials fit on several
 * cores at once. Its fit, checks and outcome are exactly those of an IterativeTrial with the
 * same config and seed (the worker runs one); the model comes back as plain data
 * (HybridMF.exportState), so only hybrid trials run this way. The worker is started at the
 * first request and ends with the trial.
 */
export class RemoteTrial implements TrialRunner {
  readonly maxEpochs: number;
  private readonly evalEvery: number;
  private readonly patience: number;
  private status = { epochs: 0, bestScore: -Infinity, secondsSoFar: 0 };
  private worker?: Worker;
  private pending?: { resolve: (reply: Extract<TrialReply, { type: "done" }>) => void; reject: (err: Error) => void };
  private finished?: IterativeOutcome;

  constructor(
    readonly config: ModelConfig,
    readonly family: TuneFamily,
    private readonly recipe: TuneDataRecipe,
    private readonly opts: IterativeTrialOptions,
    private readonly slots: JobSlots,
  ) {
    if (config.model !== "hybrid") throw new Error(`RemoteTrial: only hybrid trials run in workers, got "${config.model}"`);
    ({ maxEpochs: this.maxEpochs, evalEvery: this.evalEvery, patience: this.patience } = checkSchedule(config, family, opts));
  }

  get epochs(): number {
    return this.status.epochs;
  }

  get bestScore(): number {
    return this.status.bestScore;
  }

  get secondsSoFar(): number {
    return this.status.secondsSoFar;
  }

  get patienceEpochs(): number {
    return this.patience * this.evalEvery;
  }

  checkEpoch(k: number): number {
    return Math.min(this.maxEpochs, k * this.evalEvery);
  }

  async advance(pauseAt: number, stopAt: number): Promise<IterativeOutcome | undefined> {
    if (this.finished) return this.finished;
    const release = await this.slots.acquire();
    try {
      return await this.request({ op: "advance", pauseAt, stopAt });
    } finally {
      release();
    }
  }

  async stop(reason: string, halved = true): Promise<IterativeOutcome> {
    if (this.finished) return this.finished;
    return (await this.request({ op: "stop", reason, halved }))!;
  }

  /** Ends the worker, if it still runs (a search that failed midway). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private async request(request: TrialRequest): Promise<IterativeOutcome | undefined> {
    const worker = this.worker ?? this.start();
    const reply = await new Promise<Extract<TrialReply, { type: "done" }>>((resolve, reject) => {
      this.pending = { resolve, reject };
      worker.postMessage(request);
    });
    this.status = reply.status;
    if (!reply.outcome) return undefined;
    const { model, ...rest } = reply.outcome;
    this.finished = { ...rest, model: model ? HybridMF.fromState(model) : undefined };
    this.worker = undefined;
    await worker.terminate();
    return this.finished;
  }

  private start(): Worker {
    const { onEpoch, ...options } = this.opts;
    const workerData: TrialWorkerData = {
      recipe: this.recipe,
      config: this.config,
      family: { name: this.family.name, iterative: this.family.iterative, blendable: this.family.blendable, checks: this.family.checks },
      options: { seed: options.seed, maxEpochs: options.maxEpochs, evalEvery: options.evalEvery, patience: options.patience },
      reportEpochs: onEpoch !== undefined,
    };
    const entry = { tsx: import.meta.resolve("tsx/esm/api"), entry: new URL("./trial-worker.ts", import.meta.url).href };
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { ...workerData, ...entry } });
    const fail = (err: Error) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(err);
    };
    worker.on("message", (reply: TrialReply) => {
      if (reply.type === "epoch") return onEpoch?.(reply.family, reply.epoch, reply.maxEpochs);
      const pending = this.pending;
      this.pending = undefined;
      if (reply.type === "error") pending?.reject(new Error(`${this.family.name} trial in a worker thread failed: ${reply.message}`));
      else pending?.resolve(reply);
    });
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (this.worker === worker) fail(new Error(`${this.family.name} trial's worker thread exited (code ${code}) before it answered`));
    });
    this.worker = worker;
    return worker;
  }
}
