/**
 * The demo's report: one self-contained HTML file (inline SVG and CSS, no script, nothing fetched)
 * with demand against forecast, warm capacity against requests, alerts on a timeline, the workflow
 * graph and the cost breakdown, followed by the summary text.
 *
 * @module
 */
import { barChart, esc, graphChart, lineChart, timelineChart } from "./report-svg.js";
import type { FleetSummary } from "./summarize.js";
import { formatSummary } from "./summary-text.js";

const SEVERITY_COLORS: Readonly<Record<string, string>> = { warning: "#f2b705", error: "#e8710a", critical: "#c5221f" };

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 980px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
.chart { display: block; margin: 8px 0 18px; background: #fff; border: 1px solid #ddd; }
.chart .title { font: 600 14px system-ui, sans-serif; fill: #222; }
.chart .tick, .chart .legend, .chart .value { font: 11px system-ui, sans-serif; fill: #444; }
.chart .axis { font: 12px system-ui, sans-serif; fill: #222; }
.chart .grid { stroke: #eee; } .chart .lane { fill: #fafafa; } .chart .lane-alt { fill: #f1f1f1; }
.chart .marker { stroke: #c5221f; stroke-dasharray: 4 3; } .chart .marker-label { font: 11px system-ui, sans-serif; fill: #c5221f; }
.chart .box { stroke: #556; } .chart .arrow { fill: none; stroke: #667; }
.chart .node-id { font: 600 11px system-ui, sans-serif; fill: #222; } .chart .node-type { font: 10px system-ui, sans-serif; fill: #555; }
pre { background: #f6f8fa; padding: 12px; overflow-x: auto; font-size: 12px; }
`;

function demandChart(s: FleetSummary): string {
  const failure = s.failure === null ? [] : [{ x: s.failure.atMinute, label: `${s.failure.edgeId} fails` }];
  return lineChart({
    title: "Demand vs forecast (all services)",
    xLabel: "minutes since the start of the trace",
    yLabel: "requests in service at once",
    series: [
      { name: "demand (observed)", color: "#1a73e8", points: s.minutes.map((m) => ({ x: m.minute, y: m.demand })) },
      { name: "forecast made 2 min earlier", color: "#e8710a", dashed: true, points: s.minutes.map((m) => ({ x: m.minute, y: m.forecast })) },
      { name: "instances (autoscaler)", color: "#188038", points: s.minutes.map((m) => ({ x: m.minute, y: m.instances })) },
    ],
    markers: failure,
  });
}

function capacityChart(s: FleetSummary): string {
  const c = s.warming.comparison;
  return lineChart({
    title: `Warm capacity vs requests (${c.warmed.policy}, ${c.coldStartMs / 1000} s cold start)`,
    xLabel: "minutes since the start of the trace",
    yLabel: "instances / requests",
    series: [
      { name: "warm instances (peak per minute)", color: "#188038", points: c.capacity.map((p) => ({ x: p.minute, y: p.warmInstances })) },
      { name: "requests in flight (peak per minute)", color: "#1a73e8", points: c.capacity.map((p) => ({ x: p.minute, y: p.inFlight })) },
    ],
  });
}

function alertsChart(s: FleetSummary): string {
  const fired = s.alerts.filter((a) => a.firedAtMinute !== null);
  const end = Math.max(s.trace.minutes, s.failure?.atMinute ?? 0) + 1;
  const lanes = [...new Set(fired.map((a) => `${a.edgeId} ${a.metric}`))].sort();
  return timelineChart({
    title: `Alerts from firing to resolved (${fired.length} fired)`,
    xLabel: "minutes since the start of the trace",
    lanes: lanes.length === 0 ? ["no alerts"] : lanes,
    xMax: end,
    spans: fired.map((a) => ({
      lane: `${a.edgeId} ${a.metric}`,
      from: a.firedAtMinute ?? 0,
      to: a.resolvedAtMinute ?? end,
      color: SEVERITY_COLORS[a.severity] ?? "#888",
      label: `${a.severity} ${a.metric} on ${a.edgeId}: ${a.value} vs ${a.threshold}`,
    })),
    markers: s.failure === null ? [] : [{ x: s.failure.atMinute, label: `${s.failure.edgeId} fails` }],
    legend: Object.entries(SEVERITY_COLORS).map(([name, color]) => ({ name, color })),
  });
}

function costChart(s: FleetSummary): string {
  const breakdown = s.cost?.breakdown ?? [];
  return barChart({
    title: `Monthly cost per service: now ${s.cost === null ? "" : `$${s.cost.currentMonthlyUsd.toFixed(2)}`} vs recommended ${s.cost === null ? "" : `$${s.cost.proposedMonthlyUsd.toFixed(2)}`}`,
    unit: "US dollars per month",
    groups: breakdown.map((b) => ({ label: b.service, values: [b.currentMonthlyUsd, b.proposedMonthlyUsd] })),
    series: [
      { name: "now", color: "#9aa0a6" },
      { name: "with recommendations", color: "#188038" },
    ],
  });
}

/** The whole report as one HTML document. */
export function renderReport(s: FleetSummary): string {
  const graph = graphChart({ title: `Workflow "${s.workflow.name}" (${s.workflow.nodes.length} steps, coloured by outcome)`, nodes: s.workflow.nodes, edges: s.workflow.connections });
  const sections = [
    ["Demand and forecast", demandChart(s)],
    ["Warm capacity and requests", capacityChart(s)],
    ["Alerts", alertsChart(s)],
    ["The workflow", graph],
    ["Cost", costChart(s)],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edgeflow fleet demo, seed ${s.seed}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>edgeflow fleet demo (seed ${s.seed})</h1>
<p>${esc(s.trace.description)}. ${s.fleet.length} edge sites, ${s.placements.length} services, ${s.controlPlane.members.length}-member Raft control plane.</p>
${sections.map(([title, svg]) => `<h2>${esc(title ?? "")}</h2>\n${svg ?? ""}`).join("\n")}
<h2>Summary</h2>
<pre>${esc(formatSummary(s).join("\n"))}</pre>
</body>
</html>
`;
}
