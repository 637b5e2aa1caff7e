/**
 * `PartitionDetection`: three control-plane sites exchange heartbeats over a simulated network; the
 * link to Paris is cut, and the node reports from Paris' point of view that it lost its quorum (so it
 * should stop accepting writes) and which peers it suspects.
 *
 *     npx tsx examples/nodes/partition-detection.ts
 */
import {
  LocalRuntime,
  ManualClock,
  PartitionDetector,
  Random,
  ServiceRegistry,
  SimNetwork,
  WorkflowBuilder,
  createNodeRegistry,
  membershipMessageSchema,
  partitionDetectorKey,
} from "../../src/index.js";

const clock = new ManualClock(Date.UTC(2026, 0, 1));
// Links with 5-25 ms of latency between the sites.
const network = new SimNetwork({ clock, random: new Random(1), defaultLink: { latency: { kind: "uniform", minMs: 5, maxMs: 25 } } });
const sites = ["paris", "frankfurt", "virginia"];
const detectors = sites.map((id) => new PartitionDetector({ members: sites, transport: network.endpoint(id, { schema: membershipMessageSchema }), clock }));
for (const detector of detectors) detector.start();

// The workflow runs on Paris: its node reads Paris' detector.
const infrastructure = new ServiceRegistry();
const [paris] = detectors;
if (paris === undefined) throw new Error("no detector");
infrastructure.register(partitionDetectorKey, paris);
const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure, clock });
const check = new WorkflowBuilder(registry, { name: "check" })
  .addNode("PartitionDetection", "quorum", { operation: "quorum" })
  .addNode("PartitionDetection", "members", { operation: "members" })
  .build();

async function report(moment: string): Promise<void> {
  const { quorum, members } = (await runtime.execute(check)).results;
  if (quorum.status !== "completed" || members.status !== "completed") return;
  const q = quorum.output.quorum;
  console.log(`${moment}: quorum ${q.hasQuorum ? "held" : "LOST"} (${q.reachable.length}/${sites.length} reachable, ${q.needed} needed); ` + members.output.members.map((m) => `${m.id} ${m.state}`).join(", "));
}

await clock.advanceAsync(5_000);
await report("after 5 s");
network.partition(["paris"], ["frankfurt", "virginia"]);
await clock.advanceAsync(10_000);
await report("10 s after Paris was cut off");
network.heal();
await clock.advanceAsync(10_000);
await report("10 s after the network healed");
for (const detector of detectors) detector.stop();
