/**
 * The deploy quality gate: a retrained artifact may replace the published one only if
 * its headline metric (from its header) is not more than a tolerance below the
 * published version's (from the `current` pointer, which repeats the header's metrics).
 * Nothing published yet → pass, so the first deploy is never blocked.
 */
import type { ArtifactHeader } from "../../src/artifact/index.ts";
import { catalogOverlap } from "../pipeline/catalog-sketch.ts";
import { DEFAULT_QUALITY_THRESHOLDS, qualityViolations, type QualityThresholds } from "../pipeline/quality.ts";

/** What the gate needs to know about the published version (a CurrentPointer has all of it). */
export interface PublishedMetrics {
  version: string;
  headlineMetric: string;
  metrics: Record<string, number>;
}

export interface GateOptions {
  /**
   * Allowed drop, as a fraction of the published value (0.02 = may be 2% worse).
   * Default 0.02, or EDGEREC_GATE_TOLERANCE.
   */
  tolerance?: number;
  /** Compare an absolute difference instead (e.g. 0.005 of HR@10). */
  absolute?: boolean;
  /** Metric to compare; default: the candidate's headlineMetric. */
  metric?: string;
}

export interface GateResult {
  passed: boolean;
  metric: string;
  candidate: { version: string; value: number | undefined };
  published?: { version: string; value: number | undefined };
  /** Lowest value that still passes (undefined when nothing is published). */
  threshold?: number;
  tolerance: number;
  absolute: boolean;
  message: string;
}

export const DEFAULT_GATE_TOLERANCE = 0.02;

/** Metrics where lower is better (errors, losses); every other metric is higher-is-better. */
export function lowerIsBetter(metric: string): boolean {
  return /rmse|mae|mse|loss|error/i.test(metric);
}

export function toleranceFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.EDGEREC_GATE_TOLERANCE;
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`EDGEREC_GATE_TOLERANCE must be a non-negative number (e.g. 0.02 for 2%), got ${JSON.stringify(raw)}`);
  }
  return n;
}

export function checkGate(candidate: Pick<ArtifactHeader, "version" | "headlineMetric" | "metrics">, published: PublishedMetrics | null, options: GateOptions = {}): GateResult {
  const tolerance = options.tolerance ?? toleranceFromEnv() ?? DEFAULT_GATE_TOLERANCE;
  if (!(tolerance >= 0)) throw new RangeError(`tolerance must be >= 0, got ${tolerance}`);
  const absolute = options.absolute ?? false;
  const metric = options.metric ?? candidate.headlineMetric;
  const value = finite(candidate.metrics?.[metric]);
  const base = { metric, candidate: { version: candidate.version, value }, tolerance, absolute };

  if (!metric) {
    return { ...base, passed: false, message: `the new artifact ${candidate.version} names no headline metric; rebuild it with evaluation enabled, or pass --metric <name>` };
  }
  if (value === undefined) {
    const known = Object.keys(candidate.metrics ?? {}).join(", ") || "none";
    return {
      ...base,
      passed: false,
      message: `the new artifact ${candidate.version} has no value for ${metric} (its metrics: ${known}); rebuild it with evaluation, or pass --metric <one of them>`,
    };
  }
  if (!published) {
    return { ...base, passed: true, message: `nothing is published yet: ${metric} = ${fmt(value)} passes as the first version` };
  }
  const old = finite(published.metrics?.[metric]);
  if (old === undefined) {
    return {
      ...base,
      published: { version: published.version, value: undefined },
      passed: false,
      message:
        `the published version ${published.version} has no ${metric} to compare with (its headline metric is ${published.headlineMetric || "unset"}); ` +
        `compare on a metric both have with --metric, or, if the change of metric is deliberate, publish this version once without the gate (edgerec publish <artifact> does not run it)`,
    };
  }
  const lower = lowerIsBetter(metric);
  const slack = absolute ? tolerance : Math.abs(old) * tolerance;
  const threshold = lower ? old + slack : old - slack;
  const passed = lower ? value <= threshold : value >= threshold;
  const change = old === 0 ? "" : ` (${value >= old ? "+" : ""}${fmt(((value - old) / Math.abs(old)) * 100, 2)}%)`;
  const allowed = absolute ? `${fmt(tolerance)} absolute` : `${fmt(tolerance * 100, 2)}%`;
  const message = passed
    ? `quality gate passed: ${metric} ${fmt(value)} vs published ${fmt(old)}${change}, allowed ${lower ? "rise" : "drop"} ${allowed}`
    : `quality gate FAILED: ${metric} of the new artifact ${candidate.version} is ${fmt(value)}, ${lower ? "above" : "below"} the published ` +
      `${published.version}'s ${fmt(old)}${change} by more than the allowed ${allowed} (threshold ${fmt(threshold)}). ` +
      `Keep the published version; check the data and training report, or raise EDGEREC_GATE_TOLERANCE / --tolerance if the drop is expected.`;
  return { ...base, published: { version: published.version, value: old }, threshold, passed, message };
}

function finite(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function fmt(v: number, digits = 4): string {
  return Number(v.toFixed(digits)).toString();
}

/** Below this share of shared item ids, two artifacts describe different catalogues (different shops, or the sample store). */
export const MIN_CATALOG_OVERLAP = 0.5;

export interface CatalogCheck {
  passed: boolean;
  /** Estimated share of item ids shared (the smaller of the two sides' shares); undefined when it cannot be measured. */
  share?: number;
  message: string;
}

/**
 * Metrics of two artifacts only compare when they rank the same catalogue. Refuses when under
 * half of the item ids are shared (estimated from the headers' catalogue sketches), unless
 * `allowNewCatalog` (a deliberate switch of catalogue).
 */
export function checkCatalog(
  candidate: Pick<ArtifactHeader, "version" | "counts" | "catalogSketch">,
  published: Pick<ArtifactHeader, "version" | "counts" | "catalogSketch"> | null,
  options: { allowNewCatalog?: boolean; minOverlap?: number } = {},
): CatalogCheck {
  if (!published) return { passed: true, message: "catalogue check: nothing published to compare with" };
  if (!candidate.catalogSketch || !published.catalogSketch) {
    return { passed: true, message: `catalogue check skipped: ${candidate.catalogSketch ? `the published ${published.version}` : `the new ${candidate.version}`} was built before artifacts recorded a catalogue sketch` };
  }
  const min = options.minOverlap ?? MIN_CATALOG_OVERLAP;
  const o = catalogOverlap({ sketch: candidate.catalogSketch, items: candidate.counts.items }, { sketch: published.catalogSketch, items: published.counts.items });
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const facts = `about ${o.shared} item ids shared: ${pct(o.ofA)} of the new ${candidate.counts.items} and ${pct(o.ofB)} of the published ${published.counts.items}`;
  if (o.share >= min) return { passed: true, share: o.share, message: `catalogue check passed: ${facts}` };
  if (options.allowNewCatalog) return { passed: true, share: o.share, message: `catalogue check: ${facts} (under ${pct(min)}), accepted with --allow-new-catalog` };
  return {
    passed: false,
    share: o.share,
    message:
      `catalogue check FAILED: the new artifact ${candidate.version} and the published ${published.version} barely share a catalogue (${facts}; at least ${pct(min)} needed), ` +
      `so their metrics do not compare. Check that CI trains on this shop's data (EDGEREC_INTERACTIONS / EDGEREC_ITEMS, not the sample store); ` +
      `if the catalogue really changed, pass --allow-new-catalog (EDGEREC_GATE_ALLOW_NEW_CATALOG=1 in CI).`,
  };
}

/** Data-quality thresholds crossed by the data the artifact was trained on (empty when it passes or recorded none). */
export function checkDataQuality(candidate: Pick<ArtifactHeader, "dataQuality">, thresholds: QualityThresholds = DEFAULT_QUALITY_THRESHOLDS): string[] {
  return candidate.dataQuality ? qualityViolations(candidate.dataQuality, thresholds) : [];
}
