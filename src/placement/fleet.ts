/**
 * A fleet compiled for placement: edges sorted by id, with positions, capacities and costs in typed
 * arrays so the scoring loop touches numbers, not objects. Built once per registry snapshot.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import type { EdgeRecord } from "../infra/types.js";
import { toUnitVector } from "./geo.js";

/** An extended resource's capacity and base allocation per edge (0 where an edge lacks it). */
export interface ResourceColumns {
  readonly capacity: Float64Array;
  readonly allocated: Float64Array;
}

/** The compiled fleet. Read-only; a placement session copies the allocation columns it mutates. */
export interface Fleet {
  readonly size: number;
  readonly edges: readonly EdgeRecord[];
  readonly index: ReadonlyMap<string, number>;
  /** Region of each edge, interned. */
  readonly region: Int32Array;
  readonly regionIndex: ReadonlyMap<string, number>;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
  /** Every resource any edge has, `cpu` and `memoryMb` included. */
  readonly resources: ReadonlyMap<string, ResourceColumns>;
  /** Cost score in [0, 100]: 100 for the cheapest possible (free) edge, 0 for the fleet's dearest. */
  readonly costScore: Float64Array;
  /** Compliance zones and capabilities as bit sets, when the fleet has at most 31 distinct names of each. */
  readonly zones: NameBits;
  readonly capabilities: NameBits;
}

/** Names interned to bits so set tests are one `&`; `exact` is false when there were too many names. */
export interface NameBits {
  readonly bit: ReadonlyMap<string, number>;
  readonly mask: Int32Array;
  readonly exact: boolean;
}

const MAX_BITS = 31;

function nameBits(lists: readonly (readonly string[])[]): NameBits {
  const bit = new Map<string, number>();
  for (const list of lists) for (const name of list) if (!bit.has(name)) bit.set(name, bit.size);
  const exact = bit.size <= MAX_BITS;
  const mask = new Int32Array(lists.length);
  if (exact) {
    lists.forEach((list, i) => {
      let m = 0;
      for (const name of list) m |= 1 << (bit.get(name) as number);
      mask[i] = m;
    });
  }
  return { bit, mask, exact };
}

const compiled = new WeakMap<readonly EdgeRecord[], Fleet>();

/**
 * Compiles `edges` (cached per array instance, so the registry's unchanged snapshot compiles once).
 * Duplicate ids are refused.
 */
export function compileFleet(edges: readonly EdgeRecord[]): Fleet {
  const cached = compiled.get(edges);
  if (cached !== undefined) return cached;
  const sorted = [...edges].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const n = sorted.length;
  const index = new Map<string, number>();
  const regionIndex = new Map<string, number>();
  const region = new Int32Array(n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  const costScore = new Float64Array(n);
  const resources = new Map<string, ResourceColumns>();
  const column = (name: string): ResourceColumns => {
    let col = resources.get(name);
    if (col === undefined) resources.set(name, (col = { capacity: new Float64Array(n), allocated: new Float64Array(n) }));
    return col;
  };
  column("cpu");
  column("memoryMb");
  let maxCost = 0;
  sorted.forEach((edge, i) => {
    if (index.has(edge.id)) throw ValidationError.of(`edges[${i}].id`, `duplicate edge id "${edge.id}"`, "duplicate_id");
    index.set(edge.id, i);
    let r = regionIndex.get(edge.region);
    if (r === undefined) regionIndex.set(edge.region, (r = regionIndex.size));
    region[i] = r;
    const [ux, uy, uz] = toUnitVector(edge.coordinates);
    x[i] = ux;
    y[i] = uy;
    z[i] = uz;
    for (const [name, amount] of Object.entries(edge.capacity)) column(name).capacity[i] = amount;
    for (const [name, amount] of Object.entries(edge.allocated)) column(name).allocated[i] = amount;
    maxCost = Math.max(maxCost, edge.costPerHour);
  });
  sorted.forEach((edge, i) => {
    costScore[i] = maxCost > 0 ? 100 * (1 - edge.costPerHour / maxCost) : 100;
  });
  const zones = nameBits(sorted.map((edge) => edge.complianceZones));
  const capabilities = nameBits(sorted.map((edge) => edge.capabilities));
  const fleet: Fleet = { size: n, edges: sorted, index, region, regionIndex, x, y, z, resources, costScore, zones, capabilities };
  compiled.set(edges, fleet);
  return fleet;
}
