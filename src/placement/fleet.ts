/**
 * A fleet compiled for placement: edges sorted by id, with positions, capacities and costs in typed
 * arrays so the scoring loop touches numbers, not objects. Built once per registry snapshot.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { edgeSpecSchema } from "../infra/schemas.js";
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
  if (!Array.isArray(edges as unknown)) throw ValidationError.of("edges", "must be an array of edge records", "invalid_type");
  const cached = compiled.get(edges);
  if (cached !== undefined) return cached;
  edges.forEach((edge, i) => {
    // Registry snapshots pass the cheap check; anything else is explained by the registry's own schema.
    if (!isWellFormedEdge(edge)) parseWith(edgeSpecSchema, edge, `edges[${i}]`);
    if (!isWellFormedEdge(edge)) throw ValidationError.of(`edges[${i}]`, "must be an edge record (allocated, costPerHour, labels, capabilities, complianceZones, health, lifecycleState)", "invalid_edge");
  });
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

function isAmounts(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  for (const amount of Object.values(value)) if (typeof amount !== "number" || !Number.isFinite(amount) || amount < 0) return false;
  return true;
}

function isStrings(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** Whether `edge` has every field placement reads, with finite, in-range numbers. */
function isWellFormedEdge(edge: unknown): boolean {
  if (typeof edge !== "object" || edge === null) return false;
  const e = edge as Partial<Record<keyof EdgeRecord, unknown>>;
  const c = e.coordinates as { lat?: unknown; lon?: unknown } | null | undefined;
  return (
    typeof e.id === "string" &&
    e.id.length > 0 &&
    typeof e.region === "string" &&
    typeof c === "object" &&
    c !== null &&
    typeof c.lat === "number" &&
    c.lat >= -90 &&
    c.lat <= 90 &&
    typeof c.lon === "number" &&
    c.lon >= -180 &&
    c.lon <= 180 &&
    isAmounts(e.capacity) &&
    isAmounts(e.allocated) &&
    typeof e.costPerHour === "number" &&
    Number.isFinite(e.costPerHour) &&
    e.costPerHour >= 0 &&
    typeof e.labels === "object" &&
    e.labels !== null &&
    isStrings(e.capabilities) &&
    isStrings(e.complianceZones) &&
    typeof e.health === "string" &&
    typeof e.lifecycleState === "string"
  );
}
