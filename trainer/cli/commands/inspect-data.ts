import type { Command } from "commander";
import { addDataOptions, dataSpecFromOptions, printReadReports, type DataCliOptions } from "../../data/cli-options.ts";
import { loadDataset } from "../../data/load.ts";
import type { Dataset } from "../../data/spec.ts";
import type { Interactions } from "../../data/types.ts";

function describeInteractions(x: Interactions) {
  let nRated = 0;
  let nTimed = 0;
  let minT = Infinity;
  let maxT = -Infinity;
  const hist = new Map<number, number>();
  for (let k = 0; k < x.users.length; k++) {
    const r = x.ratings[k];
    if (!Number.isNaN(r)) {
      nRated++;
      hist.set(r, (hist.get(r) ?? 0) + 1);
    }
    const t = x.times[k];
    if (!Number.isNaN(t)) {
      nTimed++;
      if (t < minT) minT = t;
      if (t > maxT) maxT = t;
    }
  }
  const users = new Set(x.users).size;
  const items = new Set(x.items).size;
  return {
    interactions: x.users.length,
    users,
    items,
    density: users && items ? x.users.length / (users * items) : 0,
    rated: nRated,
    ratings: Object.fromEntries([...hist].sort((a, b) => a[0] - b[0]).slice(0, 20)),
    timed: nTimed,
    from: nTimed ? new Date(minT * 1000).toISOString().slice(0, 10) : undefined,
    to: nTimed ? new Date(maxT * 1000).toISOString().slice(0, 10) : undefined,
  };
}

export function summarizeDataset(d: Dataset, seconds: number) {
  const meta = d.items;
  const count = (f: (i: (typeof meta)[number]) => unknown) => meta.filter(f).length;
  return {
    seconds: Number(seconds.toFixed(3)),
    idSpace: { users: d.interactions.userIds.length, items: d.interactions.itemIds.length, catalogueOnlyItems: d.extra?.catalogueOnlyItems ?? 0 },
    interactions: describeInteractions(d.interactions),
    splits: d.splits ? Object.fromEntries(Object.entries(d.splits).map(([k, v]) => [k, v ? describeInteractions(v) : undefined])) : undefined,
    metadata: {
      title: count((i) => i.title),
      brand: count((i) => i.brand),
      categories: count((i) => i.categories?.length),
      price: count((i) => i.price !== undefined),
      description: count((i) => i.description),
      imageUrl: count((i) => i.imageUrl),
      url: count((i) => i.url),
      alsoBuy: count((i) => i.alsoBuy?.length),
      alsoView: count((i) => i.alsoView?.length),
    },
    userFeatures: d.userFeatures?.size,
    testRows: d.extra?.testRows?.ids.length,
    reports: d.reports,
  };
}

/** `edgerec inspect-data`: read input the way training will, and show what was understood and what was rejected. */
export function register(program: Command): void {
  addDataOptions(
    program
      .command("inspect-data")
      .description("read interaction/catalogue files with the shared data options and summarise them (counts, coverage, problems)")
      .option("--json", "print one JSON object instead of text"),
  ).action(async (opts: DataCliOptions & { json?: boolean }) => {
    const spec = dataSpecFromOptions(opts);
    const t0 = performance.now();
    const d = await loadDataset(spec, { progress: !opts.json });
    const summary = summarizeDataset(d, (performance.now() - t0) / 1000);
    if (opts.json) {
      process.stdout.write(JSON.stringify(summary) + "\n");
      return;
    }
    printReadReports(d.reports);
    const s = summary;
    const lines = [
      `read in ${s.seconds.toFixed(2)} s`,
      `id space: ${s.idSpace.users} users × ${s.idSpace.items} items (${s.idSpace.catalogueOnlyItems} only in the catalogue)`,
      `interactions: ${s.interactions.interactions} (${s.interactions.rated} rated, ${s.interactions.timed} timed${s.interactions.from ? `, ${s.interactions.from} … ${s.interactions.to}` : ""}), density ${(s.interactions.density * 100).toFixed(3)}%`,
    ];
    if (s.interactions.rated) lines.push(`ratings: ${Object.entries(s.interactions.ratings).map(([r, n]) => `${r}: ${n}`).join(", ")}`);
    if (s.splits) for (const [k, v] of Object.entries(s.splits)) if (v) lines.push(`  ${k}: ${v.interactions} interactions, ${v.users} users, ${v.items} items`);
    lines.push(`metadata of ${d.items.length} items: ${Object.entries(s.metadata).map(([k, n]) => `${k} ${n}`).join(", ")}`);
    if (s.userFeatures !== undefined) lines.push(`user features: ${s.userFeatures} users`);
    if (s.testRows !== undefined) lines.push(`test rows to predict: ${s.testRows}`);
    process.stdout.write(lines.join("\n") + "\n");
  });
}
