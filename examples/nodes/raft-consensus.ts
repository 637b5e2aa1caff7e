/**
 * `RaftConsensus`: a three-member Raft cluster (one member per continent, 20-80 ms links on a
 * simulated network) replicating a key-value store. The workflow writes a placement, swaps it with a
 * compare-and-set, reads it back linearizably and reports the cluster's status.
 *
 *     npx tsx examples/nodes/raft-consensus.ts
 */
import {
  EdgeInfrastructure,
  LocalRuntime,
  ManualClock,
  MemoryStorage,
  RAFT_CLUSTERS,
  Random,
  RaftClusters,
  ReplicatedKV,
  SimNetwork,
  WorkflowBuilder,
  createNodeRegistry,
  raftMessageSchema,
  type RaftMessage,
} from "../../src/index.js";
import { onVirtualTime } from "./support.js";

const clock = new ManualClock(Date.UTC(2026, 0, 1));
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
const infrastructure = new EdgeInfrastructure({ clock });
infrastructure.register(RAFT_CLUSTERS, new RaftClusters()).registerKV("control-plane", controlPlane);

// Let an election happen (a few hundred ms of virtual time).
while (!controlPlane.some((kv) => kv.host.isLeader())) await clock.advanceAsync(10);

const registry = createNodeRegistry();
const workflow = new WorkflowBuilder(registry, { name: "replicate" })
  .addNode("RaftConsensus", "put", { operation: "put", cluster: "control-plane", key: "placement/checkout", value: "edge-par-1" })
  .addNode("RaftConsensus", "swap", { operation: "compare_and_set", cluster: "control-plane", expected: "edge-par-1", value: "edge-fra-1" })
  .addNode("RaftConsensus", "read", { operation: "read", cluster: "control-plane", member: "cp-ap" })
  .addNode("RaftConsensus", "status", { operation: "status", cluster: "control-plane" })
  // Each step takes its key from the previous one, which also orders them.
  .connect("put", "key", "swap", "key")
  .connect("swap", "key", "read", "key")
  .connect("read", "key", "status", "key")
  .build();
// Raft needs virtual time to pass while the run is in flight: messages travel, heartbeats tick.
const run = await onVirtualTime(clock, new LocalRuntime({ registry, infrastructure, clock }).execute(workflow));
const { put, swap, read, status } = run.results;
if (put.status === "completed") console.log(`put placement/checkout = edge-par-1 (previous: ${put.output.previous ?? "none"})`);
if (swap.status === "completed") console.log(`compare-and-set edge-par-1 → edge-fra-1: ${swap.output.ok ? "applied" : "refused"}`);
if (read.status === "completed") console.log(`linearizable read on cp-ap (a follower): ${read.output.key} = ${read.output.value}, read index ${read.output.readIndex}`);
if (status.status === "completed") {
  const s = status.output.status;
  if (s.backend === "raft") console.log(`cluster: leader ${s.leaderId}, term ${s.term}, commit index ${s.commitIndex}, voters ${s.voters.join(", ")}`);
}
for (const kv of controlPlane) await kv.stop();
