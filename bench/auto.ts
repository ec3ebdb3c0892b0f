/**
 * `npm run bench:auto`: does `--model auto` serve as well as the best single model would have?
 * On the sample store, Amazon Gift Cards 2018 and MovieLens 100k (u.data, leave-last-out), the
 * training pipeline compares its candidates on validation and serves the winner; this prints
 * every candidate's test HR@10 beside auto's and the ratio to the best single one (target ≥ 0.95).
 * Datasets under the dataset root (EDGEREC_SHARED_DATA) are skipped with a reason when
 * absent. Options: --budget <s> (auto's time budget), --only <name>.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DataSpec } from "../trainer/data/spec.ts";
import { AUTO_DEFAULTS } from "../trainer/pipeline/choose.ts";
import { runPipeline } from "../trainer/pipeline/run.ts";
import { ensureSample } from "../trainer/sample/ensure.ts";
import { dataFile, missingFiles } from "./lib/data-root.ts";

const TARGET = 0.95;
const METRIC = "hr@10";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Bench {
  name: string;
  spec: () => DataSpec;
  files: string[];
}

const scratch = mkdtempSync(join(tmpdir(), "edgerec-bench-auto-"));
const benches: Bench[] = [
  {
    name: "sample store (seed 1, 3000 items, 2000 shoppers)",
    files: [],
    spec: () => {
      const s = ensureSample(join(scratch, "sample"), { seed: 1, items: 3000, users: 2000 });
      return { interactions: [s.reviews], items: s.meta };
    },
  },
  {
    name: "Amazon Gift Cards 2018 (5-core)",
    files: [dataFile("amazon-gift-cards-2018", "Gift_Cards_5.json.gz"), dataFile("amazon-gift-cards-2018", "meta_Gift_Cards.json.gz")],
    spec: () => ({ interactions: [dataFile("amazon-gift-cards-2018", "Gift_Cards_5.json.gz")], items: dataFile("amazon-gift-cards-2018", "meta_Gift_Cards.json.gz") }),
  },
  {
    name: "MovieLens 100k u.data",
    files: [dataFile("movielens-100k", "u.data.gz"), dataFile("movielens-100k", "u.item.gz")],
    spec: () => ({
      interactions: [dataFile("movielens-100k", "u.data.gz")],
      format: "delimited",
      delimiter: "\t",
      header: false,
      columns: { user: 0, item: 1, rating: 2, time: 3 },
      items: dataFile("movielens-100k", "u.item.gz"),
      itemsFormat: "movielens-item",
    }),
  },
];

const budget = arg("budget") !== undefined ? Number(arg("budget")) : AUTO_DEFAULTS.budgetSeconds;
const only = arg("only");
const pad = (s: string, n: number) => s.padEnd(n);
const rows: string[] = [];
try {
  for (const b of benches) {
    if (only && !b.name.toLowerCase().includes(only.toLowerCase())) continue;
    const missing = missingFiles(b.files);
    if (missing.length) {
      console.log(`\n${b.name}: skipped, data absent (${missing.join(", ")})`);
      continue;
    }
    const t0 = performance.now();
    const r = await runPipeline({ spec: b.spec(), model: "auto", auto: { budgetSeconds: budget }, split: "leave-last-out", seed: 0, progress: false });
    const seconds = (performance.now() - t0) / 1000;
    const fitted = r.candidates.filter((c) => !c.skipped && c.test);
    const singles = fitted.filter((c) => c.family !== "blend");
    const bestSingle = singles.reduce((a, c) => (c.test![METRIC] > a.test![METRIC] ? c : a));
    const auto = r.candidates.find((c) => c.chosen)!;
    const ratio = auto.test![METRIC] / bestSingle.test![METRIC];
    console.log(`\n${b.name}: leave-last-out, chosen on validation ${r.primary}; auto budget ${budget} s; whole pipeline ${seconds.toFixed(1)} s`);
    console.log(`  ${pad("candidate", 20)} ${pad(`valid ${r.primary}`, 12)} ${pad(`test ${METRIC}`, 12)} fit s`);
    for (const c of r.candidates) {
      if (c.skipped) console.log(`  ${pad(c.family, 20)} skipped: ${c.skipped}`);
      else console.log(`  ${pad(c.family + (c.chosen ? " ★" : ""), 20)} ${pad(c.validation![r.primary].toFixed(4), 12)} ${pad(c.test![METRIC].toFixed(4), 12)} ${c.fitSeconds.toFixed(1)}`);
    }
    console.log(`  auto (${auto.family}) test ${METRIC} ${auto.test![METRIC].toFixed(4)} = ${ratio.toFixed(3)} × best single (${bestSingle.family} ${bestSingle.test![METRIC].toFixed(4)}); target ≥ ${TARGET}: ${ratio >= TARGET ? "met" : "NOT met"}`);
    rows.push(`| ${b.name} | ${auto.family} | ${auto.test![METRIC].toFixed(4)} | ${bestSingle.family} | ${bestSingle.test![METRIC].toFixed(4)} | ${ratio.toFixed(3)} |`);
  }
  console.log(`\n| data | auto's choice | auto test ${METRIC} | best single (test) | its ${METRIC} | ratio |\n|---|---|---|---|---|---|\n${rows.join("\n")}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
