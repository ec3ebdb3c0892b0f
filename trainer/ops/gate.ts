/**
 * The deploy quality gate: a retrained artifact may replace the published one only if
 * its headline metric (from its header) is not more than a tolerance below the
 * published version's (from the `current` pointer, which repeats the header's metrics).
 * Nothing published yet → pass, so the first deploy is never blocked.
 */
import type { ArtifactHeader } from "../../src/artifact/format.ts";

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
