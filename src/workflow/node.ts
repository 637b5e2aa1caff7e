/**
 * The node contract: a node type is declared once with {@link defineNode}, with zod schemas for its
 * configuration, inputs and outputs, and an async `run`.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { ValidationError, type ValidationIssue } from "../core/errors.js";
import { describeValue } from "../core/describe.js";
import { zodSchemaProblem } from "../core/validation.js";
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

/** Everything that defines a single-operation node type. */
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

/** The config schema of one operation: an object schema, without the `operation` key (added for you). */
export type OperationConfigSchema = z.ZodObject<z.ZodRawShape>;

/**
 * The fields of an operation's config as written (`In`) or parsed: an empty `z.object({})` infers
 * `Record<string, never>`, which no `{ operation }` could satisfy, so it counts as "no fields".
 */
export type OperationFields<T> = string extends keyof T ? Record<never, never> : T;

/** The schemas of one operation, as carried in a definition's type. */
export interface OperationSchemas {
  readonly config: OperationConfigSchema;
  readonly outputs: PortsSchema;
}

/** Operation name → its schemas. */
export type OperationSchemaMap = { readonly [operation: string]: OperationSchemas };

/** One operation of a node type, as declared in {@link OperationsNodeSpec}. */
export interface OperationSpec<TConfig extends OperationConfigSchema, TInputs extends PortsSchema, TOutputs extends PortsSchema, TName extends string> {
  /** One sentence for docs and tooling. */
  readonly description?: string;
  /** This operation's config, without the `operation` key. */
  readonly config: TConfig;
  /** This operation's output ports. */
  readonly outputs: TOutputs;
  /** Does the work. Must honour `ctx.signal`. The result is validated against this operation's `outputs`. */
  run(ctx: NodeContext, config: OperationFields<z.output<TConfig>> & { readonly operation: TName }, inputs: z.output<TInputs>): Promise<z.input<TOutputs>>;
}

/**
 * A node type with several operations, each with its own config and output ports. The user picks one
 * with `{ operation: "name", ...config }` in `addNode`, and the compiler then knows that
 * operation's outputs on `connect` and in `run.results`.
 */
export interface OperationsNodeSpec<
  TType extends string,
  TInputs extends PortsSchema,
  TConfigs extends { readonly [operation: string]: OperationConfigSchema },
  TOutputs extends { readonly [operation: string]: PortsSchema },
> {
  readonly type: TType;
  readonly description: string;
  /** Input ports, shared by every operation (an operation ignores the ones it does not use). */
  readonly inputs: TInputs;
  /** The operations by name (letters, digits and `_`). */
  readonly operations: { readonly [K in keyof TConfigs & string]: Omit<OperationSpec<TConfigs[K], TInputs, PortsSchema, K>, "outputs" | "run"> & {
    run(ctx: NodeContext, config: OperationFields<z.output<TConfigs[K]>> & { readonly operation: K }, inputs: z.output<TInputs>): Promise<z.input<TOutputs[K & keyof TOutputs]>>;
  } } & { readonly [K in keyof TOutputs]: { readonly outputs: TOutputs[K] } };
}

/** What a definition tells about one of its operations at run time. */
export interface OperationInfo {
  readonly name: string;
  readonly description: string | undefined;
  readonly config: OperationConfigSchema;
  readonly outputs: PortsSchema;
}

/** A registered node type (what {@link defineNode} returns). */
export interface NodeDefinition<
  TType extends string = string,
  TConfig extends z.ZodType = z.ZodType,
  TInputs extends PortsSchema = PortsSchema,
  TOutputs extends PortsSchema = PortsSchema,
  TOperations extends OperationSchemaMap | null = OperationSchemaMap | null,
> {
  readonly kind: "edgeflow.node";
  readonly type: TType;
  readonly description: string;
  /** Schema of the configuration given to `addNode` (for a node with operations: the union over `operation`). */
  readonly config: TConfig;
  readonly inputs: TInputs;
  /**
   * Output ports. For a node with operations: every port of every operation, each optional; the
   * ports of one configured node come from {@link NodeDefinition.outputsFor}.
   */
  readonly outputs: TOutputs;
  /** The operations by name; `undefined` for a single-operation node. */
  readonly operations: { readonly [name: string]: OperationInfo } | undefined;
  /** The output ports of a node with this (parsed) config. */
  outputsFor(config: z.output<TConfig>): PortsSchema;
  /** Runs the node (for a node with operations, the configured operation). */
  run(ctx: NodeContext, config: z.output<TConfig>, inputs: z.output<TInputs>): Promise<z.input<TOutputs>>;
  /** Phantom field carrying each operation's schemas in the type; never set at run time. */
  readonly __operations?: TOperations;
}

/** Any node definition, whatever its schemas. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: run() takes the specific config type
export type AnyNodeDefinition = NodeDefinition<string, any, any, any, any>;

/**
 * The operation schemas of a node type with operations; `never` for a single-operation node and for
 * a definition whose type is not known (`AnyNodeDefinition`), which takes any config.
 */
export type OperationsOf<D extends AnyNodeDefinition> = 0 extends 1 & D["__operations"] ? never : Exclude<D["__operations"], null | undefined>;

/** Operation names of a node type (`never` for a single-operation node). */
export type OperationName<D extends AnyNodeDefinition> = keyof OperationsOf<D> & string;

/** Stands for "no operation" in the builder's type of a single-operation node. */
export type NoOperation = "";

/** The configuration a user passes to `addNode` for a node type (before defaults are applied). */
export type ConfigOf<D extends AnyNodeDefinition> = z.input<D["config"]>;

/** The configuration of one operation, `operation` key included, as a user writes it. */
export type OperationConfigOf<D extends AnyNodeDefinition, Op extends OperationName<D>> = OperationFields<z.input<OperationsOf<D>[Op]["config"]>> & {
  readonly operation: Op;
};

/** The output ports schema of a node of type `D` configured with operation `Op`. */
export type OutputSchemaOf<D extends AnyNodeDefinition, Op extends string = NoOperation> = [OperationsOf<D>] extends [never]
  ? D["outputs"]
  : Op extends keyof OperationsOf<D>
    ? OperationsOf<D>[Op]["outputs"]
    : D["outputs"];

/** The output object of a node of type `D` configured with operation `Op`. */
export type OutputsOf<D extends AnyNodeDefinition, Op extends string = NoOperation> = z.output<OutputSchemaOf<D, Op>>;

/** Names of a node type's input ports. */
export type InputNames<D extends AnyNodeDefinition> = keyof z.input<D["inputs"]> & string;
/** Names of the output ports of a node of type `D` with operation `Op`. */
export type OutputNames<D extends AnyNodeDefinition, Op extends string = NoOperation> = keyof OutputsOf<D, Op> & string;
/** Value type of one output port. */
export type OutputType<D extends AnyNodeDefinition, P extends string, Op extends string = NoOperation> = P extends keyof OutputsOf<D, Op>
  ? OutputsOf<D, Op>[P]
  : never;

/** The union config type of a node with operations, as parsed. */
export type ParsedOperationConfig<TConfigs extends { readonly [operation: string]: OperationConfigSchema }> = {
  [K in keyof TConfigs & string]: OperationFields<z.output<TConfigs[K]>> & { readonly operation: K };
}[keyof TConfigs & string];

/** The union config type of a node with operations, as written. */
export type WrittenOperationConfig<TConfigs extends { readonly [operation: string]: OperationConfigSchema }> = {
  [K in keyof TConfigs & string]: OperationFields<z.input<TConfigs[K]>> & { readonly operation: K };
}[keyof TConfigs & string];

/** The operation schemas of a node with operations, as its type carries them. */
export type OperationSchemasOf<
  TConfigs extends { readonly [operation: string]: OperationConfigSchema },
  TOutputs extends { readonly [operation: string]: PortsSchema },
> = { readonly [K in keyof TConfigs & string]: { readonly config: TConfigs[K]; readonly outputs: TOutputs[K & keyof TOutputs] } };

const typeNamePattern = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const operationNamePattern = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Declares a node type: either a single operation (`config`, `inputs`, `outputs`, `run`) or several
 * (`inputs` and `operations`, each with its own `config`, `outputs` and `run`). With operations, the
 * user's config is `{ operation: "name", ...thatOperationsConfig }`, and the compiler gives the
 * chosen operation's output types on `connect` and in `run.results`.
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
 *
 * const Counter = defineNode({
 *   type: "Counter",
 *   description: "Counts words or characters.",
 *   inputs: z.object({ text: z.string() }),
 *   operations: {
 *     words: { config: z.object({}), outputs: z.object({ words: z.number() }), run: async (_ctx, _config, { text }) => ({ words: text.split(/\s+/).length }) },
 *     chars: { config: z.object({ trim: z.boolean().default(false) }), outputs: z.object({ chars: z.number() }), run: async (_ctx, { trim }, { text }) => ({ chars: (trim ? text.trim() : text).length }) },
 *   },
 * });
 * // addNode("Counter", "count", { operation: "chars" }) outputs { chars: number }
 * ```
 */
export function defineNode<
  TType extends string,
  TInputs extends PortsSchema,
  TConfigs extends { readonly [operation: string]: OperationConfigSchema },
  TOutputs extends { readonly [operation: string]: PortsSchema },
>(
  spec: OperationsNodeSpec<TType, TInputs, TConfigs, TOutputs>,
): NodeDefinition<
  TType,
  z.ZodType<ParsedOperationConfig<TConfigs>, WrittenOperationConfig<TConfigs>>,
  TInputs,
  PortsSchema,
  OperationSchemasOf<TConfigs, TOutputs>
>;
export function defineNode<TType extends string, TConfig extends z.ZodType, TInputs extends PortsSchema, TOutputs extends PortsSchema>(
  spec: NodeSpec<TType, TConfig, TInputs, TOutputs>,
): NodeDefinition<TType, TConfig, TInputs, TOutputs, null>;
export function defineNode(spec: NodeSpec<string, z.ZodType, PortsSchema, PortsSchema> | OperationsNodeSpec<string, PortsSchema, Record<string, OperationConfigSchema>, Record<string, PortsSchema>>): AnyNodeDefinition {
  const issues: ValidationIssue[] = [];
  const raw = spec as unknown as Record<string, unknown>;
  if (typeof raw["type"] !== "string" || !typeNamePattern.test(raw["type"])) {
    issues.push({ path: "type", message: `node type must match ${typeNamePattern.source}, got ${describeValue(raw["type"])}` });
  }
  if (typeof raw["description"] !== "string") issues.push({ path: "description", message: "description must be a string" });
  if (!(raw["inputs"] instanceof z.ZodObject)) issues.push({ path: "inputs", message: zodMismatch("inputs", raw["inputs"]) });
  if ("operations" in spec) {
    const operations = raw["operations"];
    if (typeof operations !== "object" || operations === null || Object.keys(operations).length === 0) {
      issues.push({ path: "operations", message: "operations must be an object with at least one operation" });
    } else {
      for (const [name, op] of Object.entries(operations as Record<string, unknown>)) {
        const at = `operations.${name}`;
        if (!operationNamePattern.test(name)) issues.push({ path: at, message: `operation name must match ${operationNamePattern.source}` });
        const fields = (typeof op === "object" && op !== null ? op : {}) as Record<string, unknown>;
        if (!(fields["config"] instanceof z.ZodObject)) issues.push({ path: `${at}.config`, message: zodMismatch("config", fields["config"]) });
        else if ("operation" in fields["config"].shape) issues.push({ path: `${at}.config`, message: "config must not declare `operation`: it is added for you" });
        if (!(fields["outputs"] instanceof z.ZodObject)) issues.push({ path: `${at}.outputs`, message: zodMismatch("outputs", fields["outputs"]) });
        if (typeof fields["run"] !== "function") issues.push({ path: `${at}.run`, message: "run must be a function" });
      }
    }
    if (issues.length > 0) throw new ValidationError(issues);
    return operationsDefinition(spec as OperationsNodeSpec<string, PortsSchema, Record<string, OperationConfigSchema>, Record<string, PortsSchema>>);
  }
  if (!(raw["config"] instanceof z.ZodType)) issues.push({ path: "config", message: zodMismatch("config", raw["config"]) });
  if (!(raw["outputs"] instanceof z.ZodObject)) issues.push({ path: "outputs", message: zodMismatch("outputs", raw["outputs"]) });
  if (typeof raw["run"] !== "function") issues.push({ path: "run", message: "run must be a function" });
  if (issues.length > 0) throw new ValidationError(issues);
  const single = spec as NodeSpec<string, z.ZodType, PortsSchema, PortsSchema>;
  return Object.freeze({
    kind: "edgeflow.node" as const,
    type: single.type,
    description: single.description,
    config: single.config,
    inputs: single.inputs,
    outputs: single.outputs,
    operations: undefined,
    outputsFor: () => single.outputs,
    run: (ctx: NodeContext, config: unknown, inputs: unknown) => single.run(ctx, config, inputs as Record<string, unknown>),
  });
}

/** Why a schema field was refused: not a zod 4 object schema (another copy or version of zod, say). */
function zodMismatch(field: string, value: unknown): string {
  const problem = zodSchemaProblem(value);
  return problem !== undefined ? `${field} ${problem}` : `${field} must be a z.object(...) schema`;
}

function operationsDefinition(
  spec: OperationsNodeSpec<string, PortsSchema, Record<string, OperationConfigSchema>, Record<string, PortsSchema>>,
): AnyNodeDefinition {
  const entries = Object.entries(spec.operations as Record<string, OperationSpec<OperationConfigSchema, PortsSchema, PortsSchema, string>>);
  const operations: Record<string, OperationInfo> = {};
  const runs = new Map<string, OperationSpec<OperationConfigSchema, PortsSchema, PortsSchema, string>["run"]>();
  const variants: z.ZodObject<z.ZodRawShape>[] = [];
  const allPorts: Record<string, z.ZodType> = {};
  for (const [name, op] of entries) {
    operations[name] = Object.freeze({ name, description: op.description, config: op.config, outputs: op.outputs });
    runs.set(name, op.run);
    variants.push(op.config.extend({ operation: z.literal(name) }));
    for (const [port, schema] of Object.entries(op.outputs.shape)) allPorts[port] ??= (schema as z.ZodType).optional();
  }
  const [first, ...rest] = variants;
  if (first === undefined) throw ValidationError.of("operations", "a node needs at least one operation");
  const config = z.discriminatedUnion("operation", [first, ...rest]);
  const frozenOperations = Object.freeze(operations);
  return Object.freeze({
    kind: "edgeflow.node" as const,
    type: spec.type,
    description: spec.description,
    config,
    inputs: spec.inputs,
    outputs: z.object(allPorts),
    operations: frozenOperations,
    outputsFor: (parsed: unknown) => operationOf(frozenOperations, parsed).outputs,
    run: async (ctx: NodeContext, parsed: unknown, inputs: unknown) => {
      const run = runs.get(operationOf(frozenOperations, parsed).name);
      if (run === undefined) throw ValidationError.of("config.operation", "unknown operation");
      return await run(ctx, parsed as Record<string, unknown> & { operation: string }, inputs as Record<string, unknown>);
    },
  });
}

function operationOf(operations: { readonly [name: string]: OperationInfo }, config: unknown): OperationInfo {
  const name = typeof config === "object" && config !== null ? (config as { operation?: unknown }).operation : undefined;
  const info = typeof name === "string" && Object.hasOwn(operations, name) ? operations[name] : undefined;
  if (info === undefined) {
    throw ValidationError.of("config.operation", `unknown operation ${describeValue(name)}; operations: ${Object.keys(operations).join(", ")}`, "unknown_operation");
  }
  return info;
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

/**
 * An output port carrying a value an engine produced, typed `T` for the compiler. At run time it is
 * checked to be present; its structure is the engine's contract (engines hand out immutable values),
 * so it is not parsed again on every run.
 *
 * @param what how errors name the value, e.g. `"a placement decision"`
 * @example
 * ```ts
 * outputs: z.object({ decision: enginePort<PlacementDecision>("a placement decision") })
 * ```
 */
export function enginePort<T>(what: string): z.ZodType<T> {
  return z.custom<T>((value) => value !== undefined, { error: `expected ${what}` });
}
