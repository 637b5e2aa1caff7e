export * from "./node.js";
export * from "./registry.js";
export * from "./types.js";
export * from "./errors.js";
export { Workflow, type NodeTypeMap, type NodeRef, type WorkflowNodeInfo } from "./workflow.js";
export * from "./builder.js";
export { LocalRuntime, type LocalRuntimeOptions, type ExecuteOptions, type ResultsOf, type OutputOfNode } from "./runtime.js";
export { nodeContext, runNode, runOperation } from "./run-node.js";
