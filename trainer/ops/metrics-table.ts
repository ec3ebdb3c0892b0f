/** A small aligned table of evaluation metrics, headline metric first and marked. */
export function formatMetricsTable(metrics: Record<string, number>, headline?: string): string {
  const names = Object.keys(metrics).sort((a, b) => (a === headline ? -1 : b === headline ? 1 : a.localeCompare(b)));
  if (names.length === 0) return "(no metrics recorded)";
  const rows = names.map((n) => [n === headline ? `${n} (headline)` : n, formatValue(metrics[n])]);
  const w0 = Math.max("metric".length, ...rows.map((r) => r[0].length));
  const w1 = Math.max("value".length, ...rows.map((r) => r[1].length));
  const line = (a: string, b: string) => `| ${a.padEnd(w0)} | ${b.padStart(w1)} |`;
  return [line("metric", "value"), `|${"-".repeat(w0 + 2)}|${"-".repeat(w1 + 1)}:|`, ...rows.map(([a, b]) => line(a, b))].join("\n");
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4);
}
