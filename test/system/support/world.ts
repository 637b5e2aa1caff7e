/**
 * The simulated world a scenario runs in: one virtual clock, the edge registry, a three-member Raft
 * control plane over a lossy `SimNetwork` (each member on its own skewed clock), and the shared
 * services the built-in nodes find in the infrastructure (leases, workload adapter, scaler, pools).
 */
import {
  AFFINITY_PLACER,
  AffinityPlacer,
  EdgeInfrastructure,
  MIGRATION_SERVICE,
  MigrationService,
  ReplicatedLeaseStore,
  capacityFromEdges,
  complianceFromPlacement,
  InMemoryLeaseStore,
  InMemoryWorkloadAdapter,
  LEASE_STORE,
  LocalRuntime,
  MIGRATION_ADAPTER,
  ManualClock,
  MemoryStorage,
  RAFT_CLUSTERS,
  RESOURCE_POOLS,
  RESOURCE_SCALER,
  Random,
  RaftClusters,
  ReplicatedKV,
  ResourcePoolManager,
  ResourceScaler,
  SimNetwork,
  createNodeRegistry,
  raftMessageSchema,
  type EdgeSpec,
  type NodeDefinitions,
  type NodeRegistry,
  type RaftMessage,
  type Workload,
} from "../../../src/index.js";
import type { Scenario } from "./scenario.js";
import { Deploy } from "./deploy-node.js";
import { LeaderKV } from "./leader-kv.js";
import { SkewedClock } from "./skewed-clock.js";

export const CONTROL_PLANE = "control-plane";
export const MEMBERS = ["cp-0", "cp-1", "cp-2"] as const;
export const FRONTEND = "frontend";
export const FRONTEND_POOL = "frontend";
/** Frontend instances are sized for this much demand and take these resources each. */
export const PER_INSTANCE = { demand: 5, cpu: 0.5, memoryMb: 256 } as const;
export const MAX_FRONTEND_INSTANCES = 8;

export interface World {
  readonly clock: ManualClock;
  readonly infrastructure: EdgeInfrastructure;
  readonly network: SimNetwork;
  readonly controlPlane: readonly ReplicatedKV[];
  readonly adapter: InMemoryWorkloadAdapter;
  /** Edge leases, replicated through the control plane. */
  readonly leases: ReplicatedLeaseStore;
  /** The migration service's per-workload locks, local to it. */
  readonly migrationLocks: InMemoryLeaseStore;
  readonly pools: ResourcePoolManager;
  readonly scaler: ResourceScaler;
  readonly registry: NodeRegistry<NodeDefinitions>;
  readonly runtime: LocalRuntime;
  readonly edges: readonly EdgeSpec[];
  readonly workloads: readonly Workload[];
  /** Zone a workload must stay in, by workload id. */
  readonly residency: ReadonlyMap<string, string>;
  close(): Promise<void>;
}

export const zoneOf = (region: number): string => `zone-${region}`;

function edgeSpecs(s: Scenario): EdgeSpec[] {
  return s.edges.map((e, i) => ({
    id: `edge-${String(i).padStart(2, "0")}`,
    region: `region-${e.region}`,
    coordinates: { lat: e.lat, lon: e.lon },
    capacity: { cpu: e.cpu, memoryMb: e.memoryMb },
    allocated: { cpu: e.cpu - e.freeCpu, memoryMb: e.memoryMb - e.freeMemoryMb },
    costPerHour: e.costPerHour,
    complianceZones: [zoneOf(e.region)],
    lifecycleState: e.warming ? "warming" : "active",
  }));
}

function workloadSpecs(s: Scenario): Workload[] {
  return s.workloads.map((w, i) => ({
    id: `workload-${i}`,
    requests: { cpu: w.cpu, memoryMb: w.memoryMb },
    residency: [zoneOf(w.region)],
    users: [{ id: `users-${i}`, lat: w.userLat, lon: w.userLon, weight: 1 }],
  }));
}

export async function buildWorld(s: Scenario): Promise<World> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const random = new Random(s.seed);
  const infrastructure = new EdgeInfrastructure({ clock });
  const edges = edgeSpecs(s);
  for (const edge of edges) infrastructure.registerEdge(edge);
  const workloads = workloadSpecs(s);

  const network = new SimNetwork({
    clock,
    random: random.fork("network"),
    defaultLink: { latency: { kind: "uniform", minMs: 5, maxMs: 40 }, loss: s.faults.lossRate, duplicate: s.faults.duplicateRate, reorder: s.faults.reorderRate },
    traceLimit: 0,
  });
  const controlPlane = MEMBERS.map((id, i) => {
    const skew = s.faults.skews[i] ?? { offsetMs: 0, rate: 1 };
    const memberClock = new SkewedClock(clock, skew.offsetMs, skew.rate);
    return new ReplicatedKV({
      id,
      voters: [...MEMBERS],
      transport: network.endpoint<RaftMessage>(id, { schema: raftMessageSchema }),
      storage: new MemoryStorage({ clock: memberClock }),
      clock: memberClock,
      random: random.fork(id),
      tickMs: 100,
    });
  });
  for (const kv of controlPlane) await kv.start();
  infrastructure.register(RAFT_CLUSTERS, new RaftClusters()).registerKV(CONTROL_PLANE, controlPlane);

  const leases = new ReplicatedLeaseStore({ kv: new LeaderKV(controlPlane), clock });
  infrastructure.register(LEASE_STORE, leases);
  const adapter = new InMemoryWorkloadAdapter({ clock, edges: edges.map((e) => e.id) });
  infrastructure.register(MIGRATION_ADAPTER, adapter);
  // Migration locks stay local: a fence check per step through a control plane that may be between
  // leaders would turn every election into a rolled-back migration.
  const migrationLocks = new InMemoryLeaseStore({ clock });
  const placer = infrastructure.getOrCreate(AFFINITY_PLACER, () => new AffinityPlacer());
  const edgeRecords = (): ReturnType<EdgeInfrastructure["edges"]> => infrastructure.edges();
  infrastructure.register(
    MIGRATION_SERVICE,
    new MigrationService({ clock, adapter, leases: migrationLocks, capacity: capacityFromEdges(edgeRecords), compliance: complianceFromPlacement(placer, edgeRecords) }),
  );
  const scaler = infrastructure.register(
    RESOURCE_SCALER,
    new ResourceScaler({ perInstance: PER_INSTANCE.demand, maxInstances: MAX_FRONTEND_INSTANCES, model: "seasonal_naive" }, { clock }),
  );
  const pools = infrastructure.register(RESOURCE_POOLS, new ResourcePoolManager({ clock }));
  // Each edge sets aside room for a full frontend deployment, so any scaling decision fits one edge.
  pools.addPool({
    name: FRONTEND_POOL,
    strategy: "best_fit",
    edges: edges.map((e) => ({ edgeId: e.id, capacity: { cpu: MAX_FRONTEND_INSTANCES * PER_INSTANCE.cpu, memory: MAX_FRONTEND_INSTANCES * PER_INSTANCE.memoryMb } })),
  });

  const registry = createNodeRegistry().register(Deploy);
  const runtime = new LocalRuntime({ registry, infrastructure, clock, seed: s.seed });
  const residency = new Map(workloads.map((w) => [w.id, w.residency?.[0] ?? ""]));

  return {
    clock,
    infrastructure,
    network,
    controlPlane,
    adapter,
    leases,
    migrationLocks,
    pools,
    scaler,
    registry,
    runtime,
    edges,
    workloads,
    residency,
    close: async () => {
      await runtime.close();
      for (const kv of controlPlane) await kv.stop();
      await scaler.close();
      await pools.close();
      await infrastructure.get(MIGRATION_SERVICE).close();
      await leases.close();
      await migrationLocks.close();
    },
  };
}
