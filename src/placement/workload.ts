/**
 * A workload compiled against a fleet: requests resolved to resource columns, users to unit vectors,
 * data hints to edge and region indices, so per-edge checks are array lookups.
 *
 * @module
 */
import type { LabelSelector } from "../infra/types.js";
import type { Fleet } from "./fleet.js";
import { toUnitVector } from "./geo.js";
import type { AntiAffinityRule, Workload } from "./types.js";

/** An extended (non cpu / memory) request. `capacity` is undefined when no edge has the resource. */
export interface ExtendedRequest {
  readonly name: string;
  readonly amount: number;
  readonly capacity: Float64Array | undefined;
}

export interface CompiledWorkload {
  readonly workload: Workload;
  readonly cpu: number;
  readonly memoryMb: number;
  readonly extended: readonly ExtendedRequest[];
  readonly userCount: number;
  readonly ux: Float64Array;
  readonly uy: Float64Array;
  readonly uz: Float64Array;
  /** User weights normalised to sum to 1. */
  readonly uw: Float64Array;
  readonly userIds: readonly (string | undefined)[];
  readonly hasLocality: boolean;
  readonly dataEdges: ReadonlySet<number>;
  readonly dataRegions: ReadonlySet<number>;
  readonly selector: LabelSelector | undefined;
  readonly capabilities: readonly string[];
  readonly residency: ReadonlySet<string> | undefined;
  /** Residency as a zone bit set (when the fleet's zones fit in bits): an edge qualifies if it shares a bit. */
  readonly residencyMask: number;
  /** Capabilities as a bit set (when they fit): an edge qualifies if it has every bit. */
  readonly capabilityMask: number;
  /** A required capability no edge has: nothing qualifies. */
  readonly capabilityUnknown: boolean;
  readonly maxRttMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly rules: readonly Required<AntiAffinityRule>[];
}

export function compileWorkload(workload: Workload, fleet: Fleet): CompiledWorkload {
  const requests = workload.requests ?? {};
  const extended: ExtendedRequest[] = [];
  for (const [name, amount] of Object.entries(requests)) {
    if (name === "cpu" || name === "memoryMb" || amount <= 0) continue;
    extended.push({ name, amount, capacity: fleet.resources.get(name)?.capacity });
  }
  const users = workload.users ?? [];
  const ux = new Float64Array(users.length);
  const uy = new Float64Array(users.length);
  const uz = new Float64Array(users.length);
  const uw = new Float64Array(users.length);
  let weightSum = 0;
  users.forEach((user, k) => {
    const [a, b, c] = toUnitVector(user);
    ux[k] = a;
    uy[k] = b;
    uz[k] = c;
    weightSum += user.weight ?? 1;
  });
  users.forEach((user, k) => {
    uw[k] = (user.weight ?? 1) / weightSum;
  });
  const dataEdges = new Set<number>();
  for (const id of workload.dataEdges ?? []) {
    const i = fleet.index.get(id);
    if (i !== undefined) dataEdges.add(i);
  }
  const dataRegions = new Set<number>();
  for (const name of workload.dataRegions ?? []) {
    const r = fleet.regionIndex.get(name);
    if (r !== undefined) dataRegions.add(r);
  }
  let residencyMask = 0;
  for (const zone of workload.residency ?? []) {
    const bit = fleet.zones.bit.get(zone);
    if (bit !== undefined && bit < 31) residencyMask |= 1 << bit;
  }
  let capabilityMask = 0;
  let capabilityUnknown = false;
  for (const capability of workload.capabilities ?? []) {
    const bit = fleet.capabilities.bit.get(capability);
    if (bit === undefined) capabilityUnknown = true;
    else if (bit < 31) capabilityMask |= 1 << bit;
  }
  return {
    workload,
    residencyMask,
    capabilityMask,
    capabilityUnknown,
    cpu: requests["cpu"] ?? 0,
    memoryMb: requests["memoryMb"] ?? 0,
    extended,
    userCount: users.length,
    ux,
    uy,
    uz,
    uw,
    userIds: users.map((u) => u.id),
    hasLocality: (workload.dataEdges?.length ?? 0) + (workload.dataRegions?.length ?? 0) > 0,
    dataEdges,
    dataRegions,
    selector: workload.edgeSelector,
    capabilities: workload.capabilities ?? [],
    residency: workload.residency === undefined ? undefined : new Set(workload.residency),
    maxRttMs: workload.maxRttMs ?? Number.POSITIVE_INFINITY,
    labels: workload.labels ?? {},
    rules: (workload.antiAffinity ?? []).map((rule) => ({ selector: rule.selector, scope: rule.scope ?? "edge" })),
  };
}
