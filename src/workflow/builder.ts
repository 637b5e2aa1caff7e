/**
 * Building workflows in code, type-checked against the registry: `addNode("X", id, config)` accepts
 * only X's config, `connect` only existing node ids and their port names, and a reused id is a
 * type error. `build()` repeats every check at run time (for workflows assembled dynamically or
 * loaded from JSON) and reports all problems in one {@link ValidationError}.
 *
 * @module
 */
import type { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { zodIssues } from "../core/validation.js";
import { compileGraph, type NodeDeclaration } from "./graph.js";
import type { AnyNodeDefinition, ConfigOf, InputNames, NoOperation, OperationConfigOf, OperationName, OperationsOf, OutputNames, OutputType } from "./node.js";
import type { NodeDefinitions, NodeRegistry } from "./registry.js";
import { workflowJsonSchema, type Connection, type NodeOptions, type WorkflowInputBinding } from "./types.js";
import { Workflow, type NodeRef, type NodeTypeMap } from "./workflow.js";

/** Node type names known to a registry. */
export type NodeTypeName<Defs extends NodeDefinitions> = keyof Defs & string;

/** The readable compile-time error for a reused node id. */
export type DuplicateNodeId<Id extends string> = `node id "${Id}" is already used in this workflow`;

/** `Id` if it is new, otherwise a message type that no string satisfies. */
export type FreshNodeId<Id extends string, Nodes extends NodeTypeMap> = string extends Id
  ? Id
  : string extends keyof Nodes
    ? Id // ids are no longer tracked once a non-literal id was added
    : Id extends keyof Nodes
      ? DuplicateNodeId<Id>
      : Id;

/** Node type names of a registry whose nodes have operations. */
export type OperationNodeTypeName<Defs extends NodeDefinitions> = {
  [K in keyof Defs & string]: [OperationsOf<Defs[K]>] extends [never] ? never : K;
}[keyof Defs & string];

/** Node type names of a registry whose nodes have a single operation. */
export type SingleNodeTypeName<Defs extends NodeDefinitions> = Exclude<NodeTypeName<Defs>, OperationNodeTypeName<Defs>>;

/** The definition behind a node id. */
export type DefinitionOf<Defs extends NodeDefinitions, Nodes extends NodeTypeMap, Id extends keyof Nodes> =
  Defs[Nodes[Id]["type"] & keyof Defs] extends infer D extends AnyNodeDefinition ? D : never;

/** The operation recorded for a node id (`""` for a single-operation node). */
export type OperationOf<Nodes extends NodeTypeMap, Id extends keyof Nodes> = Nodes[Id]["operation"];

/** Names of the output ports of node `Id`. */
export type NodeOutputNames<Defs extends NodeDefinitions, Nodes extends NodeTypeMap, Id extends keyof Nodes> = OutputNames<
  DefinitionOf<Defs, Nodes, Id>,
  OperationOf<Nodes, Id>
>;

/** Value type output port `P` of node `Id` produces. */
export type NodePortOutput<Defs extends NodeDefinitions, Nodes extends NodeTypeMap, Id extends keyof Nodes, P extends string> = OutputType<
  DefinitionOf<Defs, Nodes, Id>,
  P,
  OperationOf<Nodes, Id>
>;

/**
 * Input ports of `D` that accept a value of type `V` (so wiring a string into a number port fails to
 * compile). An `unknown` output (a `Transform`, say) may feed any port: its value is checked against
 * the port's schema when the node runs.
 */
export type CompatibleInputs<D extends AnyNodeDefinition, V> = unknown extends V
  ? InputNames<D>
  : { [K in InputNames<D>]: [V] extends [z.input<D["inputs"]>[K]] ? K : never }[InputNames<D>];

/** Builder state after adding node `Id` of type `T` with operation `Op`. */
export type WithNodeId<Nodes extends NodeTypeMap, Id extends string, T extends string, Op extends string = NoOperation> = Nodes & {
  readonly [K in Id]: NodeRef<T, Op>;
};

/**
 * @example
 * ```ts
 * const workflow = new WorkflowBuilder(createNodeRegistry(), { name: "double-and-merge" })
 *   .addNode("Transform", "double", { fn: (x) => (x as number) * 2 })
 *   .addNode("Merge", "merge", { mode: "array" })
 *   .input("x", "double", "value")
 *   .connect("double", "value", "merge", "a")
 *   .build();
 * ```
 */
export class WorkflowBuilder<Defs extends NodeDefinitions, Nodes extends NodeTypeMap = Record<never, never>> {
  private readonly registry: NodeRegistry<Defs>;
  private readonly name: string | undefined;
  private readonly nodeList: NodeDeclaration[] = [];
  private readonly connectionList: Connection[] = [];
  private readonly inputList: WorkflowInputBinding[] = [];

  constructor(registry: NodeRegistry<Defs>, options: { name?: string } = {}) {
    this.registry = registry;
    this.name = options.name;
  }

  /**
   * Adds a node. For a node type with operations, `config.operation` picks the operation and the
   * builder's type records it, so `connect` and the run's results know that operation's outputs.
   * Returns the builder typed with the new node id (the same instance: builders are mutable and
   * cheap, workflows are immutable).
   */
  addNode<T extends OperationNodeTypeName<Defs>, Id extends string, Op extends string>(
    type: T,
    id: FreshNodeId<Id, Nodes>,
    // `Op extends string` (not the operation names) so the literal is inferred; the intersection checks it.
    config: OperationConfigOf<Defs[T], Op & OperationName<Defs[T]>>,
    options?: NodeOptions,
  ): WorkflowBuilder<Defs, WithNodeId<Nodes, Id, T, Op>>;
  addNode<T extends SingleNodeTypeName<Defs>, Id extends string>(
    type: T,
    id: FreshNodeId<Id, Nodes>,
    config: ConfigOf<Defs[T]>,
    options?: NodeOptions,
  ): WorkflowBuilder<Defs, WithNodeId<Nodes, Id, T>>;
  addNode(type: string, id: string, config: unknown, options?: NodeOptions): unknown {
    this.nodeList.push({ id, type, config, options });
    return this;
  }

  /** Wires `from`'s output port into `to`'s input port. */
  connect<
    From extends keyof Nodes & string,
    Output extends NodeOutputNames<Defs, Nodes, From>,
    To extends keyof Nodes & string,
    Input extends CompatibleInputs<DefinitionOf<Defs, Nodes, To>, NodePortOutput<Defs, Nodes, From, Output>>,
  >(from: From, output: Output, to: To, input: Input): this {
    this.connectionList.push({ from, output, to, input });
    return this;
  }

  /** Declares a workflow input `name` (supplied to `execute({ inputs })`) feeding `to`'s input port. */
  input<To extends keyof Nodes & string>(name: string, to: To, input: InputNames<DefinitionOf<Defs, Nodes, To>>): this {
    this.inputList.push({ name, to, input });
    return this;
  }

  /**
   * A builder for workflows assembled from data at run time (node ids and types not known to the
   * compiler). Everything is still validated by `build()`.
   */
  static untyped(registry: NodeRegistry<NodeDefinitions>, options: { name?: string } = {}): WorkflowBuilder<NodeDefinitions, NodeTypeMap> {
    return new WorkflowBuilder<NodeDefinitions, NodeTypeMap>(registry, options);
  }

  /** Validates everything and returns the immutable workflow, or throws one {@link ValidationError} listing every problem. */
  build(): Workflow<Defs, Nodes> {
    const declaration = { name: this.name, nodes: this.nodeList, connections: this.connectionList, inputs: this.inputList };
    const compiled = compileGraph(declaration, this.registry);
    if (!compiled.ok) throw new ValidationError(compiled.issues);
    return new Workflow<Defs, Nodes>(declaration, compiled.graph);
  }

  /**
   * Reads a workflow from its JSON form (see `Workflow.toJSON`), validating the structure and then
   * the graph; every problem is reported in one {@link ValidationError}.
   */
  static fromJSON<Defs extends NodeDefinitions>(json: unknown, registry: NodeRegistry<Defs>): Workflow<Defs> {
    const parsed = workflowJsonSchema.safeParse(json);
    if (!parsed.success) throw new ValidationError(zodIssues(parsed.error));
    const data = parsed.data;
    const declaration = {
      name: data.name,
      nodes: data.nodes.map((n) => ({ id: n.id, type: n.type, config: n.config, options: n.options })),
      connections: data.connections,
      inputs: data.inputs,
    };
    const compiled = compileGraph(declaration, registry);
    if (!compiled.ok) throw new ValidationError(compiled.issues);
    return new Workflow<Defs>(declaration, compiled.graph);
  }
}
