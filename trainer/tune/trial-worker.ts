/**
 * A worker thread that fits one iterative trial for RemoteTrial: it rebuilds the tuning data
 * from its recipe (the same TuneData the main thread has), then advances or stops the trial
 * as asked, answering each request with the trial's status and, once it ended, its outcome
 * with the model as plain data.
 */
import { parentPort, workerData } from "node:worker_threads";
import { HybridMF } from "../model/hybrid.ts";
import { FeatureCache } from "./config.ts";
import { IterativeTrial, type IterativeOutcome } from "./iterative-trial.ts";
import { tuneDataFrom } from "./prepare.ts";
import type { TrialRequest, TrialReply, TrialWorkerData, WireOutcome } from "./remote-trial.ts";

const port = parentPort;
if (!port) throw new Error("trial-worker.ts runs as a worker thread (RemoteTrial starts it)");
const input = workerData as TrialWorkerData;
const data = tuneDataFrom(input.recipe);
const onEpoch = input.reportEpochs ? (family: string, epoch: number, maxEpochs: number) => port.postMessage({ type: "epoch", family, epoch, maxEpochs } satisfies TrialReply) : undefined;
const trial = new IterativeTrial(input.config, { ...input.family, configs: [] }, data, new FeatureCache(data), { ...input.options, onEpoch }, () => performance.now() / 1000);

function wire(outcome: IterativeOutcome): WireOutcome {
  const { model, ...rest } = outcome;
  if (model && !(model instanceof HybridMF)) throw new Error(`trial worker: a ${model.name} model cannot leave its thread; only hybrid trials run in workers`);
  return { ...rest, model: model?.exportState() };
}

port.on("message", (request: TrialRequest) => {
  const run = request.op === "advance" ? trial.advance(request.pauseAt, request.stopAt) : trial.stop(request.reason, request.halved);
  run.then(
    (outcome) => port.postMessage({ type: "done", status: { epochs: trial.epochs, bestScore: trial.bestScore, secondsSoFar: trial.secondsSoFar }, outcome: outcome && wire(outcome) } satisfies TrialReply),
    (err: unknown) => port.postMessage({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies TrialReply),
  );
});
