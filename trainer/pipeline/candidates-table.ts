import type { CandidateSummary } from "../../src/artifact/index.ts";
import type { CandidateRow } from "./choose.ts";

/** The table as the artifact header stores it (no configs: their descriptions say enough). */
export function candidateSummaries(rows: CandidateRow[]): CandidateSummary[] {
  return rows.map((r) => ({
    family: r.family,
    description: r.description,
    ...(r.validation ? { validation: r.validation } : {}),
    ...(r.test ? { test: r.test } : {}),
    fitSeconds: Number(r.fitSeconds.toFixed(2)),
    chosen: r.chosen,
    ...(r.skipped ? { skipped: r.skipped } : {}),
  }));
}

/** The candidates table for the terminal: validation primary, test metrics, fit time, chosen one marked ★. */
export function formatCandidatesTable(rows: CandidateSummary[], primary: string): string {
  const testKeys = [...new Set(rows.flatMap((r) => Object.keys(r.test ?? {})))].filter((k) => !["users", "pairs"].includes(k));
  const header = ["", "model", `valid ${primary}`, ...testKeys.map((k) => `test ${k}`), "fit s"];
  const cell = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(4));
  const body = rows.map((r) =>
    r.skipped
      ? [" ", r.family, `skipped: ${r.skipped}`]
      : [r.chosen ? "★" : " ", r.family, cell(r.validation?.[primary]), ...testKeys.map((k) => cell(r.test?.[k])), r.fitSeconds.toFixed(1)],
  );
  const widths = header.map((h, c) => Math.max(h.length, ...body.filter((row) => row.length === header.length).map((row) => row[c].length)));
  const line = (row: string[]) => (row.length === header.length ? row.map((v, c) => (c <= 1 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join("  ") : row.join("  "));
  return [line(header), ...body.map(line)].join("\n");
}
