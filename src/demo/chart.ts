/** Small inline SVG charts for the model card: no chart library, nothing fetched. */
const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#0b6bcb", "#e76f51", "#2a9d8f", "#9b5de5", "#e9c46a", "#6c757d"];

function s(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}

export interface Series {
  name: string;
  values: number[];
}

/** One line per series over epochs; each series scaled to its own range (losses and AUCs differ by orders). */
export function lineChart(series: Series[], xLabel: string): { svg: SVGElement; legend: { name: string; colour: string; range: string }[] } {
  const W = 520, H = 250, L = 36, R = 12, T = 12, B = 40;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Training history: ${series.map((x) => x.name).join(", ")} per ${xLabel}` });
  const n = Math.max(...series.map((x) => x.values.length));
  for (let g = 0; g <= 4; g++) {
    const y = T + ((H - T - B) * g) / 4;
    svg.appendChild(s("line", { x1: L, x2: W - R, y1: y, y2: y, stroke: "#eaecf0" }));
  }
  const xAt = (i: number) => L + ((W - L - R) * i) / Math.max(1, n - 1);
  for (const i of [0, Math.floor((n - 1) / 2), n - 1]) {
    svg.appendChild(s("text", { x: xAt(i), y: H - 22, "font-size": 11, fill: "#667085", "text-anchor": "middle" }, String(i + 1)));
  }
  svg.appendChild(s("text", { x: (L + W - R) / 2, y: H - 4, "font-size": 11, fill: "#667085", "text-anchor": "middle" }, xLabel));
  const legend = series.map((x, k) => {
    const colour = PALETTE[k % PALETTE.length];
    const lo = Math.min(...x.values), hi = Math.max(...x.values);
    const span = hi - lo || 1;
    const points = x.values.map((v, i) => `${xAt(i).toFixed(1)},${(T + (H - T - B) * (1 - (v - lo) / span)).toFixed(1)}`).join(" ");
    svg.appendChild(s("polyline", { points, fill: "none", stroke: colour, "stroke-width": 2, "stroke-linejoin": "round" }));
    return { name: x.name, colour, range: `${fmt(x.values[0])} → ${fmt(x.values[x.values.length - 1])}` };
  });
  return { svg, legend };
}

export interface BarGroup {
  metric: string;
  bars: { label: string; value: number }[];
}

/** Grouped horizontal bars: per metric, this model beside the reference models. */
export function barChart(groups: BarGroup[]): { svg: SVGElement; legend: { name: string; colour: string }[] } {
  const labels = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.label)))];
  const colourOf = (label: string) => PALETTE[labels.indexOf(label) % PALETTE.length];
  const barH = 14, gap = 3, groupGap = 16, L = 96, W = 520, R = 56;
  const height = groups.reduce((acc, g) => acc + g.bars.length * (barH + gap) + groupGap, 8);
  const svg = s("svg", { viewBox: `0 0 ${W} ${height}`, role: "img", "aria-label": "Metrics of this model beside reference models" });
  let y = 8;
  for (const group of groups) {
    const max = Math.max(...group.bars.map((b) => b.value), 1e-9);
    svg.appendChild(s("text", { x: 0, y: y + barH - 2, "font-size": 12, fill: "#344054", "font-weight": 600 }, group.metric));
    for (const bar of group.bars) {
      const w = ((W - L - R) * bar.value) / max;
      svg.appendChild(s("rect", { x: L, y, width: Math.max(1, w), height: barH, rx: 3, fill: colourOf(bar.label) }));
      svg.appendChild(s("text", { x: L + w + 5, y: y + barH - 3, "font-size": 11, fill: "#475467" }, fmt(bar.value)));
      y += barH + gap;
    }
    y += groupGap;
  }
  return { svg, legend: labels.map((name) => ({ name, colour: colourOf(name) })) };
}
