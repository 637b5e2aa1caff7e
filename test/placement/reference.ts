/**
 * A deliberately naive reference for placement, written from the documented formulas (plain objects,
 * haversine per pair, every edge): the engine must agree with it.
 */
import type { EdgeRecord } from "../../src/infra/types.js";
import type { PlacementPolicy, Workload } from "../../src/placement/types.js";

function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export type Usage = Map<string, Record<string, number>>;

function used(edge: EdgeRecord, usage: Usage, resource: string): number {
  return usage.get(edge.id)?.[resource] ?? edge.allocated[resource] ?? 0;
}

export function referenceFeasible(edge: EdgeRecord, w: Workload, policy: PlacementPolicy, usage: Usage): boolean {
  if (!policy.allowedLifecycleStates.includes(edge.lifecycleState)) return false;
  if (!policy.allowedHealth.includes(edge.health)) return false;
  for (const [resource, amount] of Object.entries(w.requests ?? {})) {
    if (amount > 0 && used(edge, usage, resource) + amount > (edge.capacity[resource] ?? 0)) return false;
  }
  for (const [k, v] of Object.entries(w.edgeSelector?.matchLabels ?? {})) if (edge.labels[k] !== v) return false;
  if (w.residency !== undefined && !edge.complianceZones.some((z) => w.residency?.includes(z))) return false;
  if (!(w.capabilities ?? []).every((c) => edge.capabilities.includes(c))) return false;
  if (w.maxRttMs !== undefined && referenceRtt(edge, w, policy) > w.maxRttMs) return false;
  return true;
}

export function referenceRtt(edge: EdgeRecord, w: Workload, policy: PlacementPolicy): number {
  const users = w.users ?? [];
  const total = users.reduce((s, u) => s + (u.weight ?? 1), 0);
  const m = policy.rttModel;
  return users.reduce((s, u) => s + ((u.weight ?? 1) / total) * (m.baseMs + (m.routeFactor * 2 * haversineKm(edge.coordinates, u)) / m.fibreKmPerMs), 0);
}

export function referenceTotal(edge: EdgeRecord, edges: readonly EdgeRecord[], w: Workload, policy: PlacementPolicy, usage: Usage): number {
  const parts: Array<[number, number]> = [];
  if ((w.users ?? []).length > 0) parts.push([policy.weights.latency, Math.max(0, 100 * (1 - referenceRtt(edge, w, policy) / policy.latencyCeilingMs))]);
  if ((w.dataEdges ?? []).length + (w.dataRegions ?? []).length > 0) {
    parts.push([policy.weights.locality, w.dataEdges?.includes(edge.id) ? 100 : w.dataRegions?.includes(edge.region) ? 50 : 0]);
  }
  const shares: number[] = [];
  for (const resource of ["cpu", "memoryMb"]) {
    const cap = edge.capacity[resource] ?? 0;
    if (cap <= 0) continue;
    const after = used(edge, usage, resource) + (w.requests?.[resource] ?? 0);
    shares.push(policy.balance === "most_allocated" ? after / cap : (cap - after) / cap);
  }
  const balance = shares.length === 0 ? 0 : (100 * shares.reduce((a, b) => a + b, 0)) / shares.length;
  parts.push([policy.weights.balance, Math.min(100, Math.max(0, balance))]);
  const maxCost = Math.max(0, ...edges.map((e) => e.costPerHour));
  parts.push([policy.weights.cost, maxCost > 0 ? 100 * (1 - edge.costPerHour / maxCost) : 100]);
  const weightSum = parts.reduce((s, [wt]) => s + wt, 0);
  return weightSum > 0 ? parts.reduce((s, [wt, v]) => s + wt * v, 0) / weightSum : 0;
}
