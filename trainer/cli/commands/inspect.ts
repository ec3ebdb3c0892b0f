import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  type Artifact,
  type ArtifactManifest,
  decodeArtifact,
  decodeIdShard,
  decodeManifest,
  decodeShardPart,
  isIdShard,
  isManifest,
  isShardPart,
  MANIFEST_FORMAT_VERSION,
  neighbourAt,
  neighbourScore,
  partRows,
  rowLength,
  shardCount,
  shardEntry,
  stringAt,
  stringCountOf,
  type TrainedOn,
} from "../../../src/artifact/index.ts";
import { formatCandidatesTable } from "../../pipeline/candidates-table.ts";
import { neighbourIdLowerBoundBytes, sectionSizes, servingBytesPerItem } from "../../artifact/sections.ts";

/** One line for header.trainedOn (absent in artifacts built before it was recorded). */
function trainedOnLine(t: TrainedOn | undefined): string {
  if (!t) return "(not recorded: built before the training pipeline recorded it)";
  const range = t.firstTime ? `, ${t.firstTime.slice(0, 10)} to ${t.lastTime?.slice(0, 10)}` : "";
  return `${t.interactions} interactions, ${t.users} users, ${t.items} items${range}; source: ${t.source}${t.generatedSample ? " (generated sample data)" : ""}`;
}

function kib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The first few warm and cold items with their neighbours, by title. */
function sampleNeighbours(a: Artifact, count: number): Array<{ item: string; title: string; source: string; neighbours: Array<{ id: string; title: string; score: number }> }> {
  const out: ReturnType<typeof sampleNeighbours> = [];
  const show = (i: number, source: "collaborative" | "content") => {
    const lists = source === "collaborative" ? a.neighbours : a.contentNeighbours;
    const neighbours = [];
    for (let j = 0; j < Math.min(5, rowLength(lists, i)); j++) {
      const n = neighbourAt(lists, i, j);
      neighbours.push({ id: stringAt(a.items.ids, n), title: stringAt(a.items.titles, n), score: Number(neighbourScore(lists, i, j).toFixed(4)) });
    }
    out.push({ item: stringAt(a.items.ids, i), title: stringAt(a.items.titles, i), source, neighbours });
  };
  for (let p = 0; p < a.popular.overall.length && out.length < count; p++) {
    const i = a.popular.overall[p];
    if (rowLength(a.neighbours, i) > 0) show(i, "collaborative");
  }
  for (let i = 0, shown = 0; i < a.header.counts.items && shown < 1; i++) {
    if (a.itemInteractions[i] === 0 && rowLength(a.contentNeighbours, i) > 0) {
      show(i, "content");
      shown++;
    }
  }
  return out;
}

/** A sharded build's manifest: header, shard table by kind, and the id shards that route lookups. */
function inspectManifest(file: string, bytes: Uint8Array, m: ArtifactManifest, json: boolean): void {
  const shards = Array.from({ length: shardCount(m) }, (_, s) => shardEntry(m, s));
  const byKind = new Map<string, { shards: number; bytes: number; largest: number }>();
  for (const s of shards) {
    const k = byKind.get(s.kind) ?? { shards: 0, bytes: 0, largest: 0 };
    k.shards++;
    k.bytes += s.bytes;
    k.largest = Math.max(k.largest, s.bytes);
    byKind.set(s.kind, k);
  }
  const routing = { itemIdBuckets: m.itemIdShards.length, userIdBuckets: m.userIdShards.length, hash: "fnv1a32(utf8(id)) % buckets" };
  // The version as one object (progressive loading), when the build wrote it beside the shards.
  const single = m.single ? { key: m.single.key, bytes: m.single.bytes, sha256: Buffer.from(m.single.sha256).toString("hex") } : null;
  if (json) {
    process.stdout.write(`${JSON.stringify({ file, bytes: bytes.length, kind: "manifest", trainedOn: m.header.trainedOn ?? null, candidates: m.header.candidates ?? null, formatVersion: MANIFEST_FORMAT_VERSION, header: m.header, popularShard: m.popularShard, idRouting: routing, kinds: Object.fromEntries(byKind), shards, single })}\n`);
    return;
  }
  const total = shards.reduce((sum, s) => sum + s.bytes, 0);
  const lines = [
    `${file}: sharded artifact manifest (format ${MANIFEST_FORMAT_VERSION}), ${kib(bytes.length)}, checksum ok`,
    `version ${m.header.version}  created ${m.header.createdAt}  model ${m.header.model.type}`,
    `trained on ${trainedOnLine(m.header.trainedOn)}`,
    `${m.header.counts.items} items, ${m.header.counts.users} users in ${shards.length} shards (${kib(total)} beside the manifest):`,
    ...[...byKind].map(([kind, k]) => `  ${kind.padEnd(9)} ${String(k.shards).padStart(5)} shards  ${kib(k.bytes).padStart(11)}  largest ${kib(k.largest)}`),
    `id routing: ${routing.itemIdBuckets} item id shard(s), ${routing.userIdBuckets} user id shard(s), bucket = ${routing.hash}`,
    single
      ? `single object: ${single.key} (${kib(single.bytes)}, sha256 ${single.sha256.slice(0, 16)}…): the worker answers from shards, then swaps to it`
      : "single object: none (served from shards only)",
    "",
    ...shards.map((s, i) => `  shard-${i}.bin  ${s.kind.padEnd(9)} ${kib(s.bytes).padStart(10)}  ${s.items} items  ${s.users} users${i === m.popularShard ? "  (popular)" : ""}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

export function register(program: Command): void {
  program
    .command("inspect")
    .description("show an artifact's header, sections and their sizes, and sample neighbours by title (verifies its checksum)")
    .argument("<artifact>", "artifact.bin or a sharded build's manifest.bin")
    .option("--samples <n>", "items whose neighbours are shown", "3")
    .option("--json", "print JSON")
    .action(async (file: string, opts: { samples: string; json?: boolean }) => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(file));
      } catch (err) {
        throw new Error(`cannot read ${file}: ${(err as Error).message}`);
      }
      if (isManifest(bytes)) {
        inspectManifest(file, bytes, await decodeManifest(bytes), opts.json ?? false);
        return;
      }
      if (isIdShard(bytes)) {
        const x = await decodeIdShard(bytes);
        const summary = { file, bytes: bytes.length, kind: x.kind, version: x.version, bucket: x.bucket, buckets: x.buckets, ids: stringCountOf(x.ids) };
        if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else process.stdout.write(`${file}: ${x.kind} shard, bucket ${x.bucket} of ${x.buckets}, ${summary.ids} ids, ${kib(bytes.length)}, version ${x.version}, checksum ok\n`);
        return;
      }
      if (isShardPart(bytes)) {
        // The item count bounding its references is the manifest's; on its own, checksum and shape are checked.
        const x = await decodeShardPart(bytes, { items: Number.MAX_SAFE_INTEGER });
        const rows = partRows(x);
        const summary = { file, bytes: bytes.length, kind: x.kind, version: x.version, start: x.start, rows, popular: x.kind === "items" && x.head !== undefined };
        if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else process.stdout.write(`${file}: ${x.kind} shard${summary.popular ? " (popular)" : ""}, ${x.kind === "items" ? "items" : "users"} ${x.start}..${x.start + rows - 1} (${rows}), ${kib(bytes.length)}, version ${x.version}, checksum ok\n`);
        return;
      }
      const a = await decodeArtifact(bytes, { deep: true });
      const sections = sectionSizes(a);
      const h = a.header;
      const samples = sampleNeighbours(a, Number(opts.samples) || 3);
      const perItem = servingBytesPerItem(a);
      const bound = neighbourIdLowerBoundBytes(a.neighbours.k, h.counts.items);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ file, bytes: bytes.length, kind: "artifact", trainedOn: h.trainedOn ?? null, candidates: h.candidates ?? null, header: h, build: a.extra?.build, sections, servingBytesPerItem: perItem, neighbourIdLowerBoundBytes: bound, samples })}\n`);
        return;
      }
      const lines = [
        `${file}: edgerec artifact format ${h.formatVersion}, ${kib(bytes.length)}, checksum ok`,
        `version     ${h.version}`,
        `created     ${h.createdAt}`,
        `source      sha256 ${h.sourceHash}`,
        `model       ${h.model.type} ${JSON.stringify(h.model.params)}`,
        `metrics     ${Object.entries(h.metrics).map(([k, v]) => `${k}${k === h.headlineMetric ? "*" : ""}=${Number(v).toFixed(4)}`).join("  ") || "(none)"}`,
        `counts      ${h.counts.items} items, ${h.counts.users} users, ${h.counts.categories} categories`,
        `trained on  ${trainedOnLine(h.trainedOn)}`,
        ...(h.candidates?.length ? ["candidates:", formatCandidatesTable(h.candidates, h.headlineMetric).replace(/^/gm, "  ")] : []),
        `build       ${JSON.stringify(a.extra?.build ?? {})}`,
        `serving     ${perItem.toFixed(1)} bytes/item without display metadata (neighbour ids alone need >= ${bound.toFixed(1)})`,
        "",
        "sections:",
        ...sections.map((s) => `  ${s.name.padEnd(32)} ${kib(s.bytes).padStart(11)}${s.display ? "  (display)" : ""}`),
        "",
        "sample neighbours:",
        ...samples.flatMap((s) => [
          `  ${s.item} "${s.title}" (${s.source})`,
          ...s.neighbours.map((n) => `      ${n.score.toFixed(3)}  ${n.id} "${n.title}"`),
        ]),
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
