/**
 * Hand-written SVG charts for the demo's report: pure functions from data to markup, no library, no
 * script, nothing fetched. Every chart has a title, labelled axes with units, and a legend.
 *
 * @module
 */

/** Escapes text for XML content and attribute values. */
export function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2)).replace(/\.0+$/, "");
const PAD = { left: 56, right: 16, top: 52, bottom: 44 };

export interface Series {
  readonly name: string;
  readonly color: string;
  /** `y` undefined = a gap. */
  readonly points: readonly { readonly x: number; readonly y: number | undefined }[];
  readonly dashed?: boolean;
}

export interface LineChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
  /** Vertical markers, e.g. the failure. */
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
}

/** Round tick steps (1, 2, 5 × 10^k) giving about `count` ticks over [0, max]. */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function frame(width: number, height: number, title: string, body: string): string {
  return `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title><text x="${width / 2}" y="20" text-anchor="middle" class="title">${esc(title)}</text>${body}</svg>`;
}

function legend(items: readonly { name: string; color: string; dashed?: boolean }[], x: number, y: number): string {
  let offset = 0;
  return items
    .map((item) => {
      const dash = item.dashed === true ? ' stroke-dasharray="5 3"' : "";
      const svg = `<line x1="${x + offset}" y1="${y}" x2="${x + offset + 18}" y2="${y}" stroke="${item.color}" stroke-width="3"${dash}/><text x="${x + offset + 22}" y="${y + 4}" class="legend">${esc(item.name)}</text>`;
      offset += 30 + item.name.length * 6.5;
      return svg;
    })
    .join("");
}

/** A line chart over a shared x axis; gaps where a series has no value. */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 280;
  const all = spec.series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, 1);
  const yMax = Math.max(...all.map((p) => p.y ?? 0), 1e-9);
  const yTicks = ticks(yMax);
  const yTop = yTicks[yTicks.length - 1] ?? yMax;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const sx = (x: number): number => PAD.left + ((x - xMin) / Math.max(1e-9, xMax - xMin)) * plotW;
  const sy = (y: number): number => PAD.top + plotH - (y / yTop) * plotH;
  const grid = yTicks.map((t) => `<line x1="${PAD.left}" y1="${sy(t)}" x2="${width - PAD.right}" y2="${sy(t)}" class="grid"/><text x="${PAD.left - 6}" y="${sy(t) + 4}" text-anchor="end" class="tick">${fmt(t)}</text>`).join("");
  const xTicks = ticks(xMax - xMin, 8).map((t) => t + xMin);
  const xAxis = xTicks.map((t) => `<text x="${sx(t)}" y="${height - PAD.bottom + 16}" text-anchor="middle" class="tick">${fmt(t)}</text>`).join("");
  const paths = spec.series
    .map((s) => {
      let d = "";
      let pen = false;
      for (const p of s.points) {
        if (p.y === undefined) {
          pen = false;
          continue;
        }
        d += `${pen ? "L" : "M"}${sx(p.x).toFixed(1)} ${sy(p.y).toFixed(1)} `;
        pen = true;
      }
      const dash = s.dashed === true ? ' stroke-dasharray="5 3"' : "";
      return `<path d="${d.trim()}" fill="none" stroke="${s.color}" stroke-width="2"${dash}><title>${esc(s.name)}</title></path>`;
    })
    .join("");
  const markers = (spec.markers ?? [])
    .map((m) => `<line x1="${sx(m.x)}" y1="${PAD.top}" x2="${sx(m.x)}" y2="${PAD.top + plotH}" class="marker"/><text x="${sx(m.x) - 4}" y="${PAD.top + 12}" text-anchor="end" class="marker-label">${esc(m.label)}</text>`)
    .join("");
  const axes = `<text x="${PAD.left + plotW / 2}" y="${height - 8}" text-anchor="middle" class="axis">${esc(spec.xLabel)}</text><text transform="translate(14 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle" class="axis">${esc(spec.yLabel)}</text>`;
  return frame(width, height, spec.title, `${grid}${xAxis}${paths}${markers}${axes}${legend(spec.series, PAD.left + 8, 38)}`);
}

export interface TimelineSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly lanes: readonly string[];
  readonly xMax: number;
  readonly spans: readonly { readonly lane: string; readonly from: number; readonly to: number; readonly color: string; readonly label: string }[];
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
  readonly legend: readonly { readonly name: string; readonly color: string }[];
}

/** Spans on labelled lanes over time (alerts from firing to resolved). */
export function timelineChart(spec: TimelineSpec): string {
  const width = 720;
  const laneH = 22;
  const left = 170;
  const height = PAD.top + Math.max(1, spec.lanes.length) * laneH + PAD.bottom;
  const plotW = width - left - PAD.right;
  const sx = (x: number): number => left + (x / Math.max(1e-9, spec.xMax)) * plotW;
  const laneY = (lane: string): number => PAD.top + spec.lanes.indexOf(lane) * laneH;
  const lanes = spec.lanes.map((lane, i) => `<rect x="${left}" y="${PAD.top + i * laneH}" width="${plotW}" height="${laneH}" class="${i % 2 === 0 ? "lane" : "lane-alt"}"/><text x="${left - 6}" y="${PAD.top + i * laneH + 15}" text-anchor="end" class="tick">${esc(lane)}</text>`).join("");
  const spans = spec.spans
    .map((s) => `<rect x="${sx(s.from).toFixed(1)}" y="${laneY(s.lane) + 4}" width="${Math.max(3, sx(s.to) - sx(s.from)).toFixed(1)}" height="${laneH - 8}" fill="${s.color}" rx="2"><title>${esc(s.label)}</title></rect>`)
    .join("");
  const bottom = PAD.top + spec.lanes.length * laneH;
  const xAxis = ticks(spec.xMax, 8).map((t) => `<text x="${sx(t)}" y="${bottom + 16}" text-anchor="middle" class="tick">${fmt(t)}</text>`).join("");
  const markers = (spec.markers ?? []).map((m) => `<line x1="${sx(m.x)}" y1="${PAD.top}" x2="${sx(m.x)}" y2="${bottom}" class="marker"/><text x="${sx(m.x) - 4}" y="${PAD.top - 4}" text-anchor="end" class="marker-label">${esc(m.label)}</text>`).join("");
  const axis = `<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle" class="axis">${esc(spec.xLabel)}</text>`;
  return frame(width, height, spec.title, `${lanes}${spans}${xAxis}${markers}${axis}${legend(spec.legend, left + 8, height - 24)}`);
}

export interface BarChartSpec {
  readonly title: string;
  readonly unit: string;
  readonly groups: readonly { readonly label: string; readonly values: readonly number[] }[];
  readonly series: readonly { readonly name: string; readonly color: string }[];
}

/** Horizontal grouped bars (e.g. monthly cost now and after, per service). */
export function barChart(spec: BarChartSpec): string {
  const width = 720;
  const left = 120;
  const barH = 12;
  const groupH = spec.series.length * barH + 10;
  const height = PAD.top + spec.groups.length * groupH + PAD.bottom;
  const max = Math.max(...spec.groups.flatMap((g) => g.values), 1e-9);
  const xTicks = ticks(max, 6);
  const top = xTicks[xTicks.length - 1] ?? max;
  const plotW = width - left - PAD.right - 60;
  const sx = (v: number): number => left + (v / top) * plotW;
  const grid = xTicks.map((t) => `<line x1="${sx(t)}" y1="${PAD.top}" x2="${sx(t)}" y2="${height - PAD.bottom}" class="grid"/><text x="${sx(t)}" y="${height - PAD.bottom + 14}" text-anchor="middle" class="tick">${fmt(t)}</text>`).join("");
  const bars = spec.groups
    .map((g, gi) => {
      const y0 = PAD.top + gi * groupH;
      const label = `<text x="${left - 6}" y="${y0 + groupH / 2 + 2}" text-anchor="end" class="tick">${esc(g.label)}</text>`;
      return (
        label +
        g.values
          .map((v, si) => {
            const s = spec.series[si];
            const y = y0 + si * barH;
            return `<rect x="${left}" y="${y}" width="${Math.max(1, sx(v) - left).toFixed(1)}" height="${barH - 2}" fill="${s?.color ?? "#888"}"><title>${esc(`${g.label}, ${s?.name ?? ""}: ${fmt(v)} ${spec.unit}`)}</title></rect><text x="${sx(v) + 4}" y="${y + barH - 3}" class="value">${fmt(v)}</text>`;
          })
          .join("")
      );
    })
    .join("");
  const axis = `<text x="${left + plotW / 2}" y="${height - 22}" text-anchor="middle" class="axis">${esc(spec.unit)}</text>`;
  return frame(width, height, spec.title, `${grid}${bars}${axis}${legend(spec.series, left, height - 6)}`);
}

export interface GraphSpec {
  readonly title: string;
  readonly nodes: readonly { readonly id: string; readonly type: string; readonly status: string }[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

/** Layer of each node: the length of the longest path reaching it (the graph is acyclic). */
export function layers(nodes: readonly { id: string }[], edges: readonly { from: string; to: string }[]): Map<string, number> {
  const layer = new Map(nodes.map((n) => [n.id, 0]));
  for (let pass = 0; pass < nodes.length; pass++) {
    let changed = false;
    for (const e of edges) {
      const next = (layer.get(e.from) ?? 0) + 1;
      if (next > (layer.get(e.to) ?? 0)) {
        layer.set(e.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return layer;
}

/** The workflow as a layered graph, top to bottom, each node coloured by how its run ended. */
export function graphChart(spec: GraphSpec): string {
  const layer = layers(spec.nodes, spec.edges);
  const rows = new Map<number, string[]>();
  for (const n of spec.nodes) rows.set(layer.get(n.id) ?? 0, [...(rows.get(layer.get(n.id) ?? 0) ?? []), n.id]);
  const boxW = 150;
  const boxH = 34;
  const gapX = 24;
  const gapY = 22;
  const widest = Math.max(...[...rows.values()].map((r) => r.length), 1);
  const width = Math.max(720, 32 + widest * (boxW + gapX));
  const height = PAD.top + rows.size * (boxH + gapY) + 8;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [row, ids] of rows) {
    const rowWidth = ids.length * boxW + (ids.length - 1) * gapX;
    ids.forEach((id, i) => pos.set(id, { x: (width - rowWidth) / 2 + i * (boxW + gapX), y: PAD.top + row * (boxH + gapY) }));
  }
  const color: Readonly<Record<string, string>> = { completed: "#e6f4ea", failed: "#fde2e1", skipped: "#eeeeee" };
  const arrows = spec.edges
    .map((e) => {
      const a = pos.get(e.from);
      const b = pos.get(e.to);
      if (a === undefined || b === undefined) return "";
      const x1 = a.x + boxW / 2;
      const y1 = a.y + boxH;
      const x2 = b.x + boxW / 2;
      const y2 = b.y;
      return `<path d="M${x1} ${y1} C${x1} ${y1 + gapY} ${x2} ${y2 - gapY} ${x2} ${y2 - 4}" class="arrow" marker-end="url(#head)"/>`;
    })
    .join("");
  const boxes = spec.nodes
    .map((n) => {
      const p = pos.get(n.id) ?? { x: 0, y: 0 };
      return `<g><rect x="${p.x}" y="${p.y}" width="${boxW}" height="${boxH}" rx="5" fill="${color[n.status] ?? "#fff"}" class="box"><title>${esc(`${n.id}: ${n.type} (${n.status})`)}</title></rect><text x="${p.x + boxW / 2}" y="${p.y + 14}" text-anchor="middle" class="node-id">${esc(n.id)}</text><text x="${p.x + boxW / 2}" y="${p.y + 27}" text-anchor="middle" class="node-type">${esc(n.type)}</text></g>`;
    })
    .join("");
  const defs = `<defs><marker id="head" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="#667"/></marker></defs>`;
  return frame(width, height, spec.title, `${defs}${arrows}${boxes}`);
}
