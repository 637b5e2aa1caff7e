export * from "./node.js";
export * from "./registry.js";
export * from "./types.js";
export * from "./errors.js";
export { Workflow, type NodeTypeMap, type WorkflowNodeInfo } from "./workflow.js";
export * from "./builder.js";
export { LocalRuntime, type LocalRuntimeOptions, type ExecuteOptions, type ResultsOf, type OutputOfType } from "./runtime.js";
