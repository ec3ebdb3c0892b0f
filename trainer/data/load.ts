import { checkSuspicious } from "./suspicious.ts";
import { dedupInteractions, toInteractions } from "./dedup.ts";
import { IdInterner, InteractionBuffer } from "./id-space.ts";
import { kCoreFilter } from "./kcore.ts";
import { readInteractionFile } from "./readers/interactions.ts";
import { readItemsFile } from "./readers/items.ts";
import { readUserFeatures } from "./readers/movielens-users.ts";
import { ReportBuilder } from "./report.ts";
import type { ReaderContext } from "./readers/context.ts";
import type { DataSpec, Dataset, TestRows } from "./spec.ts";
import { InputError, type Interactions, type ItemMeta, type ReadReport } from "./types.ts";

export type { DataSpec, Dataset, TestRows } from "./spec.ts";

export interface LoadOptions {
  /** Progress bars on stderr while reading large files (only when stderr is a TTY). */
  progress?: boolean;
}

interface Group {
  name: string;
  files: string[];
  buf: InteractionBuffer;
  /** Row range of each file in `buf`, for attributing merged duplicates to their file's report. */
  ranges: { report: ReportBuilder; from: number; to: number }[];
  result?: { users: Int32Array; items: Int32Array; ratings: Float32Array; times: Float64Array };
  testRows?: { ids: string[]; users: number[]; items: number[] };
}

/**
 * Reads interactions (one or several files, or given train/dev/test splits) into
 * one id space, resolves duplicates, applies an optional k-core, and joins the
 * item catalogue and user features. Catalogue items without interactions are
 * appended at the end of itemIds (cold-start items) unless includeCatalogueItems is false.
 * Throws InputError for unusable input (missing file, too many bad rows…).
 */
export async function loadDataset(spec: DataSpec, opts: LoadOptions = {}): Promise<Dataset> {
  const groupFiles: { name: string; files: string[] }[] = [];
  if (spec.splits) {
    if (!spec.splits.train?.length) throw new InputError("splits need at least one train file", undefined, undefined, "pass --train <file>");
    groupFiles.push({ name: "train", files: spec.splits.train });
    if (spec.splits.dev?.length) groupFiles.push({ name: "dev", files: spec.splits.dev });
    if (spec.splits.test?.length) groupFiles.push({ name: "test", files: spec.splits.test });
  } else {
    if (!spec.interactions?.length) throw new InputError("no interaction files given", undefined, undefined, "pass --interactions <file...> (or --train/--test)");
    groupFiles.push({ name: "all", files: spec.interactions });
  }

  const users = new IdInterner();
  const items = new IdInterner();
  const reports: ReportBuilder[] = [];
  const groups: Group[] = [];
  for (const g of groupFiles) {
    const group: Group = { name: g.name, files: g.files, buf: new InteractionBuffer(), ranges: [] };
    for (const file of g.files) {
      const report = new ReportBuilder(file);
      reports.push(report);
      const from = group.buf.length;
      const ctx: ReaderContext = { users, items, buf: group.buf, report, spec, progress: opts.progress };
      await readInteractionFile(file, ctx);
      checkSuspicious(group.buf, from, report, { ratingScale: spec.ratingScale });
      report.checkErrorRatio(spec.maxErrorRatio);
      group.ranges.push({ report, from, to: group.buf.length });
      if (ctx.testRows) {
        group.testRows ??= { ids: [], users: [], items: [] };
        group.testRows.ids.push(...ctx.testRows.ids);
        group.testRows.users.push(...ctx.testRows.users);
        group.testRows.items.push(...ctx.testRows.items);
      }
    }
    groups.push(group);
  }

  for (const group of groups) {
    const d = dedupInteractions(group.buf, users.size, spec.duplicates ?? "latest");
    for (const row of d.dropped) {
      const range = group.ranges.find((r) => row >= r.from && row < r.to);
      if (range) {
        range.report.duplicatesMerged++;
        range.report.accepted--;
      }
    }
    group.result = d;
  }

  // k-core decides on the training data only; other splits follow its verdict.
  let keepUser: Uint8Array | undefined;
  let keepItem: Uint8Array | undefined;
  if (spec.kCore && spec.kCore > 1) {
    const base = groups[0].result!;
    const kc = kCoreFilter(base.users, base.items, users.size, items.size, spec.kCore);
    keepUser = kc.keepUser;
    keepItem = kc.keepItem;
    reports[0].note(
      `${spec.kCore}-core (${kc.rounds} rounds) removed ${kc.removedRows} interactions, ${kc.removedUsers} users, ${kc.removedItems} items` +
        (groups.length > 1 ? ` (decided on ${groups[0].name}; other splits lose rows of removed users/items)` : ""),
    );
  }

  // Catalogue: read before compaction so that catalogue-only items can be appended.
  let catalogue: Map<string, ItemMeta> | undefined;
  let catalogueReport: ReportBuilder | undefined;
  if (spec.items) {
    catalogueReport = new ReportBuilder(spec.items);
    catalogue = await readItemsFile(spec.items, spec, catalogueReport, opts.progress);
    catalogueReport.checkErrorRatio(spec.maxErrorRatio);
    reports.push(catalogueReport);
  }

  // Compact id spaces (k-core removals), then append catalogue-only items.
  const userMap = remap(users.size, keepUser);
  const itemMap = remap(items.size, keepItem);
  const userIds = compactIds(users.ids, userMap);
  const itemIds = compactIds(items.ids, itemMap);
  let catalogueOnly = 0;
  if (catalogue && catalogueReport) {
    let missing = 0;
    const examples: string[] = [];
    for (const id of itemIds) {
      if (!catalogue.has(id)) {
        missing++;
        if (examples.length < 10) examples.push(id);
      }
    }
    if (missing > 0) {
      catalogueReport.note(`${missing} of ${itemIds.length} items with interactions have no metadata record (kept, without metadata): ${examples.join(", ")}${missing > examples.length ? ", …" : ""}`);
    }
    if (spec.includeCatalogueItems !== false) {
      for (const id of catalogue.keys()) {
        if (items.get(id) === undefined) {
          itemIds.push(id);
          catalogueOnly++;
        }
      }
      if (catalogueOnly > 0) catalogueReport.note(`${catalogueOnly} catalogue items without interactions appended as cold-start items`);
    }
  }

  const built: Interactions[] = [];
  for (const group of groups) {
    const d = group.result!;
    const n = d.users.length;
    const u = new Int32Array(n);
    const i = new Int32Array(n);
    const r = new Float32Array(n);
    const t = new Float64Array(n);
    let w = 0;
    for (let k = 0; k < n; k++) {
      const nu = userMap[d.users[k]];
      const ni = itemMap[d.items[k]];
      if (nu < 0 || ni < 0) continue;
      u[w] = nu;
      i[w] = ni;
      r[w] = d.ratings[k];
      t[w] = d.times[k];
      w++;
    }
    if (w < n && group !== groups[0]) reports[reports.indexOf(group.ranges[0].report)].note(`${n - w} ${group.name} interactions dropped with k-core-removed users/items`);
    built.push(toInteractions({ users: u.slice(0, w), items: i.slice(0, w), ratings: r.slice(0, w), times: t.slice(0, w) }, userIds, itemIds));
  }

  const metaItems: ItemMeta[] = itemIds.map((id) => catalogue?.get(id) ?? { id });

  let userFeatures: Map<string, string[]> | undefined;
  if (spec.userFeatures) {
    const report = new ReportBuilder(spec.userFeatures);
    userFeatures = await readUserFeatures(spec.userFeatures, spec, report, opts.progress);
    report.checkErrorRatio(spec.maxErrorRatio);
    reports.push(report);
  }

  const dataset: Dataset = { interactions: built[0], items: metaItems, reports: reports.map((r) => r.toReport()) };
  if (userFeatures) dataset.userFeatures = userFeatures;
  if (spec.splits) {
    dataset.splits = { train: built[0] };
    groups.forEach((g, k) => {
      if (g.name === "dev") dataset.splits!.dev = built[k];
      if (g.name === "test") dataset.splits!.test = built[k];
    });
  }
  const testRowsGroup = groups.find((g) => g.testRows);
  if (testRowsGroup?.testRows || catalogueOnly > 0) {
    dataset.extra = {};
    if (catalogueOnly > 0) dataset.extra.catalogueOnlyItems = catalogueOnly;
    if (testRowsGroup?.testRows) dataset.extra.testRows = remapTestRows(testRowsGroup.testRows, userMap, itemMap);
  }
  return dataset;
}

/** Given splits in one shared id space (e.g. ML ua.base + ua.test; Grocery train/dev/test). */
export async function loadSplitFiles(
  files: { train: string | string[]; dev?: string | string[]; test?: string | string[] },
  spec: Omit<DataSpec, "interactions" | "splits"> = {},
  opts: LoadOptions = {},
): Promise<{ dataset: Dataset; train: Interactions; dev?: Interactions; test?: Interactions }> {
  const list = (f: string | string[] | undefined) => (f === undefined ? undefined : Array.isArray(f) ? f : [f]);
  const dataset = await loadDataset({ ...spec, splits: { train: list(files.train)!, dev: list(files.dev), test: list(files.test) } }, opts);
  const s = dataset.splits!;
  return { dataset, train: s.train, dev: s.dev, test: s.test };
}

function remap(n: number, keep: Uint8Array | undefined): Int32Array {
  const map = new Int32Array(n);
  let next = 0;
  for (let k = 0; k < n; k++) map[k] = !keep || keep[k] ? next++ : -1;
  return map;
}

function compactIds(ids: string[], map: Int32Array): string[] {
  const out: string[] = [];
  for (let k = 0; k < ids.length; k++) if (map[k] >= 0) out.push(ids[k]);
  return out;
}

function remapTestRows(t: { ids: string[]; users: number[]; items: number[] }, userMap: Int32Array, itemMap: Int32Array): TestRows {
  const ids: string[] = [];
  const users: number[] = [];
  const items: number[] = [];
  for (let k = 0; k < t.ids.length; k++) {
    const u = userMap[t.users[k]];
    const i = itemMap[t.items[k]];
    if (u < 0 || i < 0) continue;
    ids.push(t.ids[k]);
    users.push(u);
    items.push(i);
  }
  return { ids, users: Int32Array.from(users), items: Int32Array.from(items) };
}

export type { ReadReport };
