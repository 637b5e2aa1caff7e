/**
 * `GlobalOrdering`: publishes causally related events stamped with hybrid logical clocks, reads the
 * ordered log back from a cursor, and shows the counters (deliveries, duplicates dropped, conflicts).
 *
 *     npx tsx examples/nodes/global-ordering.ts
 */
import { LocalRuntime, ManualClock, ServiceRegistry, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure: new ServiceRegistry(), clock });

// A deployment announced, then scaled (causally after it); the scaling carries the deployment's id.
const publish = new WorkflowBuilder(registry, { name: "publish" })
  .addNode("GlobalOrdering", "deploy", { operation: "submit", id: "deploy-42", key: "service/checkout", payload: { version: "1.4.0", edge: "edge-par-1" } })
  .addNode("GlobalOrdering", "scale", { operation: "submit", id: "scale-42", key: "service/checkout", deps: ["deploy-42"], payload: { version: "1.4.0", replicas: 4 } })
  .build();
await runtime.execute(publish);
await clock.advanceAsync(5);

const read = new WorkflowBuilder(registry, { name: "read" })
  .addNode("GlobalOrdering", "log", { operation: "ordered_since", cursor: 0 })
  .addNode("GlobalOrdering", "status", { operation: "status" })
  .build();
const { log, status } = (await runtime.execute(read)).results;
if (log.status === "completed") {
  for (const entry of log.output.entries) {
    const { hlc } = entry.event;
    console.log(`#${entry.position} ${entry.event.id} on ${entry.event.key} at HLC ${new Date(hlc.wall).toISOString()} +${hlc.logical} (${hlc.nodeId}) ${JSON.stringify(entry.event.payload)}`);
  }
  console.log(`next cursor: ${log.output.next}`);
}
if (status.status === "completed") {
  const s = status.output.status;
  console.log(`delivered ${s.delivered}, buffered ${s.buffered}, duplicates dropped ${s.duplicatesDropped}, conflicts ${s.conflicts}`);
}
