/**
 * What the system-level property generates: a fleet (regions, compliance zones, edges with their
 * capacity), the workloads to place (each resident in one zone), a demand trace for scaling, and a
 * fault schedule (an edge crash, control-plane partitions, message loss, duplication and reordering,
 * skewed member clocks).
 */
import fc from "fast-check";

/** One edge site; its zone is its region's. */
export interface EdgeGen {
  readonly region: number;
  readonly cpu: number;
  readonly memoryMb: number;
  /** Free room kept for the scenario's workloads; the rest of the capacity is already taken. */
  readonly freeCpu: number;
  readonly freeMemoryMb: number;
  readonly costPerHour: number;
  /** Starts `warming`; the rollout brings it into service. */
  readonly warming: boolean;
  readonly lat: number;
  readonly lon: number;
}

export interface WorkloadGen {
  /** Resident in this region's compliance zone. */
  readonly region: number;
  readonly cpu: number;
  readonly memoryMb: number;
  readonly userLat: number;
  readonly userLon: number;
}

/** A member clock that is off by `offsetMs` and runs at `rate` times real speed. */
export interface SkewGen {
  readonly offsetMs: number;
  readonly rate: number;
}

/**
 * A control-plane member cut off from the others for a while (times from the start of the run):
 * whichever member leads when it starts, or a given one.
 */
export interface PartitionWindow {
  readonly target: "leader" | number;
  readonly fromMs: number;
  readonly durationMs: number;
}

export interface FaultSchedule {
  /** Crash the edge running this workload (index), this long after the rollout ends. */
  readonly crashWorkload: number;
  readonly crashAfterMs: number;
  readonly partitions: readonly PartitionWindow[];
  /** Probability each control-plane message is lost. */
  readonly lossRate: number;
  /** Probability a control-plane message is delivered twice, and that it overtakes others. */
  readonly duplicateRate: number;
  readonly reorderRate: number;
  readonly skews: readonly [SkewGen, SkewGen, SkewGen];
}

export interface Scenario {
  readonly regions: number;
  readonly edges: readonly EdgeGen[];
  readonly workloads: readonly WorkloadGen[];
  /** Demand per minute for the scaled frontend service. */
  readonly trace: readonly number[];
  readonly faults: FaultSchedule;
  readonly seed: number;
}

/** Most workloads a scenario has: each edge keeps room for all of them (see {@link edgeArb}). */
export const MAX_WORKLOADS = 5;
export const MAX_WORKLOAD_CPU = 2;
export const MAX_WORKLOAD_MEMORY_MB = 2_048;

const REGION_CENTRES: ReadonlyArray<readonly [number, number]> = [
  [48.8, 2.3],
  [40.7, -74],
  [1.3, 103.8],
  [-33.9, 151.2],
];

function edgeArb(regions: number): fc.Arbitrary<EdgeGen> {
  // Every edge can take every workload of the scenario on top of its existing load, so a single crash
  // always leaves a compliant edge with room in each zone (each zone has at least two edges).
  const minFreeCpu = MAX_WORKLOADS * MAX_WORKLOAD_CPU;
  const minFreeMemory = MAX_WORKLOADS * MAX_WORKLOAD_MEMORY_MB;
  return fc
    .record({
      region: fc.integer({ min: 0, max: regions - 1 }),
      cpu: fc.integer({ min: minFreeCpu, max: 32 }),
      memoryMb: fc.integer({ min: minFreeMemory, max: 65_536 }),
      extraFreeCpu: fc.integer({ min: 0, max: 8 }),
      extraFreeMemory: fc.integer({ min: 0, max: 16_384 }),
      costPerHour: fc.double({ min: 0.05, max: 2, noNaN: true }),
      warming: fc.boolean(),
      dLat: fc.double({ min: -3, max: 3, noNaN: true }),
      dLon: fc.double({ min: -3, max: 3, noNaN: true }),
    })
    .map((e) => {
      const [lat, lon] = REGION_CENTRES[e.region] ?? [0, 0];
      return {
        region: e.region,
        cpu: e.cpu,
        memoryMb: e.memoryMb,
        freeCpu: Math.min(e.cpu, minFreeCpu + e.extraFreeCpu),
        freeMemoryMb: Math.min(e.memoryMb, minFreeMemory + e.extraFreeMemory),
        costPerHour: Math.round(e.costPerHour * 100) / 100,
        warming: e.warming,
        lat: lat + e.dLat,
        lon: lon + e.dLon,
      };
    });
}

const skewArb: fc.Arbitrary<SkewGen> = fc.record({
  offsetMs: fc.integer({ min: -2_000, max: 2_000 }),
  rate: fc.double({ min: 0.8, max: 1.25, noNaN: true }),
});

export const scenarioArb: fc.Arbitrary<Scenario> = fc.integer({ min: 2, max: 4 }).chain((regions) =>
  fc.record({
    regions: fc.constant(regions),
    // Two edges per region first (so each zone survives a crash), then a few anywhere.
    edges: fc
      .tuple(
        fc.tuple(...Array.from({ length: regions * 2 }, (_v, i) => edgeArb(regions).map((e) => ({ ...e, region: i % regions })))),
        fc.array(edgeArb(regions), { maxLength: 3 }),
      )
      .map(([base, extra]) => [...base, ...extra]),
    workloads: fc.array(
      fc.record({
        region: fc.integer({ min: 0, max: regions - 1 }),
        cpu: fc.integer({ min: 1, max: MAX_WORKLOAD_CPU }),
        memoryMb: fc.integer({ min: 256, max: MAX_WORKLOAD_MEMORY_MB }),
        userLat: fc.double({ min: -60, max: 60, noNaN: true }),
        userLon: fc.double({ min: -180, max: 180, noNaN: true }),
      }),
      { minLength: 1, maxLength: MAX_WORKLOADS },
    ),
    trace: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 4, maxLength: 16 }),
    faults: fc.record({
      crashWorkload: fc.nat({ max: MAX_WORKLOADS - 1 }),
      crashAfterMs: fc.integer({ min: 0, max: 20_000 }),
      partitions: fc.array(
        fc.record({
          target: fc.oneof(fc.constant<"leader">("leader"), fc.integer({ min: 0, max: 2 })),
          fromMs: fc.integer({ min: 0, max: 40_000 }),
          durationMs: fc.integer({ min: 500, max: 15_000 }),
        }),
        { maxLength: 3 },
      ),
      lossRate: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.15, noNaN: true })),
      duplicateRate: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true })),
      reorderRate: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true })),
      skews: fc.tuple(skewArb, skewArb, skewArb),
    }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }),
);
