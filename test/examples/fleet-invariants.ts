/**
 * What must hold after any run of the fleet demo, checked against the fleet's own definition rather
 * than against the summary's words.
 */
import { expect } from "vitest";
import { FLEET_SERVICES, FLEET_SITES } from "../../examples/fleet/fleet-spec.js";
import { LEASE_TTL_MS, RENEW_EVERY_MS } from "../../examples/fleet/nodes.js";
import type { FleetSummary } from "../../examples/fleet/summarize.js";

function zoneOf(edgeId: string | null): string | undefined {
  return FLEET_SITES.find((s) => s.id === edgeId)?.complianceZones?.[0];
}

function residencyOf(service: string): readonly string[] {
  return FLEET_SERVICES.find((s) => s.id === service)?.residency ?? [];
}

export function expectValidFleetRun(s: FleetSummary): void {
  expect(s.status).toBe("completed");
  expect(s.workflow.nodes.every((n) => n.status === "completed")).toBe(true);

  // Every placement, first and after failover, inside the service's data-residency zone.
  expect(s.placements).toHaveLength(FLEET_SERVICES.length);
  for (const p of s.placements) expect(residencyOf(p.service), `${p.service} on ${p.edgeId}`).toContain(zoneOf(p.edgeId));
  for (const [service, edgeId] of Object.entries(s.finalPlacement)) expect(residencyOf(service), `${service} ends on ${edgeId}`).toContain(zoneOf(edgeId));

  // The crash hit the leader's site; a survivor leads in a later term; the survivors saw it dead.
  const failure = s.failure;
  expect(failure).not.toBeNull();
  if (failure === null) return;
  expect(s.controlPlane.members).toContain(failure.edgeId);
  expect(failure.newLeader).not.toBe(failure.edgeId);
  expect(failure.newTerm).toBeGreaterThan(failure.previousTerm);
  const survivors = s.controlPlane.members.filter((m) => m !== failure.edgeId);
  for (const observer of survivors) expect(failure.detectorEvents).toContainEqual(expect.objectContaining({ observer, peer: failure.edgeId, kind: "dead" }));

  // Every service of the failed site moved to a live site, with its lease and a higher fencing token.
  const moved = s.placements.filter((p) => p.edgeId === failure.edgeId).map((p) => p.service);
  expect(s.migrations.map((m) => m.service).sort()).toEqual(moved.sort());
  expect(moved.length).toBeGreaterThan(0);
  for (const m of s.migrations) {
    expect(m.phase).toBe("completed");
    expect(m.to).not.toBe(failure.edgeId);
    expect(s.finalPlacement[m.service]).toBe(m.to);
    expect(m.lease.holder).toBe(m.to);
    expect(m.previousLease.holder).toBe(failure.edgeId);
    expect(m.lease.token).toBeGreaterThan(m.previousLease.token);
    // The old holder's lease was renewed until the crash, so the new one waits for it to expire.
    expect(m.leaseTakenAfterCrashMs).toBeGreaterThan(LEASE_TTL_MS - RENEW_EVERY_MS);
    // ...and serves only once it holds it.
    expect(m.restoredAfterCrashMs).toBeGreaterThanOrEqual(m.leaseTakenAfterCrashMs);
  }
  expect(Object.values(s.finalPlacement)).not.toContain(failure.edgeId);
  // Each edge that received a service after failover is in service.
  const active = new Set([...FLEET_SITES.filter((e) => e.lifecycleState === "active").map((e) => e.id), ...s.transitions.filter((t) => t.to === "active").map((t) => t.edgeId)]);
  for (const m of s.migrations) expect(active.has(m.to), `${m.to} is active`).toBe(true);

  // The committed placement reached a majority of the control plane.
  expect(s.committedPlacement?.applied ?? 0).toBeGreaterThanOrEqual(2);

  // Warming: cold sites were brought up through the lifecycle, and warming beat scale-to-zero.
  expect(s.transitions.some((t) => t.from === "warming" && t.to === "active")).toBe(true);
  expect(s.warming.comparison.warmed.coldStarts).toBeLessThan(s.warming.comparison.baseline.coldStarts);
  expect(s.warming.comparison.coldStartsAvoided).toBe(s.warming.comparison.baseline.coldStarts - s.warming.comparison.warmed.coldStarts);

  // The cost report adds up: per-service costs sum to the total, savings are current minus proposed.
  const cost = s.cost;
  expect(cost).not.toBeNull();
  if (cost === null) return;
  expect(cost.breakdown.reduce((sum, b) => sum + b.currentMonthlyUsd, 0)).toBeCloseTo(cost.currentMonthlyUsd, 1);
  expect(cost.breakdown.reduce((sum, b) => sum + b.proposedMonthlyUsd, 0)).toBeCloseTo(cost.proposedMonthlyUsd, 1);
  expect(cost.currentMonthlyUsd - cost.proposedMonthlyUsd).toBeCloseTo(cost.monthlySavingsUsd, 1);
  expect(cost.recommendations.reduce((sum, r) => sum + r.savingsUsd, 0)).toBeCloseTo(cost.monthlySavingsUsd, 1);
}
