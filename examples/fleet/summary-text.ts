/**
 * The demo's summary as text a newcomer reads top to bottom: what happened, why, and what it saved.
 * Every number carries its unit.
 *
 * @module
 */
import { DEFAULT_PLACEMENT_POLICY } from "../../src/index.js";
import { FLEET_SITES } from "./fleet-spec.js";
import { LEASE_TTL_MS } from "./nodes.js";
import type { FleetSummary, PlacementSummary } from "./summarize.js";

const usd = (x: number): string => `$${x.toFixed(2)}`;
const pct = (x: number): string => `${x.toFixed(1)}%`;
const min = (x: number | null): string => (x === null ? "—" : `min ${x.toFixed(1)}`);
const city = (id: string): string => FLEET_SITES.find((s) => s.id === id)?.city ?? id;

const FILTER_WORDS: Readonly<Record<string, string>> = {
  residency: "outside its data-residency zone",
  lifecycle: "not in service (cold or failed)",
  capacity: "without enough free CPU or memory",
  health: "unhealthy",
  labels: "missing required labels",
  capabilities: "missing a capability",
  anti_affinity: "ruled out by anti-affinity",
  latency: "too far from its users",
};

function placementLines(p: PlacementSummary): string[] {
  const refused = Object.entries(p.refused).map(([filter, n]) => `${n} ${FILTER_WORDS[filter] ?? filter}`);
  const site = FLEET_SITES.find((s) => s.id === p.edgeId);
  const dearest = Math.max(...FLEET_SITES.map((s) => s.costPerHour ?? 0));
  const w = DEFAULT_PLACEMENT_POLICY.weights;
  const lines = [
    `  ${p.service} → ${p.edgeId ?? "nowhere"} (${p.city}), score ${p.score.toFixed(1)}/100`,
    `      ${p.edgesFeasible} of ${p.edgesConsidered} sites could take it; refused: ${refused.join(", ") || "none"} (residency: ${p.residency.join(", ") || "any"})`,
  ];
  if (p.parts.latency !== null && p.rttMs !== null) {
    lines.push(`      latency ${p.parts.latency.toFixed(0)}/100 (weight ${w.latency}): its users are ${p.rttMs.toFixed(1)} ms away on average (0 ms scores 100, ${DEFAULT_PLACEMENT_POLICY.latencyCeilingMs} ms or more scores 0)`);
  }
  lines.push(`      free capacity ${p.parts.balance.toFixed(0)}/100 (weight ${w.balance}): ${p.parts.balance.toFixed(0)}% of the site's CPU and memory stay free after placing it`);
  lines.push(`      price ${p.parts.cost.toFixed(0)}/100 (weight ${w.cost}): ${usd(site?.costPerHour ?? 0)}/h, ${pct(p.parts.cost)} cheaper than the dearest site (${usd(dearest)}/h)`);
  lines.push(`      data locality: not scored (the service pins no data to a site)`);
  return lines;
}

/** The summary, line by line. */
export function formatSummary(s: FleetSummary): string[] {
  const out: string[] = [];
  const regions = [...new Set(s.fleet.map((e) => `${e.region} [zone ${e.zone}]`))];
  const cold = s.fleet.filter((e) => e.startedAs !== "active");
  out.push(`Workload: ${s.trace.description}; the first ${s.trace.warmupMinutes} min are history the warmer learns from.`);
  out.push(`Fleet: ${s.fleet.length} edge sites in ${regions.length} regions: ${regions.join(", ")}; ${cold.length} start cold (${cold.map((e) => e.id).join(", ")}).`);
  const first = s.controlPlane.firstLeader;
  out.push(`Control plane: ${s.controlPlane.members.length} Raft members on ${s.controlPlane.members.join(", ")}; ${first === null ? "no leader" : `${first.leader} leads (term ${first.term})`}.`);
  out.push("", `Workflow "${s.workflow.name}": ${s.workflow.nodes.filter((n) => n.status === "completed").length}/${s.workflow.nodes.length} steps completed (${s.status}).`);

  out.push("", "1. Placement: where each service runs, and why");
  for (const p of s.placements) out.push(...placementLines(p));

  const cmp = s.warming.comparison;
  out.push("", "2. Warming: cold sites brought into service before demand reaches them");
  for (const t of s.transitions.filter((t) => t.event !== "FAIL")) out.push(`  ${min(t.atMinute)}  ${t.edgeId} (${city(t.edgeId)}): ${t.from} → ${t.to}`);
  for (const d of s.warming.predicted.filter((d) => cold.some((c) => c.id === d.edge))) out.push(`  why ${d.edge}: ${d.reason}`);
  const stillCold = cold.filter((e) => !s.transitions.some((t) => t.edgeId === e.id && t.to === "active"));
  if (stillCold.length > 0) out.push(`  stayed cold (no demand predicted near them, so no cost): ${stillCold.map((e) => e.id).join(", ")}`);
  out.push(
    `  Cold starts over the trace (${cmp.coldStartMs / 1000} s to load a model, ${cmp.concurrencyPerInstance} requests per instance):`,
    `    ${cmp.baseline.policy}: ${cmp.baseline.coldStarts} of ${cmp.baseline.requests} requests (${pct(cmp.baseline.coldStartPercent)}), mean wait ${cmp.baseline.meanWaitMs.toFixed(0)} ms, ${cmp.baseline.warmInstanceHours.toFixed(1)} instance-hours`,
    `    ${cmp.warmed.policy}: ${cmp.warmed.coldStarts} (${pct(cmp.warmed.coldStartPercent)}), mean wait ${cmp.warmed.meanWaitMs.toFixed(0)} ms, ${cmp.warmed.warmInstanceHours.toFixed(1)} instance-hours`,
    `    → ${cmp.coldStartsAvoided} cold starts avoided, for ${(cmp.warmed.warmInstanceHours - cmp.baseline.warmInstanceHours).toFixed(1)} more instance-hours kept warm`,
  );

  out.push("", `3. Monitoring: ${s.alerts.filter((a) => a.firedAtMinute !== null).length} alerts fired (latency in ms includes queueing; availability in %)`);
  for (const a of s.alerts.filter((a) => a.firedAtMinute !== null)) {
    const unit = a.metric === "latency" ? " ms" : "%";
    out.push(`  ${min(a.firedAtMinute)}  ${a.severity.padEnd(8)} ${a.metric} on ${a.edgeId}: ${a.value.toFixed(0)}${unit} vs threshold ${a.threshold}${unit}; ${a.resolvedAtMinute === null ? "still firing" : `resolved ${min(a.resolvedAtMinute)}`}`);
  }
  for (const a of s.alerts.filter((a) => a.firedAtMinute === null)) out.push(`  pending   ${a.severity} ${a.metric} on ${a.edgeId} (${a.value.toFixed(0)} vs ${a.threshold}): over its threshold, not yet for long enough to fire`);

  const ups = s.scaling.filter((c) => c.to > c.from).length;
  const peak = s.minutes.reduce((m, p) => (p.instances > m.instances ? p : m), s.minutes[0] ?? { minute: 0, instances: 0 });
  out.push("", `4. Scaling: ${s.scaling.length} decisions changed an instance count (${ups} up, ${s.scaling.length - ups} down); peak ${peak.instances} instances at min ${peak.minute}`);
  for (const c of s.scaling.slice(0, 4)) out.push(`  min ${c.minute}  ${c.service}: ${c.from} → ${c.to} instances (${c.urgency} urgency): ${c.reason.split(";")[0]}`);
  if (s.scaling.length > 4) out.push(`  … and ${s.scaling.length - 4} more (see --report for the chart)`);

  const f = s.failure;
  out.push("", "5. Failure: the site hosting the Raft leader goes down");
  if (f === null) out.push("  (not reached)");
  else {
    const hosted = s.migrations.map((m) => m.service);
    out.push(
      `  ${min(f.atMinute)}  ${f.edgeId} (${city(f.edgeId)}) is cut off; it led the control plane (term ${f.previousTerm}) and ran ${hosted.join(", ") || "no service"}`,
      `  partition detected: the other members declared it dead ${f.detectedAfterMs} ms later (phi-accrual on 1 s heartbeats); it saw itself in a minority`,
      `  new leader: ${f.newLeader} (term ${f.newTerm}), ${f.electedAfterMs} ms after the crash`,
    );
    for (const m of s.migrations) {
      out.push(
        `  ${m.service}: ${m.from} → ${m.to} (${city(m.to)}), ${m.strategy} restore from its standby copy, score ${m.score.toFixed(1)}/100, users ${m.rttMs?.toFixed(1) ?? "—"} ms away`,
        `      lease: ${m.previousLease.holder} held fencing token ${m.previousLease.token}; nobody renewed it, so it expired and ${m.lease.holder} took it with token ${m.lease.token}, ${(m.leaseTakenAfterCrashMs / 1000).toFixed(1)} s after the crash (lease TTL ${LEASE_TTL_MS / 1000} s)`,
        `      serving again ${(m.restoredAfterCrashMs / 1000).toFixed(1)} s after the crash (waiting for the lease, then a ${m.downtimeMs.toFixed(0)} ms switch-over); the standby copy it restored was ${(m.dataLossWindowMs / 1000).toFixed(1)} s old (copies are refreshed every minute)`,
      );
    }
    if (s.committedPlacement !== null) out.push(`  new placement committed through Raft and read back linearizably (read index ${s.committedPlacement.readIndex}); applied on ${s.committedPlacement.applied}/${s.committedPlacement.members} members (the crashed one cannot)`);
  }

  const c = s.cost;
  out.push("", "6. Cost");
  if (c === null) out.push("  (not reached)");
  else {
    const saving = c.currentMonthlyUsd === 0 ? 0 : (100 * c.monthlySavingsUsd) / c.currentMonthlyUsd;
    out.push(`  services as they run now: ${usd(c.currentMonthlyUsd)}/month; with the recommendations: ${usd(c.proposedMonthlyUsd)}/month → save ${usd(c.monthlySavingsUsd)}/month (${pct(saving)})`);
    for (const r of c.recommendations) out.push(`  ${r.service}: ${r.change}: ${usd(r.currentMonthlyUsd)} → ${usd(r.proposedMonthlyUsd)}/month`);
    out.push(`  edge sites in use: ${usd(c.fleetMonthlyUsd)}/month (hourly price × 730 h)`);
  }

  out.push("", `7. Event log in hybrid-logical-clock order (${s.eventLog.length} events; hlc = wall clock time / logical counter)`);
  const shown = s.eventLog.length <= 12 ? s.eventLog : [...s.eventLog.slice(0, 6), null, ...s.eventLog.slice(-6)];
  for (const e of shown) out.push(e === null ? `  … ${s.eventLog.length - 12} more` : `  ${min(e.atMinute)}  hlc ${e.hlc}  ${e.what}`);
  out.push("", "In short:", ...inShort(s));
  return out;
}

function inShort(s: FleetSummary): string[] {
  const zoneOf = (edgeId: string | null): string | undefined => s.fleet.find((e) => e.id === edgeId)?.zone;
  const compliant = s.placements.filter((p) => p.edgeId !== null && (p.residency.length === 0 || p.residency.includes(zoneOf(p.edgeId) ?? ""))).length;
  const warmed = s.transitions.filter((t) => t.to === "active").length;
  const fired = s.alerts.filter((a) => a.firedAtMinute !== null).length;
  const lines = [
    `  ${compliant}/${s.placements.length} services placed inside their residency zones, ${warmed} cold sites warmed ahead of demand;`,
    `  ${s.warming.comparison.coldStartsAvoided} cold starts avoided against scale-to-zero; ${fired} alerts fired; ${s.scaling.length} scaling decisions applied;`,
  ];
  if (s.failure !== null) {
    const outage = s.migrations.reduce((m, x) => Math.max(m, x.restoredAfterCrashMs), 0);
    lines.push(`  the leader's site crashed: new leader in ${s.failure.electedAfterMs} ms, ${s.migrations.length} service(s) moved with their leases, serving again within ${(outage / 1000).toFixed(1)} s;`);
  }
  if (s.cost !== null) lines.push(`  ${usd(s.cost.monthlySavingsUsd)}/month of savings found on ${usd(s.cost.currentMonthlyUsd)}/month.`);
  return lines;
}
