/**
 * The run's cost inputs (what each edge cost over the run, which workload ran where and when, the
 * control plane as a shared cost) and the check that the cost report adds up to its parts.
 */
import type { CostAllocation, CostPlan } from "../../../src/index.js";
import type { Observer } from "./observer.js";
import type { World } from "./world.js";

const HOUR_MS = 3_600_000;
/** What one control-plane member costs an hour. */
export const CONTROL_PLANE_MEMBER_PER_HOUR = 0.12;

/** Every asset's cost, by asset id: the sum the allocation's `assetCost` must equal. */
export function assetCosts(world: World, from: number, to: number): Map<string, number> {
  return new Map(world.edges.map((e) => [`asset-${e.id}`, ((e.costPerHour ?? 0) * (to - from)) / HOUR_MS]));
}

export function costRecords(world: World, observer: Observer, from: number, to: number): unknown[] {
  const costs = assetCosts(world, from, to);
  const assets = world.edges.map((e) => ({
    kind: "asset",
    id: `asset-${e.id}`,
    edgeId: e.id,
    provider: "edge-local",
    region: e.region,
    vcpu: e.capacity.cpu,
    memoryGb: e.capacity.memoryMb / 1024,
    cost: costs.get(`asset-${e.id}`) ?? 0,
    start: from,
    end: to,
  }));
  const usage = world.workloads.flatMap((w) => {
    const stays = observer.placements.filter((p) => p.workloadId === w.id);
    return stays.flatMap((stay, k) => {
      const end = stays[k + 1]?.at ?? to;
      if (end <= stay.at) return [];
      return [{
        kind: "usage",
        assetId: `asset-${stay.edgeId}`,
        workloadId: w.id,
        cpuRequest: w.requests?.["cpu"] ?? 0,
        memoryRequestGb: (w.requests?.["memoryMb"] ?? 0) / 1024,
        start: stay.at,
        end,
      }];
    });
  });
  const shared = { kind: "shared", name: "control-plane", cost: (3 * CONTROL_PLANE_MEMBER_PER_HOUR * (to - from)) / HOUR_MS, start: from, end: to };
  return [...assets, ...usage, shared];
}

/** Each workload as the optimizer sees it: on its final edge, idle part of the time per the demand trace. */
export function costWorkloads(world: World, trace: readonly number[]): unknown[] {
  const activeShare = trace.filter((d) => d > 0).length / trace.length;
  return world.workloads.map((w) => ({
    id: w.id,
    edgeId: world.adapter.route(w.id),
    provider: "edge-local",
    region: "local",
    instanceType: (w.requests?.["cpu"] ?? 0) > 1 ? "edge-large" : "edge-small",
    scaleToZero: { activeHoursPerMonth: Math.round(activeShare * 730), coldStartTolerant: true },
  }));
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

/** Sentences naming every way the report fails to equal the sum of its parts. */
export function costReportProblems(allocation: CostAllocation, plan: CostPlan, expectedAssets: ReadonlyMap<string, number>): string[] {
  const problems: string[] = [];
  const expect = (ok: boolean, message: string): void => {
    if (!ok) problems.push(message);
  };
  const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
  const a = allocation;
  expect(close(a.assetCost, sum([...expectedAssets.values()])), `assetCost ${a.assetCost} ≠ Σ assets ${sum([...expectedAssets.values()])}`);
  expect(close(a.totalCost, a.assetCost + a.sharedCost), `totalCost ${a.totalCost} ≠ assets ${a.assetCost} + shared ${a.sharedCost}`);
  expect(close(a.assetCost, a.allocatedCost + a.idleCost), `assetCost ${a.assetCost} ≠ allocated ${a.allocatedCost} + idle ${a.idleCost}`);
  expect(close(a.allocatedCost, a.byResource.cpu + a.byResource.memory + a.byResource.gpu), `allocatedCost ${a.allocatedCost} ≠ Σ by resource`);
  const carried = a.totalCost - a.unallocatedSharedCost;
  expect(close(sum(a.byWorkload.map((b) => b.totalCost)) + a.idleCost, carried), `Σ by workload + idle ≠ total − unallocated shared (${carried})`);
  expect(close(sum(a.byEdge.map((b) => b.totalCost)), carried), `Σ by edge ${sum(a.byEdge.map((b) => b.totalCost))} ≠ ${carried}`);
  expect(close(sum(a.byProvider.map((b) => b.totalCost)), carried), `Σ by provider ≠ ${carried}`);
  for (const b of [...a.byWorkload, ...a.byEdge, ...a.byProvider]) {
    expect(close(b.totalCost, b.cpuCost + b.memoryCost + b.gpuCost + b.sharedCost + b.idleCost), `breakdown "${b.key}": total ${b.totalCost} ≠ its parts`);
  }
  expect(close(plan.monthlySavings, plan.currentMonthlyCost - plan.proposedMonthlyCost), `plan savings ${plan.monthlySavings} ≠ current − proposed`);
  expect(close(plan.monthlySavings, sum(plan.recommendations.map((r) => r.monthlySavings))), `plan savings ≠ Σ recommendations' savings`);
  return problems;
}
