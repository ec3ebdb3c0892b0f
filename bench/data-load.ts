/**
 * Load-time benchmark of the data readers (trainer/data) on the shared datasets.
 * Each case runs in a fresh process (so the first, cold load includes JIT warm-up),
 * then 4 more times warm; wall and CPU time (user + system, incl. gunzip threads).
 * Usage: npx tsx bench/data-load.ts [--json]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadDataset, loadSplitFiles } from "../trainer/data/load.ts";
import { dataFile, missingFiles } from "./lib/data-root.ts";

const ML = (f: string) => dataFile("movielens-100k", f);
const GR = (f: string) => dataFile("amazon-grocery-2014-5core", f);
const GIFT = (f: string) => dataFile("amazon-gift-cards-2018", f);
const MAG = (f: string) => dataFile("amazon-magazine-subscriptions-2018", f);
const groceryFiles = { train: GR("train.csv.gz"), dev: GR("dev.csv.gz"), test: GR("test.csv.gz") };

const CASES: { name: string; files: string[]; run: () => Promise<unknown> }[] = [
  { name: "ML-100k u.data (100,000 rows)", files: [ML("u.data.gz")], run: () => loadDataset({ interactions: [ML("u.data.gz")] }) },
  {
    name: "ML-100k u.data + u.item + u.user",
    files: [ML("u.data.gz"), ML("u.item.gz"), ML("u.user.gz")],
    run: () => loadDataset({ interactions: [ML("u.data.gz")], items: ML("u.item.gz"), userFeatures: ML("u.user.gz") }),
  },
  { name: "ML-100k ua.base + ua.test", files: [ML("ua.base.gz"), ML("ua.test.gz")], run: () => loadSplitFiles({ train: ML("ua.base.gz"), test: ML("ua.test.gz") }) },
  { name: "Grocery train+dev+test (151,254 rows)", files: Object.values(groceryFiles), run: () => loadSplitFiles(groceryFiles) },
  { name: "Grocery splits + item_meta", files: [...Object.values(groceryFiles), GR("item_meta.csv.gz")], run: () => loadSplitFiles(groceryFiles, { items: GR("item_meta.csv.gz") }) },
  {
    name: "Gift Cards 2018 reviews + meta",
    files: [GIFT("Gift_Cards_5.json.gz"), GIFT("meta_Gift_Cards.json.gz")],
    run: () => loadDataset({ interactions: [GIFT("Gift_Cards_5.json.gz")], items: GIFT("meta_Gift_Cards.json.gz") }),
  },
  {
    name: "Magazine 2018 reviews + meta (messy)",
    files: [MAG("Magazine_Subscriptions_5.json.gz"), MAG("meta_Magazine_Subscriptions.json.gz")],
    run: () => loadDataset({ interactions: [MAG("Magazine_Subscriptions_5.json.gz")], items: MAG("meta_Magazine_Subscriptions.json.gz") }),
  },
];

const median = (a: number[]) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function measure(index: number): Promise<void> {
  const c = CASES[index];
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < 5; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await c.run();
    wall.push(performance.now() - t0);
    const used = process.cpuUsage(c0);
    cpu.push((used.user + used.system) / 1000);
  }
  const rss = process.memoryUsage().rss / 1048576;
  process.stdout.write(JSON.stringify({ case: c.name, coldWallMs: wall[0], coldCpuMs: cpu[0], warmWallMs: median(wall.slice(1)), warmCpuMs: median(cpu.slice(1)), rssMb: rss }) + "\n");
}

const child = process.argv.indexOf("--case");
if (child > 0) {
  await measure(Number(process.argv[child + 1]));
} else {
  const json = process.argv.includes("--json");
  const rows: Record<string, number | string>[] = [];
  for (let i = 0; i < CASES.length; i++) {
    const missing = missingFiles(CASES[i].files);
    if (missing.length > 0) {
      console.log(`bench:data-load: ${CASES[i].name}: ${missing.join(", ")} not found (skipped; set EDGEREC_SHARED_DATA to the dataset root)`);
      continue;
    }
    const out = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--case", String(i)], { encoding: "utf8" });
    if (out.status !== 0) {
      console.error(out.stderr);
      process.exit(1);
    }
    const row = JSON.parse(out.stdout.trim().split("\n").pop()!);
    rows.push(row);
    if (json) process.stdout.write(JSON.stringify(row) + "\n");
  }
  if (!json) {
    const f = (n: number) => n.toFixed(0);
    console.log("| case | cold wall ms | cold CPU ms | warm wall ms | warm CPU ms | RSS MiB |\n|---|---|---|---|---|---|");
    for (const r of rows) {
      console.log(`| ${r.case} | ${f(r.coldWallMs as number)} | ${f(r.coldCpuMs as number)} | ${f(r.warmWallMs as number)} | ${f(r.warmCpuMs as number)} | ${f(r.rssMb as number)} |`);
    }
  }
}
