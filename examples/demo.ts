/**
 * The edgeflow demo (`npm start`): a fleet of edge sites, and one workflow that brings a warming edge
 * into service, checks fleet health from live metrics and publishes it to the registry, places an EU-resident service near its users,
 * takes a fenced lease on the chosen edge, replicates the decision through a three-member Raft
 * cluster and records it in the global, causally ordered log.
 *
 * Everything runs on a virtual clock and a seeded simulated network, so the output is the same on
 * every run.
 */
import {
  EdgeInfrastructure,
  MemoryStorage,
  RAFT_CLUSTERS,
  Random,
  RaftClusters,
  ReplicatedKV,
  SimNetwork,
  raftMessageSchema,
  settle,
  type RaftMessage,
  LocalRuntime,
  ManualClock,
  MonitoringEngine,
  WorkflowBuilder,
  createNodeRegistry,
  monitoringKey,
  type EdgeSpec,
} from "../src/index.js";

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const infrastructure = new EdgeInfrastructure({ clock });

// The fleet: six sites on three continents. Compliance zones drive data residency.
const fleet: EdgeSpec[] = [
  { id: "edge-par-1", region: "eu-west", coordinates: { lat: 48.86, lon: 2.35 }, capacity: { cpu: 16, memoryMb: 65536 }, costPerHour: 1.1, complianceZones: ["eu"], lifecycleState: "active" },
  { id: "edge-fra-1", region: "eu-central", coordinates: { lat: 50.11, lon: 8.68 }, capacity: { cpu: 8, memoryMb: 32768 }, allocated: { cpu: 7 }, costPerHour: 0.9, complianceZones: ["eu"], lifecycleState: "active" },
  { id: "edge-fra-2", region: "eu-central", coordinates: { lat: 50.12, lon: 8.7 }, capacity: { cpu: 32, memoryMb: 131072 }, costPerHour: 1.4, complianceZones: ["eu"], lifecycleState: "warming" },
  { id: "edge-lon-1", region: "uk-south", coordinates: { lat: 51.51, lon: -0.13 }, capacity: { cpu: 16, memoryMb: 65536 }, costPerHour: 1.0, complianceZones: ["uk"], lifecycleState: "active" },
  { id: "edge-nyc-1", region: "us-east", coordinates: { lat: 40.71, lon: -74.0 }, capacity: { cpu: 64, memoryMb: 262144 }, costPerHour: 0.7, complianceZones: ["us"], lifecycleState: "active" },
  { id: "edge-sin-1", region: "ap-southeast", coordinates: { lat: 1.35, lon: 103.82 }, capacity: { cpu: 32, memoryMb: 131072 }, costPerHour: 0.8, complianceZones: ["sg"], lifecycleState: "active" },
];
for (const edge of fleet) infrastructure.registerEdge(edge);

// Ten minutes of latency samples (ms): edge-par-1 degrades badly in its last minutes.
const monitoring = infrastructure.register(monitoringKey, new MonitoringEngine({ clock }));
for (let minute = 0; minute < 10; minute++) {
  clock.advance(60_000);
  for (const edge of fleet) {
    const slow = edge.id === "edge-par-1" && minute >= 6;
    monitoring.record({ edgeId: edge.id, metric: "latency", value: slow ? 2_400 + minute * 10 : 40 + minute });
  }
}

// The control plane: three Raft members (one per continent, on a simulated network with 20-80 ms
// links) replicating a key-value store that placement decisions are written to.
const random = new Random(7);
const network = new SimNetwork({ clock, random: random.fork("network"), defaultLink: { latency: { kind: "uniform", minMs: 20, maxMs: 80 } } });
const members = ["cp-eu", "cp-us", "cp-ap"];
const controlPlane = members.map(
  (id) =>
    new ReplicatedKV({
      id,
      voters: members,
      transport: network.endpoint<RaftMessage>(id, { schema: raftMessageSchema }),
      storage: new MemoryStorage({ clock }),
      clock,
      random: random.fork(id),
      tickMs: 100,
    }),
);
for (const kv of controlPlane) await kv.start();
infrastructure.register(RAFT_CLUSTERS, new RaftClusters()).registerKV("control-plane", controlPlane);

/** Lets virtual time pass in 10 ms steps until `done()` (timers fire, promises settle). */
async function runClockUntil(done: () => boolean, limitMs = 60_000): Promise<void> {
  for (let waited = 0; !done() && waited < limitMs; waited += 10) {
    clock.advance(10);
    await settle();
  }
}
await runClockUntil(() => controlPlane.some((kv) => kv.host.isLeader()));

const registry = createNodeRegistry();
const checkout = {
  id: "checkout",
  requests: { cpu: 4, memoryMb: 8192 },
  residency: ["eu"],
  users: [
    { id: "paris", lat: 48.86, lon: 2.35, weight: 2 },
    { id: "berlin", lat: 52.52, lon: 13.4, weight: 1 },
  ],
};

const workflow = new WorkflowBuilder(registry, { name: "edge-rollout" })
  .addNode("EdgeStateMachine", "bring_up", { operation: "transition", edgeId: "edge-fra-2", event: "READY" })
  .addNode("EdgeMonitoring", "health", { operation: "get_health", publish: true })
  .addNode("Merge", "ready_to_place", { mode: "object" })
  .addNode("Transform", "checkout_workload", { fn: () => checkout })
  .addNode("EdgeAffinity", "explain", { operation: "explain" })
  .addNode("EdgeAffinity", "place", { operation: "place", commit: true })
  .addNode("EdgeStateMachine", "lease", { operation: "acquire_lease", holder: "checkout-deployer", ttlMs: 60_000 })
  .addNode("RaftConsensus", "replicate", { operation: "put", cluster: "control-plane", key: "placement/checkout" })
  .addNode("GlobalOrdering", "record", { operation: "submit", key: "placement/checkout" })
  .addNode("Merge", "summary", { mode: "object" })
  // Placement waits for the warming edge to be in service and for health to reach the registry.
  .connect("bring_up", "state", "ready_to_place", "a")
  .connect("health", "health", "ready_to_place", "b")
  .connect("ready_to_place", "value", "checkout_workload", "value")
  .connect("checkout_workload", "value", "explain", "workload")
  .connect("checkout_workload", "value", "place", "workload")
  .connect("place", "edgeId", "lease", "edgeId")
  .connect("place", "decision", "replicate", "value")
  .connect("place", "decision", "record", "payload")
  .connect("place", "decision", "summary", "a")
  .connect("lease", "lease", "summary", "b")
  .connect("record", "event", "summary", "c")
  .connect("replicate", "ok", "summary", "d")
  .build();

console.log("edgeflow demo: an EU-resident checkout service onto a six-site fleet\n");
console.log(`workflow "${workflow.name}" (${workflow.nodes.length} nodes), as Mermaid:\n${workflow.toMermaid()}\n`);

const runtime = new LocalRuntime({ registry, infrastructure, clock, seed: 42 });
runtime.events.on("node:complete", (e) => console.log(`  ✓ ${e.nodeId}`));
runtime.events.on("node:error", (e) => console.log(`  ✗ ${e.nodeId}: ${e.error.message}`));
const pending = runtime.execute(workflow);
let finished = false;
void pending.finally(() => (finished = true)).catch(() => undefined);
await runClockUntil(() => finished); // Raft needs time to pass to replicate and commit
const run = await pending;
console.log(`\nrun ${run.runId}: ${run.status}\n`);

const { results } = run;
if (results.health.status === "completed") {
  console.log("fleet health (from metrics):");
  for (const health of results.health.output.health) {
    console.log(`  ${health.edgeId.padEnd(11)} ${health.status.padEnd(9)} ${health.reasons.map((r) => r.message).join("; ")}`);
  }
}
if (results.explain.status === "completed") {
  const { explanation } = results.explain.output;
  console.log("\nplacement explained (filters, then weighted scores):");
  for (const edge of explanation.edges) {
    const detail = edge.feasible
      ? `score ${edge.score?.total.toFixed(1)}  ` + Object.entries(edge.score?.components ?? {}).map(([k, v]) => `${k} ${Number(v).toFixed(0)}`).join(", ")
      : `filtered: ${edge.rejections.map((r) => r.message).join("; ")}`;
    console.log(`  ${edge.edgeId.padEnd(11)} ${detail}`);
  }
}
if (results.place.status === "completed") {
  const { decision } = results.place.output;
  console.log(`\ndecision: ${decision.workloadId} → ${decision.edgeId} (${decision.message})`);
}
if (results.lease.status === "completed") {
  const lease = results.lease.output.lease;
  console.log(`lease: ${lease.resource} held by ${lease.holder}, fencing token ${lease.token}, expires in ${(lease.expiresAt - clock.now()) / 1000} s`);
}
if (results.replicate.status === "completed") {
  const leader = controlPlane.find((kv) => kv.host.isLeader())?.host.status();
  // Followers learn the new commit index with the leader's next heartbeat.
  await runClockUntil(() => controlPlane.every((kv) => kv.localGet("placement/checkout") !== null), 5_000);
  const values = controlPlane.map((kv) => kv.localGet("placement/checkout"));
  console.log(
    `replicated: "placement/checkout" committed by leader ${leader?.id} (term ${leader?.term}, commit index ${leader?.commitIndex}); ` +
      `${values.filter((v) => v !== null).length}/${members.length} members have applied it`,
  );
}
if (results.record.status === "completed") {
  const entry = results.record.output.event;
  console.log(`ordered log: event ${entry.id} writes "${entry.key}" at HLC (${new Date(entry.hlc.wall).toISOString()}, ${entry.hlc.logical}, ${entry.hlc.nodeId})`);
}
for (const kv of controlPlane) await kv.stop();
console.log(`allocated on the chosen edge: ${JSON.stringify(infrastructure.getEdge(results.place.status === "completed" ? (results.place.output.edgeId ?? "") : "").allocated)}`);
