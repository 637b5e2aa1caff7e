import { EdgeInfrastructure, LocalRuntime, ManualClock, WorkflowBuilder, createNodeRegistry } from "../src/index.js";

// A fleet: where each edge is, what it holds, what it costs, which data-residency zones it is in.
const clock = new ManualClock(Date.UTC(2026, 0, 1)); // virtual time: runs are exact and repeatable
const infrastructure = new EdgeInfrastructure({ clock });
infrastructure.registerEdge({ id: "par-1", region: "eu-west", coordinates: { lat: 48.86, lon: 2.35 }, capacity: { cpu: 16, memoryMb: 65_536 }, costPerHour: 1.1, complianceZones: ["eu"], lifecycleState: "active" });
infrastructure.registerEdge({ id: "fra-1", region: "eu-central", coordinates: { lat: 50.11, lon: 8.68 }, capacity: { cpu: 32, memoryMb: 131_072 }, costPerHour: 0.9, complianceZones: ["eu"], lifecycleState: "warming" });
infrastructure.registerEdge({ id: "nyc-1", region: "us-east", coordinates: { lat: 40.71, lon: -74.0 }, capacity: { cpu: 64, memoryMb: 262_144 }, costPerHour: 0.7, complianceZones: ["us"], lifecycleState: "active" });

// A service whose data must stay in the EU, used mostly from Berlin.
const checkout = { id: "checkout", requests: { cpu: 4, memoryMb: 8_192 }, residency: ["eu"], users: [{ id: "berlin", lat: 52.52, lon: 13.4 }] };

const registry = createNodeRegistry(); // every built-in node type
const workflow = new WorkflowBuilder(registry, { name: "roll-out" })
  .addNode("EdgeStateMachine", "bring_up", { operation: "transition", edgeId: "fra-1", event: "READY" })
  .addNode("Transform", "workload", { fn: () => checkout })
  .addNode("EdgeAffinity", "place", { operation: "place", commit: true })
  .addNode("EdgeStateMachine", "lease", { operation: "acquire_lease", holder: "deployer", ttlMs: 60_000 })
  .addNode("GlobalOrdering", "announce", { operation: "submit", key: "placement/checkout" })
  .connect("bring_up", "state", "workload", "value") // place only once fra-1 is in service
  .connect("workload", "value", "place", "workload")
  .connect("place", "edgeId", "lease", "edgeId")
  .connect("place", "decision", "announce", "payload")
  .build(); // the whole graph is checked here: types, configs, ports, cycles

const run = await new LocalRuntime({ registry, infrastructure, clock }).execute(workflow);
const { place, lease } = run.results;
if (place.status === "completed" && lease.status === "completed") {
  console.log(`${place.output.decision.workloadId} → ${place.output.edgeId}: ${place.output.decision.message}`);
  console.log(`lease ${lease.output.lease.resource}, fencing token ${lease.output.token}`);
}
