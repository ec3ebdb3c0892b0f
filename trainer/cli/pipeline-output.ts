import { formatCandidatesTable } from "../pipeline/candidates-table.ts";
import { forgottenLine, type PipelineResult } from "../pipeline/run.ts";
import { describeConfig } from "../tune/config.ts";

/** The pipeline's result as one JSON object (train/evaluate/build-artifact --json). */
export function pipelineJson(r: PipelineResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    config: r.config,
    model: describeConfig(r.config),
    candidates: r.candidates,
    primary: r.primary,
    metrics: r.metrics,
    headlineMetric: r.headlineMetric,
    fitSeconds: r.fitSeconds,
    history: r.history,
    refit: r.served.refit,
    trainedOn: r.served.trainedOn,
    quality: { ...r.quality, warnings: r.warnings },
    ...(r.artifact
      ? {
          artifact: r.artifact.path,
          layout: r.artifact.layout,
          bytes: r.artifact.bytes,
          shards: r.artifact.shards,
          singleBesideShards: r.artifact.singleBytes,
          version: r.artifact.header.version,
          items: r.artifact.header.counts.items,
          users: r.artifact.header.counts.users,
        }
      : {}),
    ...extra,
  };
}

/** The pipeline's result for a terminal: candidates table, chosen model, test metrics, what is served. */
export function pipelineText(r: PipelineResult, report?: string): string {
  const t = r.served.trainedOn;
  const lines = [
    formatCandidatesTable(r.candidates, r.primary),
    "",
    `model ${describeConfig(r.config)}`,
    `split ${r.prepared.splitKind}: train ${r.prepared.train.users.length}, ${r.prepared.dev ? `dev ${r.prepared.dev.users.length}, ` : ""}test ${r.prepared.test.users.length} interactions`,
    `fit ${r.fitSeconds.toFixed(2)} s`,
    "",
    ...Object.entries(r.metrics).map(([k, v]) => `${k.padEnd(12)} ${Number.isInteger(v) ? v : v.toFixed(4)}`),
  ];
  if (r.artifact) {
    lines.push(
      "",
      `artifact: ${r.artifact.path} (${r.artifact.layout}${r.artifact.shards ? `, ${r.artifact.shards} shards` : ""}, ${r.artifact.bytes} bytes)`,
      r.served.refit
        ? `served model: refitted on all ${t.interactions} interactions (${t.users} users, ${t.items} items) — the metrics above evaluate the same configuration fitted on the train split`
        : `served model: the evaluated one, fitted on the train split only (--no-refit): ${t.interactions} interactions`,
    );
  }
  if (r.forgotten) lines.push(forgottenLine(r.forgotten));
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  if (report) lines.push(`report: ${report}`);
  return lines.join("\n") + "\n";
}
