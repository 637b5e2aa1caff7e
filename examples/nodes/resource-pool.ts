/**
 * `ResourcePool`: a pool over two edges. A batch job takes most of the CPU at low priority; an
 * interactive API at higher priority preempts it; utilisation and fragmentation are reported, and an
 * oversized request is refused with the reason.
 *
 *     npx tsx examples/nodes/resource-pool.ts
 */
import { LocalRuntime, ManualClock, ServiceRegistry, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";

const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure: new ServiceRegistry(), clock: new ManualClock(Date.UTC(2026, 0, 1)) });

// Capacity in vCPU and MiB (the pool's resource names: cpu, memory, gpu, storage, network); "priority" lets higher-priority requests evict preemptible lower ones.
const define = {
  strategy: "priority" as const,
  edges: [
    { edgeId: "edge-par-1", capacity: { cpu: 8, memory: 32_768 } },
    { edgeId: "edge-fra-1", capacity: { cpu: 8, memory: 32_768 } },
  ],
};
const fill = new WorkflowBuilder(registry, { name: "fill" })
  .addNode("ResourcePool", "batch", { operation: "allocate", pool: "eu", define, requester: "nightly-batch", resources: { cpu: 7, memory: 8_192 }, priority: 0, preemptible: true })
  .addNode("ResourcePool", "cache", { operation: "allocate", pool: "eu", define, requester: "cache", resources: { cpu: 6, memory: 16_384 }, priority: 5 })
  .build();
const { batch, cache } = (await runtime.execute(fill)).results;
if (batch.status === "completed") console.log(`nightly-batch: ${batch.output.allocation.resources["cpu"]} vCPU on ${batch.output.allocation.edgeId}`);
if (cache.status === "completed") console.log(`cache: ${cache.output.allocation.resources["cpu"]} vCPU on ${cache.output.allocation.edgeId}`);

const burst = new WorkflowBuilder(registry, { name: "burst" })
  .addNode("ResourcePool", "api", { operation: "allocate", pool: "eu", requester: "api", resources: { cpu: 4, memory: 4_096 }, priority: 10 })
  .addNode("ResourcePool", "huge", { operation: "allocate", pool: "eu", requester: "ml-training", resources: { cpu: 32 }, priority: 1 })
  .build();
const { api, huge } = (await runtime.execute(burst, { errorPolicy: "continue" })).results;
if (api.status === "completed") {
  console.log(`api: ${api.output.allocation.resources["cpu"]} vCPU on ${api.output.allocation.edgeId}, preempting ${api.output.preempted.map((a) => a.requester).join(", ") || "nothing"}`);
}
if (huge.status === "failed") console.log(`ml-training refused: ${huge.error.cause instanceof Error ? huge.error.cause.message : huge.error.message}`);

const report = new WorkflowBuilder(registry, { name: "report" }).addNode("ResourcePool", "usage", { operation: "utilization", pool: "eu" }).build();
const { usage } = (await runtime.execute(report)).results;
if (usage.status === "completed") {
  const u = usage.output.utilization;
  console.log(`pool eu: CPU ${u.allocated["cpu"]}/${u.capacity["cpu"]} vCPU allocated (${((u.utilization["cpu"] ?? 0) * 100).toFixed(0)} %), ${u.allocations} allocations`);
  console.log(`stranded capacity: ${(usage.output.fragmentation.strandedFraction * 100).toFixed(0)} %`);
}
