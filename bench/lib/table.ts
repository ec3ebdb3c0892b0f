/** Prints rows as an aligned plain-text table (also valid Markdown). */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? formatNumber(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => "| " + r.map((c, i) => (c ?? "").padEnd(widths[i])).join(" | ") + " |";
  return [line(headers), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...cells.map(line)].join("\n");
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return "–";
  if (Number.isInteger(v) && Math.abs(v) >= 100) return String(v);
  return v.toFixed(4);
}
