/**
 * Running one node outside a workflow, exactly as the runtime would run it (config parsed with its
 * defaults, inputs and outputs validated), with the output typed by the operation chosen. Made for
 * unit tests of nodes, built-in or your own.
 *
 * @module
 */
import type { z } from "zod";
import { ManualClock } from "../core/clock.js";
import { noopLogger } from "../core/logger.js";
import { Random } from "../core/random.js";
import { ServiceRegistry } from "../core/services.js";
import { parseWith } from "../core/validation.js";
import { ValidationError } from "../core/errors.js";
import type { AnyNodeDefinition, ConfigOf, NodeContext, OperationFields, OperationName, OperationsOf, OutputsOf } from "./node.js";

/**
 * A node context for running a node by hand: a `ManualClock` at 0, `Random(1)`, no logging, a fresh
 * infrastructure registry, a signal that never aborts; anything given in `overrides` replaces those.
 */
export function nodeContext(overrides: Partial<NodeContext> = {}): NodeContext {
  return {
    nodeId: "node",
    nodeType: "Node",
    runId: "run",
    attempt: 1,
    clock: new ManualClock(0),
    random: new Random(1),
    logger: noopLogger,
    signal: new AbortController().signal,
    infrastructure: new ServiceRegistry(),
    progress: () => undefined,
    ...overrides,
  };
}

/**
 * Runs `definition` once with `config` and `inputs`, validating both and the output as the runtime
 * does. For a node with operations use {@link runOperation}, which types the output by operation.
 *
 * @example
 * ```ts
 * const { value } = await runNode(Double, {}, { value: 21 }); // 42
 * ```
 */
export async function runNode<D extends AnyNodeDefinition>(
  definition: D,
  config: ConfigOf<D>,
  inputs?: z.input<D["inputs"]>,
  context: NodeContext = nodeContext(),
): Promise<OutputsOf<D>> {
  return (await execute(definition, config, inputs ?? {}, context)) as OutputsOf<D>;
}

/**
 * Runs one operation of a node with operations, validating config, inputs and output as the runtime
 * does, and returns that operation's output, typed.
 *
 * @example
 * ```ts
 * const ctx = nodeContext({ infrastructure });
 * const { edgeIds } = await runOperation(EdgeDiscovery, "find", { query: { regions: ["eu-west"] } }, {}, ctx);
 * ```
 */
export async function runOperation<D extends AnyNodeDefinition, Op extends OperationName<D>>(
  definition: D,
  operation: Op,
  config: OperationFields<z.input<OperationsOf<D>[Op]["config"]>>,
  inputs?: z.input<D["inputs"]>,
  context: NodeContext = nodeContext(),
): Promise<OutputsOf<D, Op>> {
  if (definition.operations === undefined) {
    throw ValidationError.of("operation", `node type "${definition.type}" has no operations: use runNode`, "no_operations");
  }
  return (await execute(definition, { ...config, operation }, inputs ?? {}, context)) as OutputsOf<D, Op>;
}

async function execute(definition: AnyNodeDefinition, config: unknown, inputs: unknown, context: NodeContext): Promise<unknown> {
  const parsedConfig: unknown = parseWith(definition.config, config, "config");
  const parsedInputs: unknown = parseWith(definition.inputs, inputs, "inputs");
  const output: unknown = await definition.run({ ...context, nodeType: definition.type }, parsedConfig, parsedInputs);
  return parseWith(definition.outputsFor(parsedConfig), output, "output");
}
