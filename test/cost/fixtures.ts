/** Arbitraries of workloads over the default catalog, for the cost properties. */
import fc from "fast-check";
import { defaultCatalog } from "../../src/cost/catalog.js";
import { STRATEGIES } from "../../src/cost/strategies.js";
import { TOLERANCES, type CostWorkloadInput } from "../../src/cost/workload.js";

const catalog = defaultCatalog();
/** Every on-demand offer: the starting points of generated workloads. */
export const ON_DEMAND = catalog.offers().filter((o) => o.option === "on_demand");

/** One workload with every optional part sometimes present. */
export const workloadArb = (id: string): fc.Arbitrary<CostWorkloadInput> =>
  fc
    .record({
      offer: fc.constantFrom(...ON_DEMAND),
      count: fc.integer({ min: 1, max: 12 }),
      hours: fc.oneof(fc.constant(730), fc.integer({ min: 10, max: 730 })),
      tolerance: fc.constantFrom(...TOLERANCES),
      usage: fc.option(fc.record({ cpuP995: fc.double({ min: 0, max: 100, noNaN: true }), memoryP995: fc.double({ min: 0, max: 100, noNaN: true }), windowDays: fc.double({ min: 0, max: 30, noNaN: true }) }), { nil: undefined }),
      s2z: fc.option(fc.record({ share: fc.double({ min: 0, max: 1, noNaN: true }), coldStartTolerant: fc.boolean() }), { nil: undefined }),
      requests: fc.option(fc.record({ perMonth: fc.integer({ min: 0, max: 200_000_000 }), avgDurationMs: fc.integer({ min: 1, max: 2_000_000 }), memoryMb: fc.constantFrom(128, 512, 1024, 4096, 20_000) }), { nil: undefined }),
      relocation: fc.option(fc.record({ provider: fc.constantFrom("aws", "gcp", "azure", "alibaba", "edge-local" as const), dataGb: fc.integer({ min: 0, max: 5000 }), fixedCost: fc.integer({ min: 0, max: 5000 }) }), { nil: undefined }),
    })
    .map(({ offer, count, hours, tolerance, usage, s2z, requests, relocation }) => ({
      id,
      edgeId: `edge-${id}`,
      provider: offer.provider,
      region: offer.region,
      instanceType: offer.type.name,
      count,
      hoursPerMonth: hours,
      interruptionTolerance: tolerance,
      ...(usage === undefined ? {} : { usage }),
      ...(s2z === undefined ? {} : { scaleToZero: { activeHoursPerMonth: s2z.share * hours, coldStartTolerant: s2z.coldStartTolerant } }),
      ...(requests === undefined ? {} : { requests }),
      ...(relocation === undefined ? {} : { relocation: { allowed: [{ provider: relocation.provider }], dataGb: relocation.dataGb, fixedCost: relocation.fixedCost } }),
    }));

/** A fleet of 1 to `max` workloads. */
export const fleetArb = (max = 12): fc.Arbitrary<CostWorkloadInput[]> =>
  fc.integer({ min: 1, max }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => workloadArb(`w${i}`))));

export const strategyArb = fc.constantFrom(...STRATEGIES);

/** Every number in a JSON-able value is finite (and the value survives JSON unchanged). */
export function allFinite(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value !== null && typeof value === "object") return Object.values(value).every(allFinite);
  return true;
}
