import {
  type Artifact,
  buildContentIndex,
  type CandidateSummary,
  encodeArtifact,
  FORMAT_VERSION,
  type NeighbourLists,
  NONE,
  quantizeNeighbours,
  quantizeVectors,
  stringTable,
  type TrainedOn,
} from "../../src/artifact/index.ts";
import type { CsrMatrix } from "../data/matrix.ts";
import type { Interactions, ItemMeta } from "../data/types.ts";
import { type Recommender, topK } from "../model/model.ts";
import type { AnnSettings } from "./ann.ts";
import { contentFeatures, normalizeCsrRows } from "./content-features.ts";
import { basketsFromInteractions, type TogetherParams, togetherLists } from "../lists/together.ts";
import { contentNeighbours } from "./content-neighbours.ts";
import { exactNeighbours, normalizeRows, type NeighbourRows } from "./exact-neighbours.ts";
import { displayTitle } from "./display-title.ts";
import { popularityOrder } from "./popularity.ts";
import { interactionsHash, versionId } from "./source-hash.ts";
import { recentHistories } from "./user-history.ts";
import { type ShardedArtifact, shardArtifact } from "./shard.ts";

export interface BuildOptions {
  /** Extra baskets (item indexes: orders, sessions, carts from purchase events; see trainer/lists/together.ts). */
  togetherBaskets?: number[][];
  together?: Partial<TogetherParams>;
  model: Recommender;
  /** More entries for `artifact.extra` beside `build`, e.g. `trainingHistory` for the demo's model card. */
  extra?: Record<string, unknown>;
  /** The training interactions the model was fitted on (model item/user indexes = theirs). */
  interactions: Interactions;
  /** Catalogue metadata; items absent from `interactions` are appended as cold items. */
  items: ItemMeta[];
  /** items × features (model item index space) for content neighbours; default: built from metadata. */
  itemFeatures?: CsrMatrix;
  metrics?: Record<string, number>;
  headlineMetric?: string;
  /** What the model was fitted on (header.trainedOn). */
  trainedOn?: TrainedOn;
  /** The models `--model auto` compared (header.candidates). */
  candidates?: CandidateSummary[];
  sourceHash?: string;
  /** Collaborative neighbours per item. */
  k?: number;
  /** Content neighbours per cold item. */
  contentK?: number;
  vectorEncoding?: "int8" | "float16";
  /** Recent items stored per user. */
  historyLength?: number;
  threads?: number;
  /**
   * Neighbours from item vectors by raw dot product (default) or cosine. Chosen on validation
   * (bench/artifact.ts --on-validation, ML-100k, hybrid WARP): aggregating dot-product lists
   * served P@10 0.062 (history) / 0.051 (basket) vs 0.046 / 0.036 with cosine.
   */
  neighbourMetric?: "cosine" | "dot";
  /** Store user vectors when the model has them (default true). */
  userVectors?: boolean;
  /**
   * Store the full model's top-N per user. Default: 50 when users × items <= 5e8 (scoring every
   * user stays cheap), else 0. bench/artifact.ts: precomputed lists serve exactly the model's
   * quality at ~204 bytes/user, while neighbour aggregation of the stored history loses up to
   * ~30% P@10 on ML-100k (EASE) and vector re-ranking of neighbour candidates ~18% (hybrid).
   */
  userTopN?: number;
  /** Above this many items, neighbours come from an approximate index (usearch). */
  annThreshold?: number;
  /** Items whose exact neighbours are compared with the approximate ones to report recall. */
  annRecallSample?: number;
  /** Overrides of the approximate index's settings (default: annSettingsFor the catalogue size). */
  ann?: Partial<AnnSettings>;
  createdAt?: Date;
  onProgress?: (stage: string, done: number, total: number) => void;
  log?: (line: string) => void;
}

export interface BuildReport {
  /** Set when neighbours came from the approximate index: recall@k against exact on a sample. */
  annRecall?: number;
  seconds: Record<string, number>;
}

/** Builds and encodes the artifact (see src/artifact/container.ts for the layout). */
export async function buildArtifact(options: BuildOptions): Promise<Uint8Array> {
  return encodeArtifact((await buildArtifactObject(options)).artifact);
}

/** Builds the artifact object without encoding it (for sharding, benches and tests). */
export async function buildArtifactObject(options: BuildOptions): Promise<{ artifact: Artifact; report: BuildReport }> {
  const { model, interactions } = options;
  const k = options.k ?? 20;
  const contentK = options.contentK ?? 20;
  const log = options.log ?? (() => {});
  const seconds: Record<string, number> = {};
  const timed = async <T>(stage: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    seconds[stage] = (performance.now() - t0) / 1000;
    return r;
  };

  // Item index space: the model's items first (same indexes), then catalogue-only items.
  const ids = [...interactions.itemIds];
  const position = new Map<string, number>();
  ids.forEach((id, i) => position.set(id, i));
  const meta: Array<ItemMeta | undefined> = new Array(ids.length);
  for (const item of options.items) {
    let i = position.get(item.id);
    if (i === undefined) {
      i = ids.length;
      ids.push(item.id);
      position.set(item.id, i);
    }
    meta[i] = item;
  }
  const n = ids.length;
  const modelItems = interactions.itemIds.length;
  const itemIndex = Uint32Array.from({ length: modelItems }, (_, i) => i);

  const itemInteractions = new Uint32Array(n);
  for (let p = 0; p < interactions.items.length; p++) itemInteractions[interactions.items[p]]++;

  const categoryNames: string[] = [];
  const categoryIndex = new Map<string, number>();
  const topCategory = new Uint32Array(n).fill(NONE);
  for (let i = 0; i < n; i++) {
    const top = meta[i]?.categories?.[0];
    if (!top) continue;
    let c = categoryIndex.get(top);
    if (c === undefined) {
      c = categoryNames.length;
      categoryNames.push(top);
      categoryIndex.set(top, c);
    }
    topCategory[i] = c;
  }

  // Collaborative neighbours.
  const vectors = model.itemVectors?.();
  const warm = new Uint32Array(itemInteractions.subarray(0, modelItems).reduce((s, c) => s + (c > 0 ? 1 : 0), 0));
  for (let i = 0, w = 0; i < modelItems; i++) if (itemInteractions[i] > 0) warm[w++] = i;
  let report: BuildReport = { seconds };
  const collaborative = await timed("neighbours", async (): Promise<NeighbourRows> => {
    if (vectors) {
      const rows = Math.min(modelItems, vectors.vectors.length / vectors.dim);
      const base = vectors.vectors.subarray(0, rows * vectors.dim);
      const searchVectors = (options.neighbourMetric ?? "dot") === "cosine" ? normalizeRows(base, vectors.dim) : base;
      const annThreshold = options.annThreshold ?? 200_000;
      if (rows > annThreshold) {
        const { approximateNeighbours } = await import("./ann.ts");
        const result = await approximateNeighbours({
          vectors: searchVectors,
          dim: vectors.dim,
          k,
          candidates: warm,
          threads: options.threads,
          recallSample: options.annRecallSample ?? 1000,
          ...options.ann,
          onProgress: (d, t) => options.onProgress?.("neighbours (approximate)", d, t),
          onPool: ({ poolSize, searchRecall }) => log(`approximate neighbours: index search recall@${k} ${searchRecall.toFixed(4)}; exact re-rank over the ${poolSize} items it found`),
        });
        report = { ...report, annRecall: result.recall };
        log(`approximate neighbours: recall@${k} against exact on ${result.sampled} items = ${result.recall.toFixed(4)}`);
        return result.rows;
      }
      return exactNeighbours({
        vectors: searchVectors,
        dim: vectors.dim,
        k,
        candidates: warm,
        threads: options.threads,
        onProgress: (d, t) => options.onProgress?.("neighbours", d, t),
      });
    }
    if (model.itemSimilarities) return similarityNeighbours(model, modelItems, k, itemInteractions, (d, t) => options.onProgress?.("neighbours", d, t));
    throw new Error(
      `model "${model.name}" has neither item vectors nor item similarities, so it cannot give neighbour lists; ` +
        "build the artifact from a factorisation model, EASE or item-kNN",
    );
  });
  const neighbourIds = new Uint32Array(n * k).fill(NONE);
  const neighbourScores = new Float32Array(n * k);
  neighbourIds.set(collaborative.ids.subarray(0, Math.min(collaborative.ids.length, n * k)));
  neighbourScores.set(collaborative.scores.subarray(0, Math.min(collaborative.scores.length, n * k)));

  // Content neighbours for cold items, so a new product still gets similar items.
  const content = await timed("contentNeighbours", () => {
    const cold = new Uint8Array(n);
    for (let i = 0; i < n; i++) cold[i] = itemInteractions[i] === 0 ? 1 : 0;
    const given = options.itemFeatures;
    const features =
      given && given.nRows === n
        ? normalizeCsrRows(given)
        : contentFeatures(Array.from({ length: n }, (_, i) => meta[i] ?? { id: ids[i] }));
    return contentNeighbours(features, cold, contentK, itemInteractions);
  });

  const popular = popularityOrder(itemInteractions, topCategory, categoryNames.length);
  const history = recentHistories(interactions, options.historyLength ?? 50, itemIndex);

  const encoding = options.vectorEncoding ?? "int8";
  const fullVectors = vectors ? padRows(vectors.vectors, vectors.dim, n) : undefined;
  const users: Artifact["users"] = { ids: stringTable(interactions.userIds, true), ...history };
  const userVectors = options.userVectors !== false ? model.userVectors?.() : undefined;
  if (userVectors && vectors && userVectors.dim === vectors.dim) {
    users.vectors = quantizeVectors(padRows(userVectors.vectors, userVectors.dim, interactions.userIds.length), userVectors.dim, encoding);
    if (userVectors.biases) users.biases = Float32Array.from(userVectors.biases.subarray(0, interactions.userIds.length));
  }
  const userTopN = options.userTopN ?? (interactions.userIds.length * modelItems <= 5e8 ? 50 : 0);
  if (userTopN > 0) {
    Object.assign(users, await timed("userTopN", () => userTopLists(model, interactions, userTopN, modelItems, (d, t) => options.onProgress?.("user top-N", d, t))));
  }

  const createdAt = options.createdAt ?? new Date();
  const sourceHash = options.sourceHash ?? interactionsHash(interactions);
  const params = model.params();
  const artifact: Artifact = {
    header: {
      formatVersion: FORMAT_VERSION,
      version: versionId(createdAt, sourceHash, model.name, JSON.stringify(params)),
      createdAt: createdAt.toISOString(),
      sourceHash,
      model: { type: model.name, params },
      metrics: options.metrics ?? {},
      headlineMetric: options.headlineMetric ?? Object.keys(options.metrics ?? {})[0] ?? "",
      counts: { items: n, users: interactions.userIds.length, categories: categoryNames.length },
      ...(options.trainedOn ? { trainedOn: options.trainedOn } : {}),
      ...(options.candidates ? { candidates: options.candidates } : {}),
      ...(model.sequenceSettings ? { sequence: model.sequenceSettings() } : {}),
    },
    items: {
      ids: stringTable(ids, true),
      titles: stringTable(ids.map((id, i) => displayTitle(meta[i], id))),
      brands: stringTable(ids.map((_, i) => meta[i]?.brand ?? "")),
      categoryPaths: stringTable(ids.map((_, i) => (meta[i]?.categories ?? []).join(" > "))),
      imageUrls: stringTable(ids.map((_, i) => meta[i]?.imageUrl ?? "")),
      urls: stringTable(ids.map((_, i) => meta[i]?.url ?? "")),
      prices: Float32Array.from(ids, (_, i) => (typeof meta[i]?.price === "number" && Number.isFinite(meta[i]!.price) ? meta[i]!.price! : NaN)),
      topCategory,
    },
    categories: { names: stringTable(categoryNames) },
    neighbours: quantizeNeighbours(k, neighbourIds, neighbourScores),
    contentNeighbours: quantizeNeighbours(contentK, content.ids, content.scores, content.ptr),
    itemInteractions,
    popular,
    users,
    extra: {
      ...options.extra,
      build: {
        k,
        contentK,
        vectorEncoding: encoding,
        historyLength: options.historyLength ?? 50,
        userTopN,
        neighbourMetric: vectors ? (options.neighbourMetric ?? "dot") : "similarity",
        neighbourSource: vectors ? (report.annRecall !== undefined ? "approximate" : "exact") : "itemSimilarities",
        ...(report.annRecall !== undefined ? { annRecall: report.annRecall } : {}),
      },
    },
  };
  // Frequently bought together, from review baskets (a user's items of one day) plus any event baskets given.
  artifact.together = await timed("together", () =>
    togetherLists([...basketsFromInteractions(interactions), ...(options.togetherBaskets ?? [])], n, options.together),
  );
  // New products added through the live overlay are matched against this (src/merch/new-items.ts).
  artifact.contentIndex = await timed("contentIndex", () =>
    buildContentIndex(n, (i) => ({ title: meta[i]?.title ?? "", brand: meta[i]?.brand ?? "", category: (meta[i]?.categories ?? []).join(" > ") }), itemInteractions),
  );
  if (fullVectors && vectors) {
    artifact.itemVectors = quantizeVectors(fullVectors, vectors.dim, encoding);
    if (vectors.biases) artifact.itemBiases = padRows(vectors.biases, 1, n);
  }
  return { artifact, report };
}

/** Copies rows into an n-row matrix (missing rows zero). */
function padRows(values: Float32Array, dim: number, n: number): Float32Array {
  const out = new Float32Array(n * dim);
  out.set(values.subarray(0, Math.min(values.length, n * dim)));
  return out;
}

/** Neighbours from a model's item–item similarity rows (EASE, item-kNN): positive scores only. */
function similarityNeighbours(
  model: Recommender,
  nItems: number,
  k: number,
  itemInteractions: Uint32Array,
  onProgress: (done: number, total: number) => void,
): NeighbourRows {
  const row = new Float32Array(nItems);
  const ids = new Uint32Array(nItems * k).fill(NONE);
  const scores = new Float32Array(nItems * k);
  for (let i = 0; i < nItems; i++) {
    row.fill(0);
    model.itemSimilarities!(i, row);
    row[i] = NaN;
    for (let j = 0; j < nItems; j++) if (!(row[j] > 0) || itemInteractions[j] === 0) row[j] = NaN;
    const best = topK(row, k);
    for (let j = 0; j < best.length; j++) {
      ids[i * k + j] = best[j];
      scores[i * k + j] = row[best[j]];
    }
    if (i % 256 === 255 || i === nItems - 1) onProgress(i + 1, nItems);
  }
  return { k, ids, scores };
}

/** The full model's top-N per user, excluding everything the user interacted with. */
function userTopLists(
  model: Recommender,
  interactions: Interactions,
  topN: number,
  nItems: number,
  onProgress: (done: number, total: number) => void,
): { topPtr: Uint32Array; topIds: Uint32Array } {
  const nUsers = interactions.userIds.length;
  const seen: number[][] = Array.from({ length: nUsers }, () => []);
  for (let p = 0; p < interactions.users.length; p++) seen[interactions.users[p]].push(interactions.items[p]);
  const scores = new Float32Array(nItems);
  const topPtr = new Uint32Array(nUsers + 1);
  const ids: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const history = Int32Array.from(seen[u]);
    model.scoreUser(u, scores, history);
    for (const item of topK(scores, topN, history)) ids.push(item);
    topPtr[u + 1] = ids.length;
    if (u % 256 === 255 || u === nUsers - 1) onProgress(u + 1, nUsers);
  }
  return { topPtr, topIds: Uint32Array.from(ids) };
}

/** The sharded variant: a manifest plus self-contained shards, each under `maxShardBytes` (<= 25 MiB). */
export async function buildShardedArtifact(options: BuildOptions & { maxShardBytes?: number }): Promise<ShardedArtifact> {
  const { artifact } = await buildArtifactObject(options);
  return shardArtifact(artifact, { maxShardBytes: options.maxShardBytes });
}
