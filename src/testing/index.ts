/**
 * `edgeflow/testing`: tools for testing systems built on edgeflow — above all a linearizability
 * checker for concurrent histories.
 *
 * @module edgeflow/testing
 */
export { checkLinearizable } from "./check.js";
export { registerModel, type RegisterInput, type RegisterOutput, type RegisterValue } from "./register-model.js";
export { keyValueModel, type KvInput, type KvModelOptions, type KvOutput, type KvState } from "./kv-model.js";
export { parseJepsenKvHistory, parseJepsenRegisterLog } from "./jepsen.js";
export type { CheckLimit, CheckOptions, CheckResult, ClientId, Counterexample, Model, Operation, PartitionResult, Verdict } from "./types.js";
