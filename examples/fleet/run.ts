/**
 * `runFleetDemo`: sets up the fleet, its engines and its control plane on a virtual clock, runs the
 * one workflow to the end while letting virtual time pass, and returns what happened.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  EDGE_LIFECYCLE,
  EdgeInfrastructure,
  EdgeLifecycle,
  GlobalOrderingService,
  InMemoryWorkloadAdapter,
  LEASE_STORE,
  LifecycleWarmingActuator,
  LocalRuntime,
  MIGRATION_ADAPTER,
  ManualClock,
  MonitoringEngine,
  PredictiveWarmer,
  RAFT_CLUSTERS,
  RESOURCE_SCALER,
  RaftClusters,
  Random,
  ResourceScaler,
  TimeoutError,
  WARMER,
  monitoringKey,
  orderingServiceKey,
  type LifecycleTransition,
  type RuntimeEvents,
} from "../../src/index.js";
import { ControlPlane } from "./control-plane.js";
import { CONTROL_PLANE_SITES, FLEET_SERVICES, FLEET_SITES } from "./fleet-spec.js";
import { summarize, type FleetSummary } from "./summarize.js";
import { loadFleetTrace, minuteLoads } from "./trace.js";
import { buildFleetWorkflow } from "./workflow.js";
import { FLEET_WORLD, type FleetWorld } from "./world.js";

/** Where `../shared/datasets` is from this file. */
export const DEFAULT_DATASETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "shared", "datasets");

export interface FleetDemoOptions {
  readonly seed?: number;
  /** Folder holding `azure-llm-trace/` (default `../shared/datasets`); absent → a synthetic trace. */
  readonly datasetsDir?: string;
  /** Minutes of trace the warmer learns from before the workflow starts (default 10). */
  readonly warmupMinutes?: number;
  /** Replay at most this many minutes of the trace after the warm-up (default: all of it). */
  readonly replayMinutes?: number;
  /** Runtime events as they happen (progress display). */
  readonly onEvent?: <K extends keyof RuntimeEvents & string>(name: K, event: RuntimeEvents[K]) => void;
}

const RUNTIME_EVENTS = ["run:start", "node:start", "node:progress", "node:complete", "node:error", "node:skip", "run:complete"] as const;

/** Runs the whole demo in-process; same options and seed, same summary. */
export async function runFleetDemo(options: FleetDemoOptions = {}): Promise<FleetSummary> {
  const seed = options.seed ?? 1;
  const warmupMinutes = options.warmupMinutes ?? 10;
  const random = new Random(seed);
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9, 0, 0));
  const infrastructure = new EdgeInfrastructure({ clock });
  for (const { city: _city, cold: _cold, ...spec } of FLEET_SITES) infrastructure.registerEdge(spec);

  const lifecycle = infrastructure.register(EDGE_LIFECYCLE, new EdgeLifecycle({ clock, infrastructure, defaults: { warmupTimeoutMs: 120_000 } }));
  for (const edge of FLEET_SITES) lifecycle.add(edge.id, { initialState: edge.lifecycleState ?? "initialized" });
  const transitions: LifecycleTransition[] = [];
  const ordering = infrastructure.register(orderingServiceKey, new GlobalOrderingService({ nodeId: "fleet", clock }));
  lifecycle.events.on("lifecycle:transition", (t) => {
    transitions.push(t);
    ordering.publish({ key: `edge/${t.edgeId}`, payload: { edge: t.edgeId, from: t.from, to: t.to, event: t.event } });
  });

  const monitoring = infrastructure.register(monitoringKey, new MonitoringEngine({ clock }));
  monitoring.events.on("alert:firing", (n) => ordering.publish({ key: `alert/${n.alert.edgeId}/${n.alert.metric}`, payload: { alert: n.alert.metric, edge: n.alert.edgeId, severity: n.alert.severity } }));
  const actuator = new LifecycleWarmingActuator({ lifecycle, clock, warmupMs: 20_000 });
  infrastructure.register(WARMER, new PredictiveWarmer({ clock, random: random.fork("warming"), actuator, lifecycle, recentMs: 15 * 60_000 }));
  infrastructure.register(RESOURCE_SCALER, new ResourceScaler({ strategy: "hybrid", perInstance: 1, leadTimeMs: 120_000, pricePerInstanceHour: 0.22 }, { clock }));

  const controlPlane = new ControlPlane({ clock, random: random.fork("control-plane"), members: CONTROL_PLANE_SITES });
  await controlPlane.start();
  infrastructure.register(RAFT_CLUSTERS, new RaftClusters()).registerKV("control-plane", controlPlane.stores);
  infrastructure.register(LEASE_STORE, controlPlane.leases);
  for (let waited = 0; controlPlane.leader() === undefined; waited += 100) {
    if (waited > 60_000) throw new TimeoutError("the control plane elected no leader within 60 s", 60_000);
    await clock.advanceAsync(100);
  }
  const firstLeader = controlPlane.leaderChanges[controlPlane.leaderChanges.length - 1];

  const adapter = new InMemoryWorkloadAdapter({ clock, edges: FLEET_SITES.map((e) => e.id) });
  infrastructure.register(MIGRATION_ADAPTER, adapter);
  const trace = loadFleetTrace(options.datasetsDir ?? DEFAULT_DATASETS_DIR, FLEET_SERVICES, random.fork("trace"));
  const world: FleetWorld = {
    // The warm-up minutes of the trace are history by the time the workflow starts.
    start: clock.now() - warmupMinutes * 60_000,
    trace,
    loads: minuteLoads(trace),
    services: FLEET_SERVICES,
    controlPlane,
    adapter,
    warmupMinutes,
    replayMinutes: options.replayMinutes,
    placement: new Map(),
    instances: new Map(FLEET_SERVICES.map((s) => [s.id, 1])),
    minutes: [],
    scaling: [],
    leases: [],
    downEdges: new Set(),
    heldLeases: new Map(),
    closed: false,
  };
  infrastructure.register(FLEET_WORLD, world);

  const workflow = buildFleetWorkflow(world, FLEET_SERVICES);
  const runtime = new LocalRuntime({ infrastructure, clock, seed });
  const log: string[] = [];
  for (const name of RUNTIME_EVENTS) {
    runtime.events.on(name, (event: RuntimeEvents[typeof name]) => options.onEvent?.(name, event));
  }
  runtime.events.on("node:complete", (e) => log.push(`${e.nodeId} completed`));
  runtime.events.on("node:error", (e) => log.push(`${e.nodeId} failed: ${e.error.message}`));
  const pending = runtime.execute(workflow);
  let finished = false;
  void pending.finally(() => (finished = true)).catch(() => undefined);
  // Raft, leases, warming and the replay all wait on the virtual clock: let it run until the workflow ends.
  while (!finished) await clock.advanceAsync(1_000);
  const run = await pending;

  try {
    return summarize({ seed, run, workflow, world, infrastructure, transitions, firstLeader, log });
  } finally {
    world.closed = true;
    await controlPlane.close();
    await clock.advanceAsync(1_000);
  }
}
