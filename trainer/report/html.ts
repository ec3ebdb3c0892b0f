import type { CandidateSummary } from "../../src/artifact/index.ts";
import type { AnchorSet } from "./anchors.ts";
import { escapeXml, lineChart, type Series } from "./svg.ts";

/** One training epoch of one (factor) model: its loss and the held-out metric when measured. */
export interface EpochPoint {
  model: string;
  epoch: number;
  loss?: number;
  metric?: number;
}

export interface ReportInput {
  title: string;
  generatedAt: Date;
  data: { users: number; items: number; train: number; test: number; dev?: number; split: string; task: string };
  model: { description: string; config: unknown; fitSeconds: number };
  history: EpochPoint[];
  /** Name of the per-epoch held-out metric and what it was measured on. */
  curveMetric: string;
  curveNote: string;
  metrics: Record<string, number>;
  anchors?: AnchorSet;
  /** Training interactions per item (any order). */
  itemCounts: ArrayLike<number>;
  /** Every model `--model auto` compared (validation chose, test reports). */
  candidates?: CandidateSummary[];
  /** Ranking metric the candidates were chosen by. */
  candidatesPrimary?: string;
  /** The data-quality report's lines and any threshold warnings. */
  quality?: { lines: string[]; warnings: string[] };
  /** What the published model was fitted on, when it differs from the evaluated one. */
  published?: string;
}

/** The candidates table: one row per compared model, the chosen one marked. */
function candidatesTable(rows: CandidateSummary[], primary: string): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.test ?? {})))].filter((k) => !["users", "pairs"].includes(k));
  const head = `<tr><th>model</th><th>validation ${escapeXml(primary)}</th>${keys.map((k) => `<th>test ${escapeXml(k)}</th>`).join("")}<th>fit s</th></tr>`;
  const body = rows
    .map((r) =>
      r.skipped
        ? `<tr><td>${escapeXml(r.family)}</td><td colspan="${keys.length + 2}">skipped: ${escapeXml(r.skipped)}</td></tr>`
        : `<tr${r.chosen ? ' class="ours"' : ""}><td>${r.chosen ? "★ " : ""}${escapeXml(r.family)}</td><td>${fmt(r.validation?.[primary])}</td>${keys.map((k) => `<td>${fmt(r.test?.[k])}</td>`).join("")}<td>${r.fitSeconds.toFixed(1)}</td></tr>`,
    )
    .join("");
  return `<table id="candidates"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1000px;color:#111;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#555}.grid2{display:flex;flex-wrap:wrap;gap:16px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 10px;text-align:right}th:first-child,td:first-child{text-align:left}
tr.ours td{font-weight:600;background:#eef4ff}
svg.chart{background:#fff;border:1px solid #e5e7eb;border-radius:6px}
svg .title{font-size:14px;font-weight:600}svg .tick{font-size:11px;fill:#444}svg .label{font-size:12px;fill:#333}
svg .legend{font-size:12px}svg .grid{stroke:#eee}svg .axis{stroke:#888}svg .empty{fill:#888}
pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:12px}
`;

function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return "–";
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

/** The training report: one self-contained HTML page (inline CSS and SVG, no scripts, no network). */
export function renderReport(r: ReportInput): string {
  const members = [...new Set(r.history.map((h) => h.model))];
  const lossSeries: Series[] = members.map((m) => ({
    name: m,
    points: r.history.filter((h) => h.model === m && h.loss !== undefined).map((h) => [h.epoch, h.loss!] as [number, number]),
  }));
  const metricSeries: Series[] = members.map((m) => ({
    name: m,
    points: r.history.filter((h) => h.model === m && h.metric !== undefined).map((h) => [h.epoch, h.metric!] as [number, number]),
  }));
  const counts = Array.from(r.itemCounts).sort((a, b) => b - a);
  const total = counts.reduce((a, b) => a + b, 0);
  const top20 = counts.slice(0, Math.ceil(counts.length * 0.2)).reduce((a, b) => a + b, 0);
  const never = counts.filter((c) => c === 0).length;
  // Keep the long-tail path small on big catalogues: at most ~400 points, the extremes kept.
  const stride = Math.max(1, Math.floor(counts.length / 400));
  const tail: Array<[number, number]> = [];
  for (let i = 0; i < counts.length; i += stride) tail.push([i + 1, counts[i]]);
  if (counts.length > 0 && tail[tail.length - 1][0] !== counts.length) tail.push([counts.length, counts[counts.length - 1]]);

  const metricKeys = Object.keys(r.metrics).filter((k) => !["users", "pairs"].includes(k));
  const anchorKeys = r.anchors ? [...new Set(r.anchors.rows.flatMap((a) => Object.keys(a.metrics)))] : [];
  const cols = r.anchors ? [...new Set([...anchorKeys, ...metricKeys])] : metricKeys;
  const metricRows = [
    `<tr class="ours"><td>ours: ${escapeXml(r.model.description)}</td>${cols.map((k) => `<td>${fmt(r.metrics[k])}</td>`).join("")}</tr>`,
    ...(r.anchors?.rows ?? []).map((a) => `<tr><td>anchor: ${escapeXml(a.model)}</td>${cols.map((k) => `<td>${fmt(a.metrics[k])}</td>`).join("")}</tr>`),
  ].join("");

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeXml(r.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeXml(r.title)}</h1>
<p class="meta">Generated ${escapeXml(r.generatedAt.toISOString())} · ${r.data.users} users × ${r.data.items} items · split ${escapeXml(r.data.split)} (train ${r.data.train}${r.data.dev !== undefined ? `, dev ${r.data.dev}` : ""}, test ${r.data.test} interactions) · task ${escapeXml(r.data.task)} · fit ${r.model.fitSeconds.toFixed(2)} s</p>

${r.published ? `<p class="meta">${escapeXml(r.published)}</p>` : ""}
${r.quality ? `<h2>Data quality</h2>\n<pre id="quality">${escapeXml(r.quality.lines.join("\n"))}</pre>${r.quality.warnings.map((w) => `<p class="meta"><strong>warning:</strong> ${escapeXml(w)}</p>`).join("")}` : ""}
${r.candidates?.length ? `<h2>Models compared</h2>\n<p class="meta">Chosen by ${escapeXml(r.candidatesPrimary ?? "")} on the validation split; the test columns only report.</p>\n${candidatesTable(r.candidates, r.candidatesPrimary ?? "")}` : ""}

<h2>Final metrics on the held-out split</h2>
${r.anchors ? `<p class="meta">Beside the reference numbers of edgerec's benchmarks (docs/benchmarks.md) for this protocol (${escapeXml(r.anchors.protocol)}).</p>` : `<p class="meta">No reference numbers for this data (anchors exist for MovieLens ua and Amazon Grocery 2014).</p>`}
<table id="metrics"><thead><tr><th>model</th>${cols.map((k) => `<th>${escapeXml(k)}</th>`).join("")}</tr></thead><tbody>${metricRows}</tbody></table>

<h2>Training</h2>
<div class="grid2">
${lineChart(lossSeries, { title: "Training loss per epoch", xLabel: "epoch", yLabel: "mean loss per sample" })}
${lineChart(metricSeries, { title: `${r.curveMetric} per epoch`, xLabel: "epoch", yLabel: r.curveMetric })}
</div>
<p class="meta">${escapeXml(r.curveNote)}${members.length === 0 ? " This model is not trained in epochs (closed form), so there are no curves." : ""}</p>

<h2>Item popularity long tail</h2>
${lineChart([{ name: "training interactions per item", points: tail }], { title: "Interactions per item, most popular first", xLabel: "item rank", yLabel: "interactions (log scale)", logY: true, area: true, width: 980 })}
<p class="meta">${counts.length} items; the top 20% hold ${total > 0 ? ((100 * top20) / total).toFixed(1) : "0"}% of ${total} training interactions; ${never} items have none (scored from their features, if any).</p>

<h2>Configuration</h2>
<pre>${escapeXml(JSON.stringify(r.model.config, null, 2))}</pre>
</body></html>
`;
}
