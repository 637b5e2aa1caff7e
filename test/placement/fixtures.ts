import fc from "fast-check";
import { ManualClock } from "../../src/core/clock.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import type { EdgeRecord, EdgeSpec } from "../../src/infra/types.js";
import type { Workload } from "../../src/placement/types.js";

export const zones = ["eu", "us", "apac"] as const;

export const edgeSpecArb: fc.Arbitrary<Omit<EdgeSpec, "id">> = fc.record({
  region: fc.constantFrom("r1", "r2", "r3"),
  coordinates: fc.record({ lat: fc.double({ min: -60, max: 60, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }) }),
  capacity: fc.record({ cpu: fc.integer({ min: 1, max: 16 }), memoryMb: fc.integer({ min: 512, max: 8192 }), gpu: fc.integer({ min: 0, max: 2 }) }),
  costPerHour: fc.double({ min: 0, max: 5, noNaN: true }),
  labels: fc.record({ tier: fc.constantFrom("standard", "premium") }),
  complianceZones: fc.subarray([...zones], { minLength: 1 }),
  capabilities: fc.subarray(["wasm", "tpu"]),
  health: fc.constantFrom("healthy", "healthy", "healthy", "degraded", "unhealthy"),
  lifecycleState: fc.constantFrom("active", "active", "active", "draining", "warming"),
});

export const workloadArb = (id: string): fc.Arbitrary<Workload> =>
  fc.record(
    {
      id: fc.constant(id),
      requests: fc.record({ cpu: fc.integer({ min: 0, max: 8 }), memoryMb: fc.integer({ min: 0, max: 4096 }), gpu: fc.integer({ min: 0, max: 1 }) }),
      users: fc.array(
        fc.record({ lat: fc.double({ min: -60, max: 60, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }), weight: fc.integer({ min: 1, max: 5 }) }),
        { maxLength: 3 },
      ),
      residency: fc.subarray([...zones], { minLength: 1 }),
      edgeSelector: fc.record({ matchLabels: fc.record({ tier: fc.constantFrom("standard", "premium") }) }),
      dataRegions: fc.subarray(["r1", "r2"], { minLength: 1 }),
      capabilities: fc.subarray(["wasm"]),
      maxRttMs: fc.integer({ min: 20, max: 400 }),
    },
    { requiredKeys: ["id", "requests"] },
  );

export function registry(specs: readonly Omit<EdgeSpec, "id">[]): readonly EdgeRecord[] {
  const infra = new EdgeInfrastructure({ clock: new ManualClock(0) });
  specs.forEach((spec, i) => infra.registerEdge({ id: `edge-${String(i).padStart(3, "0")}`, ...spec }));
  return infra.edges();
}
