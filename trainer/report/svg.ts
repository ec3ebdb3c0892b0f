/** Hand-drawn SVG charts for the self-contained training report (no scripts, no network). */

export interface Series {
  name: string;
  points: Array<[number, number]>;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Log-scale y axis (e.g. item popularity). */
  logY?: boolean;
  /** Fill the area under the first series. */
  area?: boolean;
}

const COLORS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2"];

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** "Nice" tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return +v.toPrecision(4) + "";
}

/** A line chart with axes, ticks, a legend and one path per series. */
export function lineChart(series: Series[], o: ChartOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 320;
  const m = { left: 64, right: 16, top: 32, bottom: 48 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0));
  const header = `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(o.title)}">`;
  const title = `<text x="${width / 2}" y="18" text-anchor="middle" class="title">${escapeXml(o.title)}</text>`;
  if (all.length === 0) {
    return `${header}${title}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="empty">no data</text></svg>`;
  }
  const ty = (y: number) => (o.logY ? Math.log10(y) : y);
  let x0 = Math.min(...all.map((p) => p[0]));
  let x1 = Math.max(...all.map((p) => p[0]));
  let y0 = Math.min(...all.map((p) => ty(p[1])));
  let y1 = Math.max(...all.map((p) => ty(p[1])));
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  if (!o.logY && y0 < 0 && all.every((p) => p[1] >= 0)) y0 = 0;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((ty(y) - y0) / (y1 - y0)) * ph;
  const parts: string[] = [header, title];
  // Axes and grid.
  const xt = ticks(x0, x1, 6);
  const yt = o.logY ? ticks(Math.ceil(y0), Math.floor(y1), 5).filter((v) => Number.isInteger(v)).map((v) => 10 ** v) : ticks(y0, y1, 5);
  for (const v of yt) {
    const y = sy(v);
    parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${m.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" class="tick">${fmt(v)}</text>`);
  }
  for (const v of xt) {
    const x = sx(v);
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.top + ph}" y2="${m.top + ph + 4}" class="axis"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${m.top + ph + 18}" text-anchor="middle" class="tick">${fmt(v)}</text>`);
  }
  parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" class="axis"/>`);
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" class="axis"/>`);
  parts.push(`<text x="${m.left + pw / 2}" y="${height - 8}" text-anchor="middle" class="label">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" class="label">${escapeXml(o.yLabel)}</text>`);
  series.forEach((s, k) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0));
    if (pts.length === 0) return;
    const color = COLORS[k % COLORS.length];
    const d = pts.map(([x, y], i) => `${i === 0 ? "M" : "L"}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`).join(" ");
    if (o.area && k === 0) {
      const base = (m.top + ph).toFixed(1);
      parts.push(`<path d="${d} L${sx(pts[pts.length - 1][0]).toFixed(1)} ${base} L${sx(pts[0][0]).toFixed(1)} ${base} Z" fill="${color}" fill-opacity="0.15" stroke="none"/>`);
    }
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2" class="series"><title>${escapeXml(s.name)}</title></path>`);
    if (pts.length <= 60) for (const [x, y] of pts) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
    parts.push(`<rect x="${m.left + 8}" y="${m.top + 4 + k * 16}" width="10" height="10" fill="${color}"/>`);
    parts.push(`<text x="${m.left + 22}" y="${m.top + 13 + k * 16}" class="legend">${escapeXml(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}
