import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  type Artifact,
  decodeArtifact,
  decodeManifest,
  isManifest,
  neighbourAt,
  neighbourScore,
  rowLength,
  stringAt,
} from "../../../src/artifact/format.ts";
import { neighbourIdLowerBoundBytes, sectionSizes, servingBytesPerItem } from "../../artifact/sections.ts";

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
        const m = await decodeManifest(bytes);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ file, bytes: bytes.length, kind: "manifest", header: m.header, shards: m.shards })}\n`);
          return;
        }
        process.stdout.write(`${file}: sharded artifact manifest, ${kib(bytes.length)}, checksum ok\n`);
        process.stdout.write(`version ${m.header.version}  created ${m.header.createdAt}  model ${m.header.model.type}\n`);
        process.stdout.write(`${m.header.counts.items} items, ${m.header.counts.users} users in ${m.shards.length} shards:\n`);
        m.shards.forEach((s, i) => process.stdout.write(`  shard-${i}.bin  ${kib(s.bytes).padStart(10)}  ${s.items} items  ${s.users} users\n`));
        return;
      }
      const a = await decodeArtifact(bytes, { deep: true });
      const sections = sectionSizes(a);
      const h = a.header;
      const samples = sampleNeighbours(a, Number(opts.samples) || 3);
      const perItem = servingBytesPerItem(a);
      const bound = neighbourIdLowerBoundBytes(a.neighbours.k, h.counts.items);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ file, bytes: bytes.length, kind: "artifact", header: h, build: a.extra?.build, sections, servingBytesPerItem: perItem, neighbourIdLowerBoundBytes: bound, samples })}\n`);
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
