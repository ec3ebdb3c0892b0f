/**
 * `npm run bench:sequence-serving [-- --dataset amazon-toys-2014-seq|amazon-sports-2014-seq] [-- --k 20,50,100] [-- --json]`
 *
 * How much of an order-aware model's quality survives serving: slist is fit on a sequence set's
 * train split (the parameters bench:quality chose on dev; `--params '{…}'` overrides), its test
 * HR@10 / NDCG@10 read as the full model scores (every item, dense B), then the artifact is
 * built and each user's ordered test history (train + dev) is sent down the worker's basket path
 * (src/recommend: neighbour lists of k items per item, 8-bit scores, the header's recency decay).
 * Target: the served HR@10 within 2% of the full model's.
 */
import { buildArtifactObject } from "../trainer/artifact/build.ts";
import type { Interactions } from "../trainer/data/types.ts";
import { SlistModel } from "../trainer/model/slist.ts";
import { createRng } from "../trainer/util/rng.ts";
import { basketRecommendations } from "../src/recommend/index.ts";
import { encodeArtifact } from "../src/artifact/index.ts";
import { parseArgs } from "./lib/args.ts";
import { missingFiles } from "./lib/data-root.ts";
import { writeJsonLine } from "./lib/json-lines.ts";
import { datasetFiles } from "./lib/protocols.ts";
import { evaluateOnTest, loadSequenceSplit, summariseNextItem, type SequenceSplit } from "./lib/sequence-protocol.ts";
import { peakRssMb } from "./lib/rss.ts";
import { formatTable } from "./lib/table.ts";

/** What bench:quality chose on each set's dev split (bench/results, docs/models.md). */
const CHOSEN: Record<string, Record<string, unknown>> = {
  "amazon-toys-2014-seq": { lambda: 50, alpha: 0.5, recencyDecay: 2 },
  "amazon-sports-2014-seq": { lambda: 50, alpha: 0.5, recencyDecay: 4 },
};

const log = (line: string) => process.stderr.write(`bench:sequence-serving: ${line}\n`);

/** The train split as interactions, times = positions (the artifact keeps each user's latest items in order). */
function trainInteractions(s: SequenceSplit): Interactions {
  const { indptr, items } = s.trainSequences;
  const n = items.length;
  const users = new Int32Array(n);
  const times = new Float64Array(n);
  for (let u = 0; u < s.nUsers; u++) {
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      users[p] = u;
      times[p] = p - indptr[u];
    }
  }
  return { userIds: s.userIds, itemIds: s.itemIds, users, items: items.slice(), ratings: new Float32Array(n).fill(Number.NaN), times };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dataset = String(args.get("dataset") ?? "amazon-toys-2014-seq");
  if (!(dataset in CHOSEN)) throw new Error(`--dataset must be one of ${Object.keys(CHOSEN).join(", ")}, got ${dataset}`);
  const files = datasetFiles[dataset as keyof typeof datasetFiles];
  const missing = missingFiles(files);
  if (missing.length) {
    log(`skipping ${dataset}: missing ${missing.join(", ")} (the data is not part of the repository)`);
    return;
  }
  const ks = String(args.get("k") ?? "20,50,100").split(",").map(Number);
  if (ks.some((k) => !Number.isInteger(k) || k < 1)) throw new Error(`--k must be a comma-separated list of positive integers, got ${args.get("k")}`);
  const params = typeof args.get("params") === "string" ? (JSON.parse(String(args.get("params"))) as Record<string, unknown>) : CHOSEN[dataset];

  const s = await loadSequenceSplit(files[0]);
  log(`${dataset}: ${s.nUsers} users, ${s.nItems} items; fitting slist ${JSON.stringify(params)}…`);
  const model = new SlistModel(params);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await model.fit({ interactions: s.train, sequences: s.trainSequences, rng: createRng(0) });
  const fitSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const fitCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const full = evaluateOnTest(model, s);
  log(`full model: HR@10 ${full["hr@10"].toFixed(4)}, NDCG@10 ${full["ndcg@10"].toFixed(4)} (fit ${fitSeconds.toFixed(0)} s)`);

  const interactions = trainInteractions(s);
  const withInterval = (m: Record<string, number>, key: string) => `${m[key].toFixed(4)} [${m[`${key}:lo`].toFixed(4)}, ${m[`${key}:hi`].toFixed(4)}]`;
  const rows: (string | number)[][] = [["full model (dense B, every item)", withInterval(full, "hr@10"), withInterval(full, "ndcg@10"), "", "", ""]];
  const records: Record<string, unknown>[] = [];
  for (const k of ks) {
    const { artifact } = await buildArtifactObject({ model, interactions, items: s.items, k, userTopN: 0 });
    const bytes = (await encodeArtifact(artifact)).byteLength;
    const hits = new Float64Array(s.nUsers);
    const gains = new Float64Array(s.nUsers);
    const { indptr, items } = s.testHistories;
    const t1 = performance.now();
    for (let u = 0; u < s.nUsers; u++) {
      const recs = basketRecommendations(artifact, items.subarray(indptr[u], indptr[u + 1]), { k: 10 });
      const rank = recs.findIndex((r) => r.index === s.test[u]);
      if (rank >= 0) {
        hits[u] = 1;
        gains[u] = 1 / Math.log2(rank + 2);
      }
    }
    const perRequestUs = ((performance.now() - t1) * 1000) / s.nUsers;
    const served = summariseNextItem({ hits, gains });
    const ratio = served["hr@10"] / full["hr@10"];
    rows.push([`served: basket path, ${k} neighbours per item`, withInterval(served, "hr@10"), withInterval(served, "ndcg@10"), `${(100 * (ratio - 1)).toFixed(1)}%`, `${(bytes / 1048576).toFixed(1)} MiB`, perRequestUs.toFixed(0)]);
    records.push({ k, served, ratio, artifactBytes: bytes, perRequestUs });
    log(`k=${k}: served HR@10 ${served["hr@10"].toFixed(4)} (${(100 * (ratio - 1)).toFixed(1)}% vs full)`);
  }
  if (args.has("json")) {
    writeJsonLine({ bench: "sequence-serving", dataset, params, fitSeconds, fitCpuSeconds, full, served: records, peakRssMb: peakRssMb() });
    return;
  }
  process.stdout.write(
    `### ${dataset} · slist ${JSON.stringify(params)} · test read from train + dev\n\n` +
      formatTable(["path", "HR@10", "NDCG@10", "HR@10 vs full (target >= -2%)", "artifact", "µs/request (in process, incl. ranking)"], rows) +
      `\n\n[lo, hi]: 95% bootstrap interval over users. Fit ${fitSeconds.toFixed(0)} s wall, ${fitCpuSeconds.toFixed(0)} s CPU; peak RSS ${Math.round(peakRssMb())} MB. Served path: src/recommend basketRecommendations on the decoded artifact object.\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:sequence-serving: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
