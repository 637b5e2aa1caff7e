/**
 * The built-in node types and the registry that holds them.
 *
 * @module
 */
import { NodeRegistry } from "../src/workflow/registry.js";
import { EdgeAffinity } from "./edge-affinity.js";
import { EdgeDiscovery } from "./edge-discovery.js";
import { EdgeMonitoring } from "./edge-monitoring.js";
import { EdgeStateMachine } from "./edge-state-machine.js";
import { EdgeState } from "./edge-state.js";
import { GlobalOrdering } from "./global-ordering.js";
import { PartitionDetection } from "./partition-detection.js";
import { RaftConsensus } from "./raft-consensus.js";
import { Merge } from "./merge.js";
import { EdgeWarming } from "./edge-warming.js";
import { ResourceOptimizer } from "./resource-optimizer.js";
import { EdgeMigration } from "./edge-migration.js";
import { ResourceAnalyzerNode } from "./resource-analyzer.js";
import { ResourcePoolNode } from "./resource-pool.js";
import { ResourceScalerNode } from "./resource-scaler.js";
import { Transform } from "./transform.js";

export { EdgeAffinity } from "./edge-affinity.js";
export { EdgeDiscovery } from "./edge-discovery.js";
export { EdgeMonitoring } from "./edge-monitoring.js";
export { EdgeStateMachine } from "./edge-state-machine.js";
export { EdgeState } from "./edge-state.js";
export { GlobalOrdering } from "./global-ordering.js";
export { PartitionDetection } from "./partition-detection.js";
export { RaftConsensus, type ConsensusBackend, type ConsensusStatus } from "./raft-consensus.js";
export { Merge } from "./merge.js";
export { EdgeWarming, warmerFor } from "./edge-warming.js";
export { ResourceOptimizer } from "./resource-optimizer.js";
export { EdgeMigration, migrationServiceFor } from "./edge-migration.js";
export { ResourceAnalyzerNode } from "./resource-analyzer.js";
export { ResourcePoolNode } from "./resource-pool.js";
export { ResourceScalerNode } from "./resource-scaler.js";
export { Transform, type TransformFunction } from "./transform.js";

/**
 * A registry with every built-in node type registered, typed so `WorkflowBuilder.addNode` checks each
 * node's configuration. Add your own with `.register(defineNode({...}))`.
 *
 * @example
 * ```ts
 * const registry = createNodeRegistry().register(Greet); // Greet from defineNode({ type: "Greet", ... })
 * const workflow = new WorkflowBuilder(registry)
 *   .addNode("Greet", "west", { greeting: "hi" })
 *   .addNode("Merge", "all", { mode: "array" })
 *   .connect("west", "message", "all", "a")
 *   .build();
 * const run = await new LocalRuntime({ registry }).execute(workflow);
 * ```
 */
export function createNodeRegistry() {
  return new NodeRegistry()
    .register(Transform)
    .register(Merge)
    .register(EdgeMonitoring)
    .register(EdgeDiscovery)
    .register(EdgeStateMachine)
    .register(EdgeState)
    .register(EdgeAffinity)
    .register(GlobalOrdering)
    .register(PartitionDetection)
    .register(RaftConsensus)
    .register(EdgeWarming)
    .register(ResourceOptimizer)
    .register(EdgeMigration)
    .register(ResourcePoolNode)
    .register(ResourceAnalyzerNode)
    .register(ResourceScalerNode);
}

/** The registry type {@link createNodeRegistry} returns. */
export type BuiltinRegistry = ReturnType<typeof createNodeRegistry>;
