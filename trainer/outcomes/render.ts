/** The outcome report as plain text (terminal) and as a self-contained HTML page with charts over time. */
import { escapeXml, lineChart, type Series } from "../report/svg.ts";
import type { Arm, Outcomes } from "./outcomes.ts";
import { formatP } from "./outcomes.ts";
import type { Interval } from "./stats.ts";

const pct = (i: Interval) => (Number.isFinite(i.value) ? `${(i.value * 100).toFixed(2)}% [${(i.low * 100).toFixed(2)}, ${(i.high * 100).toFixed(2)}]` : "–");
const money = (i: Interval) => (Number.isFinite(i.value) ? `${i.value.toFixed(2)} [${i.low.toFixed(2)}, ${i.high.toFixed(2)}]` : "–");
const span = (o: Outcomes) => (o.from === null ? "no events" : `${new Date(o.from).toISOString().slice(0, 16)}Z … ${new Date(o.to!).toISOString().slice(0, 16)}Z`);

const COLUMNS: [string, (a: Arm) => string][] = [
  ["placement", (a) => a.placement],
  ["variant", (a) => a.variant],
  ["impressions", (a) => String(a.impressions)],
  ["CTR [95% CI]", (a) => pct(a.ctr)],
  ["add-to-cart [95% CI]", (a) => pct(a.addToCartRate)],
  ["conversion [95% CI]", (a) => pct(a.conversionRate)],
  ["revenue / 1k impr. [95% CI]", (a) => money(a.revenuePerMille)],
];

export function outcomesText(o: Outcomes): string {
  const rows = [COLUMNS.map(([h]) => h), ...o.arms.map((a) => COLUMNS.map(([, f]) => f(a)))];
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = [`${o.events} events, ${span(o)}`, ""];
  for (const r of rows) lines.push(r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
  if (o.arms.length === 0) lines.push("(no impressions: nothing to report yet)");
  for (const t of o.tests) {
    lines.push("", `A/B ${t.placement}: ${t.variant} vs ${t.baseline}`);
    lines.push(`  CTR lift ${liftText(t.ctr.lift)}, p = ${formatP(t.ctr.p)}; conversion lift ${liftText(t.conversion.lift)}, p = ${formatP(t.conversion.p)}`);
    lines.push(`  ${t.verdict}`);
  }
  return lines.join("\n") + "\n";
}

function liftText(i: Interval): string {
  if (!Number.isFinite(i.value)) return "–";
  const f = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
  return `${f(i.value)} [${f(i.low)}, ${f(i.high)}]`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#111;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.meta{color:#555}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 10px;text-align:right}th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}
.sig{color:#047857;font-weight:600}.undecided{color:#92400e}
svg.chart{background:#fff;border:1px solid #e5e7eb;border-radius:6px}svg .title{font-size:14px;font-weight:600}svg .tick{font-size:11px;fill:#444}svg .label{font-size:12px;fill:#333}svg .legend{font-size:12px}svg .grid{stroke:#eee}svg .axis{stroke:#888}svg .empty{fill:#888}`;

export function outcomesHtml(o: Outcomes, generatedAt: Date): string {
  const head = COLUMNS.map(([h]) => `<th>${escapeXml(h)}</th>`).join("");
  const rows = o.arms.map((a) => `<tr>${COLUMNS.map(([, f]) => `<td>${escapeXml(f(a))}</td>`).join("")}</tr>`).join("\n");
  const tests = o.tests
    .map(
      (t) =>
        `<h3>${escapeXml(t.placement)}: ${escapeXml(t.variant)} vs ${escapeXml(t.baseline)}</h3><p>CTR lift ${escapeXml(liftText(t.ctr.lift))}, p = ${formatP(t.ctr.p)}; conversion lift ${escapeXml(liftText(t.conversion.lift))}, p = ${formatP(t.conversion.p)}</p><p class="${t.significant ? "sig" : "undecided"}">${escapeXml(t.verdict)}</p>`,
    )
    .join("\n");
  const charts: string[] = [];
  for (const placement of new Set(o.arms.map((a) => a.placement))) {
    const days = [...new Set(o.daily.filter((d) => d.placement === placement).map((d) => d.day))].sort();
    const series: Series[] = [];
    for (const variant of new Set(o.daily.filter((d) => d.placement === placement).map((d) => d.variant))) {
      const points: [number, number][] = [];
      for (const d of o.daily) if (d.placement === placement && d.variant === variant && d.impressions > 0) points.push([days.indexOf(d.day) + 1, (100 * d.clicks) / d.impressions]);
      series.push({ name: variant, points });
    }
    charts.push(lineChart(series, { title: `${placement}: click-through by day (${days[0] ?? ""} = day 1)`, xLabel: "day", yLabel: "CTR %" }));
    const impressions: Series[] = series.map((s) => ({
      name: s.name,
      points: o.daily.filter((d) => d.placement === placement && d.variant === s.name).map((d) => [days.indexOf(d.day) + 1, d.impressions] as [number, number]),
    }));
    charts.push(lineChart(impressions, { title: `${placement}: impressions by day`, xLabel: "day", yLabel: "impressions" }));
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>edgerec outcomes</title><style>${STYLE}</style></head><body>
<h1>What recommendations earned</h1>
<p class="meta">${o.events} events, ${escapeXml(span(o))}; generated ${generatedAt.toISOString()}. Rates are per impression with Wilson 95% intervals; revenue per 1,000 impressions with a normal 95% interval; A/B p-values from a two-sided two-proportion z-test.</p>
<h2>Per placement and variant</h2>
<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>
<h2>A/B tests</h2>
${tests || "<p>No placement has two variants yet.</p>"}
<h2>Over time</h2>
${charts.join("\n") || "<p>No impressions yet.</p>"}
</body></html>`;
}
