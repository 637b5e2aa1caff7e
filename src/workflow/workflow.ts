/**
 * An immutable, validated workflow: what `WorkflowBuilder.build()` returns and `LocalRuntime` runs.
 *
 * @module
 */
import { ValidationError, type ValidationIssue } from "../core/errors.js";
import { isolatedCopy } from "../core/isolated-copy.js";
import { joinPath } from "../core/validation.js";
import type { CompiledGraph, GraphDeclaration } from "./graph.js";
import type { AnyNodeDefinition } from "./node.js";
import type { NodeDefinitions } from "./registry.js";
import type { Connection, NodeOptions, WorkflowInputBinding, WorkflowJson } from "./types.js";

/** What the builder's types know of one node: its type name and its operation (`""` for a single-operation node). */
export interface NodeRef<T extends string = string, Op extends string = string> {
  readonly type: T;
  readonly operation: Op;
}

/** Node id → {@link NodeRef}, as tracked by the builder's types. */
export type NodeTypeMap = { readonly [id: string]: NodeRef };

/** A node as seen from outside. */
export interface WorkflowNodeInfo {
  readonly id: string;
  readonly type: string;
  readonly config: unknown;
  readonly options: NodeOptions | undefined;
}

/** Problems that stop `value` from surviving `JSON.stringify` → `JSON.parse` unchanged. */
function jsonProblems(value: unknown, path: string, out: ValidationIssue[]): void {
  if (out.length >= 20) return;
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) out.push({ path, code: "not_json", message: `${String(value)} is not representable in JSON` });
      return;
    case "object": {
      if (value === null) return;
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          if (item === undefined) out.push({ path: joinPath(path, i), code: "not_json", message: "undefined array element" });
          else jsonProblems(item, joinPath(path, i), out);
        });
        return;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        out.push({ path, code: "not_json", message: "only plain objects and arrays can be written as JSON" });
        return;
      }
      for (const [key, item] of Object.entries(value)) if (item !== undefined) jsonProblems(item, joinPath(path, key), out);
      return;
    }
    default:
      out.push({ path, code: "not_json", message: `a ${typeof value} cannot be written as JSON` });
  }
}

function jsonClone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * A validated workflow. The type parameters carry the registry and the node id → type map, so
 * run results are typed per node.
 */
export class Workflow<Defs extends NodeDefinitions = NodeDefinitions, Nodes extends NodeTypeMap = NodeTypeMap> {
  /** Optional human-readable name. */
  readonly name: string | undefined;
  /** @internal */
  readonly graph: CompiledGraph;
  private readonly declaration: {
    readonly name: string | undefined;
    readonly nodes: readonly WorkflowNodeInfo[];
    readonly connections: readonly Connection[];
    readonly inputs: readonly WorkflowInputBinding[];
  };
  /** Phantom fields carrying the type parameters. */
  declare readonly __types?: { defs: Defs; nodes: Nodes };

  /** @internal Use `WorkflowBuilder.build()` or `WorkflowBuilder.fromJSON()`. */
  constructor(declaration: GraphDeclaration, graph: CompiledGraph) {
    this.declaration = isolatedCopy({
      name: declaration.name,
      nodes: declaration.nodes.map((n) => ({ id: n.id, type: n.type, config: n.config, options: n.options as NodeOptions | undefined })),
      connections: declaration.connections.map((c) => ({ from: c.from, output: c.output, to: c.to, input: c.input })),
      inputs: declaration.inputs.map((i) => ({ name: i.name, to: i.to, input: i.input })),
    });
    this.name = declaration.name;
    this.graph = graph;
    Object.freeze(this);
  }

  /** The nodes, in the order they were added. */
  get nodes(): readonly WorkflowNodeInfo[] {
    return this.declaration.nodes;
  }

  get connections(): readonly Connection[] {
    return this.declaration.connections;
  }

  /** Workflow inputs and the ports they feed. */
  get inputs(): readonly WorkflowInputBinding[] {
    return this.declaration.inputs;
  }

  /** Names of the workflow inputs `execute` expects. */
  inputNames(): string[] {
    return [...new Set(this.declaration.inputs.map((i) => i.name))];
  }

  /** The node definition used for `id`. */
  definitionOf(id: string): AnyNodeDefinition | undefined {
    return this.graph.nodes.find((n) => n.id === id)?.definition;
  }

  /**
   * The JSON form, for storage or transfer; `WorkflowBuilder.fromJSON` reads it back exactly.
   * Throws a {@link ValidationError} naming each config value JSON cannot hold (a function, say).
   */
  toJSON(): WorkflowJson {
    const issues: ValidationIssue[] = [];
    for (const node of this.declaration.nodes) jsonProblems(node.config, joinPath("nodes", node.id, "config"), issues);
    if (issues.length > 0) throw new ValidationError(issues, `workflow cannot be written as JSON:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n")}`);
    const json: WorkflowJson = {
      format: "edgeflow.workflow/v1",
      ...(this.name === undefined ? {} : { name: this.name }),
      nodes: this.declaration.nodes.map((n) => ({
        id: n.id,
        type: n.type,
        config: jsonClone(n.config),
        ...(n.options === undefined ? {} : { options: jsonClone(n.options) }),
      })),
      connections: this.declaration.connections.map((c) => ({ from: c.from, output: c.output, to: c.to, input: c.input })),
      inputs: this.declaration.inputs.map((i) => ({ name: i.name, to: i.to, input: i.input })),
    };
    return json;
  }

  /** A Mermaid flowchart of the graph (paste into any Mermaid renderer). */
  toMermaid(): string {
    const escape = (text: string): string => text.replace(/"/g, "#quot;");
    const ids = new Map(this.declaration.nodes.map((n, i) => [n.id, `n${i}`]));
    const lines = ["flowchart LR"];
    const inputIds = new Map(this.inputNames().map((name, i) => [name, `in${i}`]));
    for (const [name, id] of inputIds) lines.push(`  ${id}(["${escape(name)}"])`);
    for (const node of this.declaration.nodes) lines.push(`  ${ids.get(node.id)}["${escape(node.id)}<br/><small>${escape(node.type)}</small>"]`);
    for (const c of this.declaration.connections) {
      lines.push(`  ${ids.get(c.from)} -->|"${escape(c.output)} → ${escape(c.input)}"| ${ids.get(c.to)}`);
    }
    for (const i of this.declaration.inputs) lines.push(`  ${inputIds.get(i.name)} -->|"${escape(i.input)}"| ${ids.get(i.to)}`);
    return lines.join("\n");
  }
}
