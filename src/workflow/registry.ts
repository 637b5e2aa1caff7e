/**
 * The set of node types a workflow may use. Built explicitly (no import-time side effects); the
 * built-in nodes come pre-registered through `createNodeRegistry()`.
 *
 * @module
 */
import { NotFoundError, ValidationError } from "../core/errors.js";
import type { AnyNodeDefinition } from "./node.js";

/** Node type name → definition, as carried in a registry's type. */
export type NodeDefinitions = { readonly [type: string]: AnyNodeDefinition };

/** A registry with one more node type. */
export type WithNode<Defs extends NodeDefinitions, D extends AnyNodeDefinition> = Defs & { readonly [K in D["type"]]: D };

/**
 * @example
 * ```ts
 * const registry = createNodeRegistry().register(MyNode);
 * const builder = new WorkflowBuilder(registry); // addNode("MyNode", ...) is now type-checked
 * ```
 */
export class NodeRegistry<Defs extends NodeDefinitions = Record<never, never>> {
  private readonly definitions = new Map<string, AnyNodeDefinition>();

  /**
   * Adds a node type. Returns this registry, typed with the new node, so calls chain.
   * Registering a second definition under an existing type is an error.
   */
  register<D extends AnyNodeDefinition>(definition: D): NodeRegistry<WithNode<Defs, D>> {
    if (definition.kind !== "edgeflow.node") {
      throw ValidationError.of("definition", "not a node definition: create it with defineNode()", "invalid_definition");
    }
    const existing = this.definitions.get(definition.type);
    if (existing !== undefined && existing !== definition) {
      throw ValidationError.of("definition.type", `node type "${definition.type}" is already registered`, "duplicate_type");
    }
    this.definitions.set(definition.type, definition);
    return this as unknown as NodeRegistry<WithNode<Defs, D>>;
  }

  /** Adds several node types at once (their types are not tracked individually). */
  registerAll(definitions: Iterable<AnyNodeDefinition>): this {
    for (const definition of definitions) this.register(definition);
    return this;
  }

  get(type: string): AnyNodeDefinition | undefined {
    return this.definitions.get(type);
  }

  /** The definition of `type`; throws {@link NotFoundError} when unknown. */
  require(type: string): AnyNodeDefinition {
    const definition = this.definitions.get(type);
    if (definition === undefined) {
      throw new NotFoundError("node type", type, `unknown node type "${type}"; registered: ${this.types().join(", ") || "(none)"}`);
    }
    return definition;
  }

  has(type: string): boolean {
    return this.definitions.has(type);
  }

  /** Registered type names, in registration order. */
  types(): string[] {
    return [...this.definitions.keys()];
  }

  /** Registered definitions, in registration order. */
  list(): AnyNodeDefinition[] {
    return [...this.definitions.values()];
  }
}
