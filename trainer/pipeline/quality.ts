import type { DataQualitySummary } from "../../src/artifact/index.ts";
import type { Dataset } from "../data/spec.ts";
import { InputError, type Interactions, type ReadReport } from "../data/types.ts";

/** Every training run's data-quality report: what was read, what the catalogue lacks, how fresh it is. */
export interface DataQuality extends DataQualitySummary {
  files: Array<{ file: string; read: number; kept: number; merged: number; rejected: number; rejectedByReason: Record<string, number> }>;
  /** Counts of catalogue items without each field (shares are in `missing`). */
  missingCounts: DataQualitySummary["missing"];
  firstTime: string | null;
  lastTime: string | null;
  /** Days between the latest interaction and this run (a stale export shows here). */
  daysSinceLast: number | null;
}

export type QualityField = keyof DataQualitySummary["missing"];
export const QUALITY_FIELDS: QualityField[] = ["title", "image", "url", "price", "category"];

/**
 * Thresholds on the shares of catalogue items without a field, and on the share of rejected
 * rows. Crossing one warns in `train` and fails `edgerec gate`.
 */
export interface QualityThresholds {
  maxMissing: Record<QualityField, number>;
  maxRejectedShare: number;
}

export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = {
  maxMissing: { title: 0.2, image: 0.5, url: 0.5, price: 0.5, category: 0.5 },
  maxRejectedShare: 0.01,
};

const DAY = 86_400;

/** Measures the data-quality report of a loaded dataset (`all`: every interaction, after duplicates). */
export function measureQuality(dataset: Dataset, all: Interactions, now: Date = new Date()): DataQuality {
  const files = dataset.reports.map((r: ReadReport) => ({
    file: r.file,
    read: r.rowsRead,
    kept: r.accepted,
    merged: r.duplicatesMerged,
    rejected: r.rejected,
    rejectedByReason: r.rejectedByReason ?? (r.rejected > 0 ? { "(reasons not recorded)": r.rejected } : {}),
  }));
  const rows = files.reduce((s, f) => ({ read: s.read + f.read, kept: s.kept + f.kept, merged: s.merged + f.merged, rejected: s.rejected + f.rejected }), { read: 0, kept: 0, merged: 0, rejected: 0 });

  // The catalogue is every item id: items with interactions but no metadata record lack every field.
  const meta = new Map(dataset.items.map((m) => [m.id, m]));
  const ids = new Set([...all.itemIds, ...meta.keys()]);
  const missingCounts = { title: 0, image: 0, url: 0, price: 0, category: 0 };
  for (const id of ids) {
    const m = meta.get(id);
    if (!m?.title?.trim()) missingCounts.title++;
    if (!m?.imageUrl?.trim()) missingCounts.image++;
    if (!m?.url?.trim()) missingCounts.url++;
    if (!(typeof m?.price === "number" && Number.isFinite(m.price))) missingCounts.price++;
    if (!m?.categories?.length) missingCounts.category++;
  }
  const n = ids.size;
  const share = (c: number) => (n === 0 ? 0 : c / n);
  const missing = { title: share(missingCounts.title), image: share(missingCounts.image), url: share(missingCounts.url), price: share(missingCounts.price), category: share(missingCounts.category) };

  let first = Infinity;
  let last = -Infinity;
  for (const t of all.times) {
    if (!Number.isFinite(t)) continue;
    if (t < first) first = t;
    if (t > last) last = t;
  }
  let recent = 0;
  let timed = 0;
  if (Number.isFinite(last)) {
    for (const t of all.times) {
      if (!Number.isFinite(t)) continue;
      timed++;
      if (t > last - 30 * DAY) recent++;
    }
  }
  const iso = (t: number) => (Number.isFinite(t) ? new Date(t * 1000).toISOString() : null);
  return {
    catalogueItems: n,
    missing,
    missingCounts,
    rows,
    files,
    firstTime: iso(first),
    lastTime: iso(last),
    last30DaysShare: timed > 0 ? recent / timed : null,
    daysSinceLast: Number.isFinite(last) ? Math.floor((now.getTime() / 1000 - last) / DAY) : null,
  };
}

/** The summary stored in the artifact header (what `gate` re-checks). */
export function qualitySummary(q: DataQuality): DataQualitySummary {
  return { catalogueItems: q.catalogueItems, missing: q.missing, rows: q.rows, last30DaysShare: q.last30DaysShare };
}

/** Threshold crossings, one readable line each (empty when the data passes). */
export function qualityViolations(q: DataQualitySummary, t: QualityThresholds = DEFAULT_QUALITY_THRESHOLDS): string[] {
  const out: string[] = [];
  for (const f of QUALITY_FIELDS) {
    const share = q.missing?.[f];
    if (typeof share === "number" && share > t.maxMissing[f]) {
      out.push(`${pct(share)} of ${q.catalogueItems} catalogue items have no ${f} (allowed ${pct(t.maxMissing[f])}; --max-missing ${f}=<share> changes it)`);
    }
  }
  const rejectedShare = q.rows.read > 0 ? q.rows.rejected / q.rows.read : 0;
  if (rejectedShare > t.maxRejectedShare) out.push(`${pct(rejectedShare)} of ${q.rows.read} rows were rejected (allowed ${pct(t.maxRejectedShare)})`);
  return out;
}

/** Parses `--max-missing title=0.1 image=0.8` (shares 0..1) over the defaults. */
export function thresholdsFromOptions(maxMissing: string[] | undefined, base: QualityThresholds = DEFAULT_QUALITY_THRESHOLDS): QualityThresholds {
  const t: QualityThresholds = { maxMissing: { ...base.maxMissing }, maxRejectedShare: base.maxRejectedShare };
  for (const kv of maxMissing ?? []) {
    const [field, value] = kv.split("=");
    const share = Number(value);
    if (!QUALITY_FIELDS.includes(field as QualityField) || value === undefined || !(share >= 0 && share <= 1)) {
      throw new InputError(`--max-missing ${JSON.stringify(kv)}: expected <field>=<share 0..1> with field one of ${QUALITY_FIELDS.join(", ")}`, undefined, undefined, "e.g. --max-missing title=0.1 image=0.8");
    }
    t.maxMissing[field as QualityField] = share;
  }
  return t;
}

/** The report as lines for the terminal. */
export function formatQuality(q: DataQuality): string[] {
  const lines = [`data quality: ${q.rows.read} rows read, ${q.rows.kept} kept, ${q.rows.merged} merged as duplicates, ${q.rows.rejected} rejected`];
  for (const f of q.files) {
    for (const [reason, count] of Object.entries(f.rejectedByReason)) lines.push(`  rejected in ${f.file}: ${count} × ${reason}`);
  }
  lines.push(`  catalogue ${q.catalogueItems} items; without ${QUALITY_FIELDS.map((f) => `${f} ${pct(q.missing[f])}`).join(", ")}`);
  lines.push(
    q.firstTime
      ? `  interactions from ${q.firstTime.slice(0, 10)} to ${q.lastTime!.slice(0, 10)} (${q.daysSinceLast} days ago); ${pct(q.last30DaysShare ?? 0)} in the last 30 days of the data`
      : "  interactions have no times (no date range, no freshness)",
  );
  return lines;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
