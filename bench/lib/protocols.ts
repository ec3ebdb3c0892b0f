import { loadDataset, loadSplitFiles } from "../../trainer/data/load.ts";
import { interactionsToCsr } from "../../trainer/data/interactions-matrix.ts";
import type { CsrMatrix } from "../../trainer/data/matrix.ts";
import type { Interactions } from "../../trainer/data/types.ts";
import { pairRocAuc, scorePairs } from "../../trainer/eval/pair-auc.ts";
import { evaluateRanking, type Metrics } from "../../trainer/eval/ranking.ts";
import { holdOutPerUser, leaveLastOut } from "../../trainer/eval/splits.ts";
import type { ItemSequences, Recommender } from "../../trainer/model/model.ts";
import { sequencesFromInteractions } from "../../trainer/data/item-sequences.ts";
import { evaluateOnTest, loadSequenceSplit, validateOnDev } from "./sequence-protocol.ts";
import { createRng } from "../../trainer/util/rng.ts";
import type { DatasetName, Protocol, ProtocolData } from "./contender.ts";
import { dataFile } from "./data-root.ts";
import { sampleStoreProtocols } from "./sample-store-protocol.ts";

export const datasetFiles: Record<DatasetName, string[]> = {
  "movielens-100k": ["ua.base.gz", "ua.test.gz", "u.item.gz", "u.user.gz"].map((f) => dataFile("movielens-100k", f)),
  "amazon-grocery-2014": ["train.csv.gz", "dev.csv.gz", "test.csv.gz", "item_meta.csv.gz"].map((f) => dataFile("amazon-grocery-2014-5core", f)),
  "amazon-gift-cards-2018": [dataFile("amazon-gift-cards-2018", "Gift_Cards_5.json.gz"), dataFile("amazon-gift-cards-2018", "meta_Gift_Cards.json.gz")],
  // Generated in code (trainer/sample), nothing to read.
  "sample-store": [],
  "amazon-toys-2014-seq": ["Toys_and_Games.txt.gz", "Toys_and_Games_item2attributes.json.gz"].map((f) => dataFile("amazon-toys-2014-5core-seq", f)),
  "amazon-sports-2014-seq": ["Sports_and_Outdoors.txt.gz", "Sports_and_Outdoors_item2attributes.json.gz"].map((f) => dataFile("amazon-sports-2014-5core-seq", f)),
};

const KS = [10];
/** Ratings >= 4 as positives (lower ratings dropped): the ua-min4 protocol's training and test signal. */
const positives = (x: Interactions) => interactionsToCsr(x, { kind: "positives", threshold: 4 });
const ones = (x: Interactions) => interactionsToCsr(x, { kind: "ones" });
const stars = (x: Interactions) => interactionsToCsr(x, { kind: "rating" });

function pairLabels(x: Interactions): { users: Int32Array; items: Int32Array; labels: Float32Array } {
  const labels = new Float32Array(x.ratings.length);
  for (let k = 0; k < labels.length; k++) labels[k] = x.ratings[k] >= 4 ? 1 : 0;
  return { users: x.users, items: x.items, labels };
}

function pairMetrics(model: Recommender, nItems: number, x: Interactions): Metrics {
  const p = pairLabels(x);
  return { pairAuc: pairRocAuc(scorePairs(model, nItems, p.users, p.items), p.labels) };
}

/** ML-100k validation for a seed: 10 ratings per user held out of ua.base. */
const uaValidationSplit = (train: Interactions, seed: number) => holdOutPerUser(train, 10, createRng(1000 + seed));

/**
 * ua-min4 on a hold-out of ua.base: fit on the positives of its train part, scored on its held-out
 * positives, with @20 beside @10 since the blend search picks its weights by NDCG@20 (hybrid.ts).
 */
function uaRankingFold(held: { train: Interactions; valid: Interactions }): { train: CsrMatrix; validate: (m: Recommender) => Metrics } {
  const train = positives(held.train);
  const valid = positives(held.valid);
  return { train, validate: (m: Recommender) => evaluateRanking(m, { train, test: valid, ks: [...KS, 20] }) };
}

/**
 * ML-100k ua.base / ua.test (the anchors' protocol): `ua-min4` ranks ratings >= 4 (lower ratings dropped)
 * against all 1,682 items, train excluded; `ua-rating-class` is one global ROC AUC over the
 * 9,430 ua.test pairs labelled rating >= 4. Validation: 10 ratings per user held out of ua.base.
 * Rating classification also hands contenders the star ratings and the u.user demographics
 * (ranking ratings >= 4 does not: the protocol drops ratings 1–3).
 */

export async function movielensProtocols(files: { base: string; test: string; items: string; users: string }, seed: number): Promise<Protocol[]> {
  const { base, test, items: meta, users } = files;
  const { dataset, train, test: testX } = await loadSplitFiles(
    { train: base, test },
    { format: "delimited", delimiter: "\t", header: false, columns: { user: 0, item: 1, rating: 2, time: 3 }, items: meta, itemsFormat: "movielens-item", userFeatures: users },
  );
  const nItems = dataset.interactions.itemIds.length;
  const nUsers = dataset.interactions.userIds.length;
  const held = uaValidationSplit(train, seed);
  const common = { nUsers, nItems, userIds: dataset.interactions.userIds, itemIds: dataset.interactions.itemIds, items: dataset.items, userFeatures: dataset.userFeatures };

  const trainPos = positives(train);
  const validation = uaRankingFold(held);
  const testPos = positives(testX!);
  const min4: Protocol = {
    data: {
      ...common,
      dataset: "movielens-100k",
      protocol: "ua-min4",
      train: trainPos,
      validTrain: validation.train,
      validTrainIsTrain: false,
      validate: validation.validate,
      primaryMetric: "p@10",
    },
    evaluateTest: (m) => evaluateRanking(m, { train: trainPos, test: testPos, ks: KS }),
  };

  const labels = (x: Interactions) => interactionsToCsr(x, { kind: "labels", threshold: 4 });
  const ratingClass: Protocol = {
    data: {
      ...common,
      dataset: "movielens-100k",
      protocol: "ua-rating-class",
      train: labels(train),
      validTrain: labels(held.train),
      validTrainIsTrain: false,
      // The protocol trains on ua.base with its star ratings: explicit-rating models use all five levels.
      ratings: { train: stars(train), validTrain: stars(held.train) },
      validPairs: pairLabels(held.valid),
      validate: (m) => pairMetrics(m, nItems, held.valid),
      primaryMetric: "pairAuc",
    },
    evaluateTest: (m) => pairMetrics(m, nItems, testX!),
  };
  return [min4, ratingClass];
}

/** Leave-last-out with dev as the validation split; test ranked with train ∪ dev excluded. */
function leaveLastOutProtocol(
  name: DatasetName,
  dataset: { interactions: Interactions; items: ProtocolData["items"] },
  trainM: CsrMatrix,
  devM: CsrMatrix,
  testM: CsrMatrix,
  sequences?: ItemSequences,
): Protocol[] {
  return [
    {
      data: {
        dataset: name,
        protocol: "leave-last-out",
        nUsers: dataset.interactions.userIds.length,
        nItems: dataset.interactions.itemIds.length,
        userIds: dataset.interactions.userIds,
        itemIds: dataset.interactions.itemIds,
        items: dataset.items,
        train: trainM,
        sequences,
        validTrain: trainM,
        validTrainIsTrain: true,
        validate: (m) => evaluateRanking(m, { train: trainM, test: devM, ks: KS }),
        primaryMetric: "hr@10",
      },
      evaluateTest: (m) => evaluateRanking(m, { train: trainM, test: testM, exclude: [devM], ks: KS }),
    },
  ];
}

/**
 * Amazon Grocery 2014 5-core, ReChorus leave-last-out (the anchors' protocol): fit on train.csv only,
 * test.csv ranked against all 8,713 items with train ∪ dev excluded. dev.csv is the validation split.
 */
async function grocery(): Promise<Protocol[]> {
  const [trainF, devF, testF, meta] = datasetFiles["amazon-grocery-2014"];
  const { dataset, train, dev, test } = await loadSplitFiles(
    { train: trainF, dev: devF, test: testF },
    { format: "delimited", items: meta, itemsFormat: "rechorus-meta" },
  );
  return leaveLastOutProtocol("amazon-grocery-2014", dataset, ones(train), ones(dev!), ones(test!), sequencesFromInteractions(train));
}

/**
 * Amazon 2018 Gift Cards 5-core (no anchor): our own leave-last-out by time with dev; ranked
 * among the 148 reviewed items (catalogue-only items are left out: nothing could rank them).
 */
async function giftCards(): Promise<Protocol[]> {
  const [reviews, meta] = datasetFiles["amazon-gift-cards-2018"];
  const dataset = await loadDataset({ interactions: [reviews], format: "amazon-reviews", items: meta, itemsFormat: "amazon-meta", includeCatalogueItems: false });
  const split = leaveLastOut(dataset.interactions, { dev: true });
  return leaveLastOutProtocol("amazon-gift-cards-2018", dataset, ones(split.train), ones(split.dev!), ones(split.test), sequencesFromInteractions(split.train));
}

/**
 * Amazon Toys / Sports 2014 5-core sequences (S3-Rec preprocessing), leave-last-out as ANCHORS.md
 * gives it: fit on train; dev scored from the train sequence, test from train + dev (see
 * sequence-protocol.ts); train ∪ dev excluded from ranking. Test metrics carry 95% bootstrap
 * intervals over users, and the test read from the train sequence alone beside them
 * (`…/trainHistory`), since order-blind anchors may have been scored that way.
 */
async function sequenceSet(name: DatasetName): Promise<Protocol[]> {
  const [file, attributes] = datasetFiles[name];
  const s = await loadSequenceSplit(file, attributes);
  return [
    {
      data: {
        dataset: name,
        protocol: "leave-last-out",
        nUsers: s.nUsers,
        nItems: s.nItems,
        userIds: s.userIds,
        itemIds: s.itemIds,
        items: s.items,
        train: s.train,
        sequences: s.trainSequences,
        validTrain: s.train,
        validTrainIsTrain: true,
        validate: (m) => validateOnDev(m, s),
        primaryMetric: "ndcg@10",
      },
      evaluateTest: (m) => evaluateOnTest(m, s),
    },
  ];
}

export async function loadProtocols(dataset: DatasetName, seed: number): Promise<Protocol[]> {
  if (dataset === "amazon-toys-2014-seq" || dataset === "amazon-sports-2014-seq") return sequenceSet(dataset);
  if (dataset === "movielens-100k") {
    const [base, test, items, users] = datasetFiles["movielens-100k"];
    return movielensProtocols({ base, test, items, users }, seed);
  }
  if (dataset === "amazon-grocery-2014") return grocery();
  if (dataset === "sample-store") return sampleStoreProtocols(seed);
  return giftCards();
}

export type { CsrMatrix };
