/**
 * `npm run bench:scale [-- --items 100000 --interactions 2000000] [-- --json] [-- --epochs 3]
 *   [-- --budget-min 30] [-- --recall-sample 10000] [-- --no-serve] [-- --no-shard] [-- --threads 2]
 *   [-- --vectors-cache DIR] [-- --train-only] [-- --ann-degree 16 --ann-add 128 --ann-beam 84 --ann-ip]`
 *
 * The million-product run, bounded by flags:
 *  1. generate a seeded synthetic catalogue (trainer/scale/synthetic.ts: typed arrays, user by user);
 *  2. train the hybrid factorisation model (WARP, 32 dims, Hogwild threads), stopping early when the
 *     next epoch would overrun --budget-min; peak RSS from ru_maxrss (covers worker threads);
 *  3. neighbour lists from the approximate index (usearch), recall@20 against exact on a sample;
 *  4. the sharded artifact (manifest + shards < 25 MiB), published to local R2 like `edgerec publish --local`;
 *  5. served by local `wrangler dev`: first response, cold-shard and warm similar-items latency,
 *     a 10-item basket, and the workerd process's resident memory, beside a small catalogue.
 * Other engineers share the 2 cores, so timings are pessimistic.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringAt, type Artifact } from "../src/artifact/index.ts";
import type { AnnSettings } from "../trainer/artifact/ann.ts";
import { buildArtifactObject } from "../trainer/artifact/build.ts";
import { shardArtifact } from "../trainer/artifact/shard.ts";
import type { Interactions, ItemMeta } from "../trainer/data/types.ts";
import { HybridMF } from "../trainer/model/hybrid.ts";
import { generateSynthetic, leafName, syntheticItemId, syntheticTitle, syntheticUserId, topName } from "../trainer/scale/synthetic.ts";
import { createRng } from "../trainer/util/rng.ts";
import type { Recommender } from "../trainer/model/model.ts";
import { loadVectors, saveVectors } from "./lib/frozen-vectors.ts";
import { type DevServer, isolateHeap, startWranglerDev } from "../tools/dev/wrangler-dev.ts";
import { syntheticArtifact } from "../tools/dev/synthetic-artifact.ts";
import { publishLocal } from "../trainer/artifact/publish-local.ts";
import { seedLocalR2 } from "../tools/dev/seed-local-r2.ts";
import { parseArgs } from "./lib/args.ts";
import { writeJsonLine } from "./lib/json-lines.ts";
import { peakRssMb } from "./lib/rss.ts";
import { percentile } from "./lib/percentile.ts";
import { formatTable } from "./lib/table.ts";

const args = parseArgs(process.argv.slice(2));
const json = args.has("json");
const nItems = Number(args.get("items") ?? 1_000_000);
const nInteractions = Number(args.get("interactions") ?? 20_000_000);
const epochs = Number(args.get("epochs") ?? 3);
const budgetMin = Number(args.get("budget-min") ?? 30);
const recallSample = Number(args.get("recall-sample") ?? 10_000);
const threads = Number(args.get("threads") ?? 2);
const dim = Number(args.get("dim") ?? 32);
// --no-shard stops after the neighbour lists (and implies --no-serve): for runs where only training and ANN are measured.
const shard = !args.has("no-shard");
// --vectors-cache keeps the trained vectors (and the training run's time and memory) in DIR; a later run with
// the same catalogue and model settings reuses them instead of training ~20 min again. --train-only stops there.
const cacheArg = args.get("vectors-cache");
if (cacheArg === true) throw new Error("--vectors-cache needs a directory, e.g. --vectors-cache /tmp/edgerec-1m-vectors");
const vectorsCache = cacheArg;
const trainOnly = args.has("train-only");
const serve = shard && !args.has("no-serve");
const seed = Number(args.get("seed") ?? 20261129);
const K = 20;

const log = (line: string) => process.stderr.write(`bench:scale: ${line}\n`);
const rows: (string | number)[][] = [];
const metrics: Record<string, number | string> = {};
function record(name: string, value: number, unit: string, target: string, key: string) {
  rows.push([name, value, unit, target]);
  metrics[key] = value;
}
const seconds = (t0: number) => (performance.now() - t0) / 1000;

// 1. Generate.
let t0 = performance.now();
const cat = generateSynthetic({ items: nItems, interactions: nInteractions, seed }, (done, total) => {
  if (done > 0 && done % 262_144 === 0) log(`generated ${done}/${total} shoppers`);
});
record("generate catalogue", seconds(t0), "s", "", "generateSeconds");
log(`catalogue: ${cat.nItems} items, ${cat.nUsers} shoppers, ${cat.interactions.indices.length} interactions, ${cat.leafCategories} leaf categories`);

// 2. Train (or restore the vectors a previous run trained on the same catalogue and settings).
const budgetMs = budgetMin * 60_000;
const hybridParams = { loss: "warp", components: dim, epochs, threads, learningRate: 0.05, useItemFeatures: false } as const;
const cacheKey = JSON.stringify({ nItems, nInteractions, seed, budgetMin, ...hybridParams });
const cached = vectorsCache ? loadVectors(vectorsCache, cacheKey) : undefined;
let model: Recommender;
let trainedEpochs = 0;
if (cached) {
  log(`restored the vectors trained at ${cached.record.trainedAt} from ${vectorsCache}`);
  model = cached.model;
  trainedEpochs = cached.record.epochs;
  record(`train hybrid WARP ${dim}d, ${threads} threads (${trainedEpochs} epochs; run of ${cached.record.trainedAt})`, cached.record.trainSeconds, "s", "<= 1800 s at 1M x 20M", "trainSeconds");
  record("peak RSS (training run)", cached.record.trainPeakRssMb, "MiB", "<= 16384", "trainPeakRssMb");
} else {
  const hybrid = new HybridMF(hybridParams, "hybrid");
  model = hybrid;
  trainedEpochs = await train(hybrid);
}
metrics.epochs = trainedEpochs;
if (trainOnly) {
  console.log(formatTable(["measure", "value", "unit", "target"], rows));
  if (json) writeJsonLine({ bench: "scale", items: nItems, interactions: nInteractions, users: cat.nUsers, threads, dim, metrics });
  process.exit(0);
}

async function train(hybrid: HybridMF): Promise<number> {
  const t0 = performance.now();
  let done = 0;
  await hybrid.fit({
    interactions: cat.interactions,
    itemFeatures: cat.itemFeatures,
    rng: createRng(seed),
    onEpoch: (epoch, info) => {
      done = epoch;
      const elapsed = performance.now() - t0;
      log(`epoch ${epoch}/${epochs}: loss ${info.loss?.toFixed(4)}, ${(elapsed / 1000).toFixed(0)} s, peak RSS ${peakRssMb().toFixed(0)} MiB`);
      // Stop when one more epoch (as long as the mean so far) would overrun the budget.
      return elapsed + elapsed / epoch > budgetMs;
    },
  });
  const trainSeconds = seconds(t0);
  record(`train hybrid WARP ${dim}d, ${threads} threads (${done} epochs)`, trainSeconds, "s", "<= 1800 s at 1M x 20M", "trainSeconds");
  record("peak RSS so far (training)", Math.round(peakRssMb()), "MiB", "<= 16384", "trainPeakRssMb");
  if (vectorsCache) {
    saveVectors(
      vectorsCache,
      { key: cacheKey, name: hybrid.name, params: hybrid.params(), epochs: done, trainSeconds, trainPeakRssMb: Math.round(peakRssMb()), trainedAt: new Date().toISOString() },
      hybrid.itemVectors(),
      hybrid.userVectors(),
    );
    log(`saved the trained vectors to ${vectorsCache}`);
  }
  return done;
}

// 3. Neighbours (approximate) + artifact object.
const interactions = toInteractions(cat);
const items: ItemMeta[] = Array.from({ length: nItems }, (_, i) => {
  const leaf = cat.itemLeaf[i];
  return {
    id: syntheticItemId(i),
    title: syntheticTitle(i),
    brand: `Brand ${i % 97}`,
    categories: leafName(leaf, cat.topCategories).split(" > "),
    price: 1 + ((i * 7919) % 5000) / 100,
    imageUrl: `https://img.example/p/${syntheticItemId(i)}.jpg`,
    url: `https://shop.example/p/${syntheticItemId(i)}`,
  };
});
t0 = performance.now();
const { artifact, report } = await buildArtifactObject({
  model,
  interactions,
  items,
  itemFeatures: cat.itemFeatures,
  k: K,
  threads,
  annThreshold: Math.min(200_000, nItems - 1),
  annRecallSample: Math.min(recallSample, nItems),
  ann: annOverrides(),
  historyLength: 20,
  // Per-user top-N would score every item for every shopper: 10^12 dot products at this scale.
  userTopN: 0,
  metrics: { epochs: trainedEpochs },
  log,
  onProgress: (() => {
    const shown = new Map<string, number>();
    return (stage: string, done: number, total: number) => {
      const decile = Math.floor((10 * done) / Math.max(1, total));
      if (shown.get(stage) === decile) return;
      shown.set(stage, decile);
      log(`${stage}: ${done}/${total}`);
    };
  })(),
});
record("build artifact (ANN neighbours, content, popularity)", seconds(t0), "s", "", "buildSeconds");
record("  of which neighbours (HNSW index + search + exact recall sample)", report.seconds.neighbours ?? NaN, "s", "<= 900 s at 1M", "annSeconds");
record(`neighbour recall@${K} vs exact (${Math.min(recallSample, nItems)}-item sample)`, report.annRecall ?? NaN, "", ">= 0.95", "annRecall@20");

record("peak RSS (whole run so far)", Math.round(peakRssMb()), "MiB", "<= 16384", "peakRssMb");
if (!shard) {
  console.log(formatTable(["measure", "value", "unit", "target"], rows));
  if (json) writeJsonLine({ bench: "scale", items: nItems, interactions: nInteractions, users: cat.nUsers, threads, dim, metrics });
  process.exit(0);
}

// 4. Shard and publish.
t0 = performance.now();
const { manifest, shards } = await shardArtifact(artifact);
const shardBytes = shards.map((s) => s.length);
record("shard artifact", seconds(t0), "s", "", "shardSeconds");
record("shards", shards.length, "", "", "shards");
record("largest shard", Math.round(Math.max(...shardBytes) / 1024 / 1024 * 10) / 10, "MiB", "< 25", "largestShardMiB");
record("manifest", Math.round(manifest.length / 1024 / 1024 * 10) / 10, "MiB", "", "manifestMiB");
record("artifact total (manifest + shards)", Math.round((manifest.length + shardBytes.reduce((a, b) => a + b, 0)) / 1024 / 1024), "MiB", "", "totalMiB");
record("peak RSS (whole run so far)", Math.round(peakRssMb()), "MiB", "<= 16384", "peakRssMb");

const version = artifact.header.version;
const sampleIds = pickItemsPerShard(artifact, shards.length);
const basketIds = Array.from({ length: 10 }, (_, j) => syntheticItemId(Math.floor(((j + 0.5) * nItems) / 10)));
// Free what the serving phase does not need before starting workerd.
interactions.users = new Int32Array(0);

if (serve) {
  const persist = tempDir("edgerec-scale-");
  const outDir = join(persist, "build");
  mkdirSync(outDir, { recursive: true });
  shards.forEach((s, i) => writeFileSync(join(outDir, `shard-${i}.bin`), s));
  writeFileSync(join(outDir, "manifest.bin"), manifest);
  t0 = performance.now();
  await publishLocal(persist, join(outDir, "manifest.bin"));
  record("publish to local R2", seconds(t0), "s", "", "publishSeconds");
  rmSync(outDir, { recursive: true, force: true });
  try {
    await measureServing(persist, version, sampleIds, basketIds, "large");
    const small = tempDir("edgerec-scale-small-");
    try {
      const smallArtifact = syntheticArtifact({ items: 2000, users: 200, version: "20261129T015900Z-5ca1e000" });
      await seedLocalR2(small, smallArtifact, { layout: "single" });
      const smallIds = Array.from({ length: 8 }, (_, i) => stringAt(smallArtifact.items.ids, i * 200));
      await measureServing(small, smallArtifact.header.version, smallIds, smallIds.slice(0, 8), "small");
    } finally {
      rmSync(small, { recursive: true, force: true });
    }
  } finally {
    rmSync(persist, { recursive: true, force: true });
  }
}

console.log(formatTable(["measure", "value", "unit", "target"], rows));
if (json) writeJsonLine({ bench: "scale", items: nItems, interactions: nInteractions, users: cat.nUsers, threads, dim, metrics });

/** --ann-degree / --ann-add / --ann-beam / --ann-ip (raw inner-product graph) override annSettingsFor, for measuring settings. */
function annOverrides(): Partial<AnnSettings> {
  const out: Partial<AnnSettings> = {};
  const set = (flag: string, key: "connectivity" | "expansionAdd" | "expansionSearch") => {
    if (args.has(flag)) out[key] = Number(args.get(flag));
  };
  set("ann-degree", "connectivity");
  set("ann-add", "expansionAdd");
  set("ann-beam", "expansionSearch");
  if (args.has("ann-ip")) out.mips = false;
  if (args.has("ann-pool")) out.poolRerank = true;
  return out;
}

function toInteractions(c: typeof cat): Interactions {
  const n = c.interactions.indices.length;
  const users = new Int32Array(n);
  for (let u = 0; u < c.nUsers; u++) users.fill(u, c.interactions.indptr[u], c.interactions.indptr[u + 1]);
  return {
    userIds: Array.from({ length: c.nUsers }, (_, u) => syntheticUserId(u)),
    itemIds: Array.from({ length: c.nItems }, (_, i) => syntheticItemId(i)),
    users,
    items: c.interactions.indices,
    ratings: new Float32Array(n).fill(NaN),
    times: new Float64Array(n).fill(NaN),
  };
}

/** Up to 8 warm items spread over the catalogue (the build renumbers items, so they fall in different item shards). */
function pickItemsPerShard(a: Artifact, nShards: number): string[] {
  const n = a.header.counts.items;
  const count = Math.min(8, nShards);
  return Array.from({ length: count }, (_, s) => {
    let i = Math.floor(((s + 0.5) * n) / count);
    while (a.itemInteractions[i] === 0 && i < n - 1) i++;
    return stringAt(a.items.ids, i);
  });
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Resident memory (MiB) of the workerd processes in the dev server's process group. */
function workerdRssMb(dev: DevServer): number {
  try {
    const out = execFileSync("ps", ["-o", "rss=,comm=", "-g", String(dev.pid)], { encoding: "utf8" });
    return out
      .split("\n")
      .filter((l) => /workerd/.test(l))
      .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[0]) / 1024, 0);
  } catch {
    return NaN;
  }
}

async function timedGet(url: string, init?: RequestInit): Promise<{ ms: number; status: number; body: string }> {
  const t = performance.now();
  const res = await fetch(url, init);
  const body = await res.text();
  return { ms: performance.now() - t, status: res.status, body };
}

async function measureServing(persist: string, version: string, ids: string[], basket: string[], label: "large" | "small"): Promise<void> {
  const dev = await startWranglerDev({ persistDir: persist, vars: { ARTIFACT_RECHECK_SECONDS: "3600", RATE_LIMIT: "off" }, frozen: true, inspector: true, timeoutMs: 90_000 });
  try {
    const idle = workerdRssMb(dev);
    const similar = (id: string) => `${dev.url}/v1/items/${encodeURIComponent(id)}/similar?k=10`;
    const first = await timedGet(similar(ids[0]));
    if (first.status !== 200) {
      log(`${label}: first request answered ${first.status}: ${first.body.slice(0, 300)}`);
      rows.push([`${label}: serving`, NaN, "", `not served (${first.status})`]);
      metrics[`${label}ServeStatus`] = first.status;
      return;
    }
    if (!first.body.includes(version)) log(`${label}: unexpected version in ${first.body.slice(0, 200)}`);
    record(`${label}: first similar-items (cold start)`, round(first.ms), "ms", "", `${label}ColdStartMs`);
    // Cold shard: the first request that touches each further shard, then the same item warm.
    const cold: number[] = [];
    const warmOfCold: number[] = [];
    for (const id of ids.slice(1)) {
      const c = await timedGet(similar(id));
      if (c.status === 200) cold.push(c.ms);
      const w = await timedGet(similar(id));
      if (w.status === 200) warmOfCold.push(w.ms);
    }
    if (cold.length > 0) {
      cold.sort((a, b) => a - b);
      warmOfCold.sort((a, b) => a - b);
      record(`${label}: cold-shard similar-items, median of ${cold.length}`, round(percentile(cold, 50)), "ms", "", `${label}ColdShardMs`);
      record(`${label}: cold-shard fetch + decode (cold − warm)`, round(percentile(cold, 50) - percentile(warmOfCold, 50)), "ms", "<= 50", `${label}ColdShardExtraMs`);
    }
    const warm: number[] = [];
    for (let r = 0; r < 400; r++) {
      const res = await timedGet(similar(ids[r % ids.length]));
      if (res.status === 200) warm.push(res.ms);
    }
    warm.sort((a, b) => a - b);
    record(`${label}: warm similar-items p50`, round(percentile(warm, 50)), "ms", "same as small", `${label}WarmSimilarP50Ms`);
    record(`${label}: warm similar-items p99`, round(percentile(warm, 99)), "ms", "", `${label}WarmSimilarP99Ms`);
    const post = () => timedGet(`${dev.url}/v1/recommendations`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ items: basket, k: 10 }) });
    const basketCold = await post();
    const basketWarm: number[] = [];
    for (let r = 0; r < 100; r++) {
      const res = await post();
      if (res.status === 200) basketWarm.push(res.ms);
    }
    basketWarm.sort((a, b) => a - b);
    if (basketCold.status !== 200) log(`${label}: basket answered ${basketCold.status}: ${basketCold.body.slice(0, 200)}`);
    record(`${label}: basket of ${basket.length} (first, touching their shards)`, round(basketCold.ms), "ms", "", `${label}BasketColdMs`);
    record(`${label}: basket of ${basket.length} warm p50`, round(percentile(basketWarm, 50)), "ms", "", `${label}BasketWarmP50Ms`);
    const model = (await (await fetch(`${dev.url}/v1/model`)).json()) as { bytes?: number };
    record(`${label}: artifact bytes held (from /v1/model)`, round((model.bytes ?? NaN) / 1024 / 1024), "MiB", "", `${label}HeldMiB`);
    const heap = await isolateHeap(dev).catch((err) => {
      log(`${label}: isolate heap unavailable: ${(err as Error).message}`);
      return undefined;
    });
    if (heap) {
      record(`${label}: isolate memory after touching ${ids.length} shards' items (heap ${heap.usedMb} + buffers ${heap.backingStoreMb ?? "?"})`, heap.isolateMb, "MiB", "<= 100", `${label}IsolateMb`);
    }
    record(`${label}: workerd process RSS (runtime + local R2 too; idle ${Math.round(idle)} MiB)`, Math.round(workerdRssMb(dev)), "MiB", "", `${label}WorkerdRssMb`);
  } finally {
    await dev.stop();
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
