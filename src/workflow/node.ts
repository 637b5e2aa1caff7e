/**
 * The node contract: a node type is declared once with {@link defineNode}, with zod schemas for its
 * configuration, inputs and outputs, and an async `run`.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Random } from "../core/random.js";
import type { ServiceRegistry } from "../core/services.js";

/** Input and output ports: an object schema whose keys are port names. */
export type PortsSchema = z.ZodObject<z.ZodRawShape>;

/** What a running node can use. Everything nondeterministic comes from here. */
export interface NodeContext {
  /** This node's id in the workflow. */
  readonly nodeId: string;
  /** This node's type. */
  readonly nodeType: string;
  /** The run this execution belongs to. */
  readonly runId: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  readonly clock: Clock;
  /** A random stream for this node, derived from the runtime's seed and the node id. */
  readonly random: Random;
  readonly logger: Logger;
  /** Aborted when the run is cancelled or this attempt times out. Long work must honour it. */
  readonly signal: AbortSignal;
  /** The shared infrastructure context: engines' services are looked up here. */
  readonly infrastructure: ServiceRegistry;
  /** Reports progress (a fraction in [0, 1]) as a `node:progress` event. */
  progress(fraction: number, message?: string): void;
}

/** Everything that defines a node type. */
export interface NodeSpec<
  TType extends string,
  TConfig extends z.ZodType,
  TInputs extends PortsSchema,
  TOutputs extends PortsSchema,
> {
  /** Unique type name, e.g. `"EdgeMonitoring"`. */
  readonly type: TType;
  /** One sentence for docs and tooling. */
  readonly description: string;
  /** Schema of the configuration given to `addNode`. */
  readonly config: TConfig;
  /** Input ports. Optional keys are optional inputs. */
  readonly inputs: TInputs;
  /** Output ports. */
  readonly outputs: TOutputs;
  /** Does the work. Must honour `ctx.signal`. The result is validated against `outputs`. */
  run(ctx: NodeContext, config: z.output<TConfig>, inputs: z.output<TInputs>): Promise<z.input<TOutputs>>;
}

/** A registered node type (what {@link defineNode} returns). */
export interface NodeDefinition<
  TType extends string = string,
  TConfig extends z.ZodType = z.ZodType,
  TInputs extends PortsSchema = PortsSchema,
  TOutputs extends PortsSchema = PortsSchema,
> extends NodeSpec<TType, TConfig, TInputs, TOutputs> {
  readonly kind: "edgeflow.node";
}

/** Any node definition, whatever its schemas. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: run() takes the specific config type
export type AnyNodeDefinition = NodeDefinition<string, any, any, any>;

/** The configuration a user passes to `addNode` for a node type (before defaults are applied). */
export type ConfigOf<D extends AnyNodeDefinition> = z.input<D["config"]>;
/** Names of a node type's input ports. */
export type InputNames<D extends AnyNodeDefinition> = keyof z.input<D["inputs"]> & string;
/** Names of a node type's output ports. */
export type OutputNames<D extends AnyNodeDefinition> = keyof z.output<D["outputs"]> & string;
/** Value type of one output port. */
export type OutputType<D extends AnyNodeDefinition, P extends string> = P extends keyof z.output<D["outputs"]>
  ? z.output<D["outputs"]>[P]
  : never;

const typeNamePattern = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/**
 * Declares a node type.
 *
 * @example
 * ```ts
 * const Double = defineNode({
 *   type: "Double",
 *   description: "Multiplies its input by two.",
 *   config: z.object({}),
 *   inputs: z.object({ value: z.number() }),
 *   outputs: z.object({ value: z.number() }),
 *   run: async (_ctx, _config, { value }) => ({ value: value * 2 }),
 * });
 * ```
 */
export function defineNode<
  TType extends string,
  TConfig extends z.ZodType,
  TInputs extends PortsSchema,
  TOutputs extends PortsSchema,
>(spec: NodeSpec<TType, TConfig, TInputs, TOutputs>): NodeDefinition<TType, TConfig, TInputs, TOutputs> {
  const issues = [];
  if (!typeNamePattern.test(spec.type)) {
    issues.push({ path: "type", message: `node type must match ${typeNamePattern.source}, got "${spec.type}"` });
  }
  if (typeof spec.run !== "function") issues.push({ path: "run", message: "run must be a function" });
  if (!(spec.inputs instanceof z.ZodObject)) issues.push({ path: "inputs", message: "inputs must be a z.object schema" });
  if (!(spec.outputs instanceof z.ZodObject)) issues.push({ path: "outputs", message: "outputs must be a z.object schema" });
  if (issues.length > 0) throw new ValidationError(issues);
  return Object.freeze({ ...spec, kind: "edgeflow.node" as const });
}

/**
 * A parameter a node takes from its config or, failing that, from the input port of the same name
 * (so a workflow can wire it from an upstream node). Only `undefined` counts as absent: `null` is a
 * value. Throws a {@link ValidationError} naming the port when neither supplies it.
 *
 * @param operation the operation asking, for the message (e.g. `"place"`)
 * @param port the config field and input port name (e.g. `"workload"`)
 * @param what how the message names the value (e.g. `"a workload"`)
 * @example
 * ```ts
 * const workload = fromConfigOrInput("place", "workload", "a workload", config.workload, inputs.workload);
 * ```
 */
export function fromConfigOrInput<T>(operation: string, port: string, what: string, configured: T | undefined, input: T | undefined): T {
  const value = configured !== undefined ? configured : input;
  if (value === undefined) {
    const code = `missing_${port.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
    throw ValidationError.of(port, `${operation} needs ${what} in its config or on the \`${port}\` input`, code);
  }
  return value;
}
