/**
 * The sample storefront (trainer/sample) as a bench dataset: leave-last-out by time with a
 * dev split (like Gift Cards), every catalogue item ranked (cold ones included), all
 * ratings as positives (what the served path recommends from).
 * bench/lib/protocols.ts lists it as dataset "sample-store", so bench:quality reports every
 * contender on the sample beside popularity.
 */
import { interactionsToCsr } from "../../trainer/data/interactions-matrix.ts";
import { evaluateRanking } from "../../trainer/eval/ranking.ts";
import { leaveLastOut } from "../../trainer/eval/splits.ts";
import { generateStore } from "../../trainer/sample/store.ts";
import type { Protocol, ProtocolData } from "./contender.ts";

/** The default `npm start` store (seed 1, 3,000 products, 2,000 shoppers). */
export async function sampleStoreProtocols(_seed: number, options: { items?: number; users?: number } = {}): Promise<Protocol[]> {
  const store = generateStore({ seed: 1, items: options.items ?? 3000, users: options.users ?? 2000 });
  const x = store.interactions;
  const split = leaveLastOut(x, { dev: true });
  const ones = (s: typeof x) => interactionsToCsr(s, { kind: "ones" });
  const trainM = ones(split.train);
  const devM = ones(split.dev!);
  const testM = ones(split.test);
  const data: ProtocolData = {
    dataset: "sample-store" as ProtocolData["dataset"],
    protocol: "leave-last-out",
    nUsers: x.userIds.length,
    nItems: x.itemIds.length,
    userIds: x.userIds,
    itemIds: x.itemIds,
    items: store.items,
    train: trainM,
    validTrain: trainM,
    validTrainIsTrain: true,
    validate: (m) => evaluateRanking(m, { train: trainM, test: devM, ks: [10] }),
    primaryMetric: "hr@10",
  };
  return [{ data, evaluateTest: (m) => evaluateRanking(m, { train: trainM, test: testM, exclude: [devM], ks: [10] }) }];
}
