/**
 * Validation and compilation of a workflow graph. Every problem is collected (unknown types,
 * duplicate ids, bad configs, unknown ports, port kind mismatches, doubly fed inputs, cycles with
 * their path, unconnected required inputs) so `build()` can report them all at once.
 *
 * @module
 */
import type { z } from "zod";
import type { ValidationIssue } from "../core/errors.js";
import { joinPath, zodIssues } from "../core/validation.js";
import type { AnyNodeDefinition, PortsSchema } from "./node.js";
import type { NodeRegistry, NodeDefinitions } from "./registry.js";
import { isOptionalPort, kindsConflict } from "./schema-kind.js";
import {
  nodeIdPattern,
  nodeOptionsSchema,
  type Connection,
  type NodeOptions,
  type ResolvedRetryPolicy,
  type WorkflowInputBinding,
} from "./types.js";

/** A node as declared, before validation. */
export interface NodeDeclaration {
  readonly id: string;
  readonly type: string;
  readonly config: unknown;
  /** Checked against `nodeOptionsSchema` when the graph is compiled. */
  readonly options: unknown;
}

/** Everything a builder collected. */
export interface GraphDeclaration {
  readonly name: string | undefined;
  readonly nodes: readonly NodeDeclaration[];
  readonly connections: readonly Connection[];
  readonly inputs: readonly WorkflowInputBinding[];
}

/** A validated node, ready to run. */
export interface CompiledNode {
  readonly index: number;
  readonly id: string;
  readonly type: string;
  readonly definition: AnyNodeDefinition;
  /** The config as given (what `toJSON` writes). */
  readonly rawConfig: unknown;
  /** The config after zod parsing (defaults applied): what `run` receives. */
  readonly config: unknown;
  /** The output ports of this node (of its configured operation); the definition's own when the config is invalid. */
  readonly outputs: PortsSchema;
  readonly options: NodeOptions | undefined;
  readonly timeoutMs: number | undefined;
  readonly retry: ResolvedRetryPolicy | undefined;
}

/** An edge between compiled nodes, by index. */
export interface CompiledEdge {
  readonly from: number;
  readonly output: string;
  readonly to: number;
  readonly input: string;
}

/** A validated graph with adjacency by node index. */
export interface CompiledGraph {
  readonly nodes: readonly CompiledNode[];
  readonly edges: readonly CompiledEdge[];
  /** Outgoing edges per node index. */
  readonly outgoing: readonly (readonly CompiledEdge[])[];
  /** Number of incoming edges per node index. */
  readonly inDegree: readonly number[];
  /** A topological order of node indices. */
  readonly order: readonly number[];
  /** Workflow inputs, by the index of the node they feed. */
  readonly inputs: readonly { readonly name: string; readonly to: number; readonly input: string }[];
}

function portShape(schema: z.ZodObject<z.ZodRawShape>): Readonly<Record<string, z.ZodType>> {
  return schema.shape as Readonly<Record<string, z.ZodType>>;
}

/** Validates `declaration` against `registry`. Returns the compiled graph, or every issue found. */
export function compileGraph(
  declaration: GraphDeclaration,
  registry: NodeRegistry<NodeDefinitions>,
): { ok: true; graph: CompiledGraph } | { ok: false; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const byId = new Map<string, number>();
  const nodes: CompiledNode[] = [];

  declaration.nodes.forEach((node, position) => {
    const at = joinPath("nodes", node.id);
    if (!nodeIdPattern.test(node.id)) {
      issues.push({ path: joinPath("nodes", position, "id"), code: "invalid_id", message: `node id "${node.id}" must match ${nodeIdPattern.source}` });
      return;
    }
    if (byId.has(node.id)) {
      issues.push({ path: at, code: "duplicate_id", message: `node id "${node.id}" is used more than once` });
      return;
    }
    const definition = registry.get(node.type);
    if (definition === undefined) {
      issues.push({ path: joinPath(at, "type"), code: "unknown_type", message: `unknown node type "${node.type}"` });
      byId.set(node.id, -1);
      return;
    }
    const parsed = definition.config.safeParse(node.config);
    if (!parsed.success) issues.push(...zodIssues(parsed.error, joinPath(at, "config")));
    const options = nodeOptionsSchema.safeParse(node.options ?? {});
    if (!options.success) issues.push(...zodIssues(options.error, joinPath(at, "options")));
    const index = nodes.length;
    byId.set(node.id, index);
    nodes.push({
      index,
      id: node.id,
      type: node.type,
      definition,
      rawConfig: node.config,
      config: parsed.success ? parsed.data : undefined,
      outputs: parsed.success ? definition.outputsFor(parsed.data) : definition.outputs,
      options: options.success ? (node.options as NodeOptions | undefined) : undefined,
      timeoutMs: options.success ? options.data.timeoutMs : undefined,
      retry: options.success ? options.data.retry : undefined,
    });
  });

  // Which (node, input) pairs are fed, and by what, to catch doubly fed and unfed inputs.
  const fedBy = new Map<string, string>();
  const feed = (to: CompiledNode, input: string, source: string, path: string): void => {
    const key = `${to.index}\u0000${input}`;
    const previous = fedBy.get(key);
    if (previous !== undefined) {
      issues.push({ path, code: "input_already_connected", message: `input "${to.id}.${input}" is already fed by ${previous}` });
      return;
    }
    fedBy.set(key, source);
  };

  const edges: CompiledEdge[] = [];
  declaration.connections.forEach((connection, position) => {
    const path = joinPath("connections", position);
    const fromIndex = byId.get(connection.from);
    const toIndex = byId.get(connection.to);
    if (fromIndex === undefined) issues.push({ path: joinPath(path, "from"), code: "unknown_node", message: `connection from unknown node "${connection.from}"` });
    if (toIndex === undefined) issues.push({ path: joinPath(path, "to"), code: "unknown_node", message: `connection to unknown node "${connection.to}"` });
    const from = fromIndex === undefined || fromIndex < 0 ? undefined : nodes[fromIndex];
    const to = toIndex === undefined || toIndex < 0 ? undefined : nodes[toIndex];
    const outputSchema = from === undefined ? undefined : portShape(from.outputs)[connection.output];
    const inputSchema = to === undefined ? undefined : portShape(to.definition.inputs)[connection.input];
    if (from !== undefined && outputSchema === undefined) {
      issues.push({
        path: joinPath(path, "output"),
        code: "unknown_output",
        message: `node "${from.id}" (${from.type}) has no output "${connection.output}"; outputs: ${Object.keys(portShape(from.outputs)).join(", ") || "(none)"}`,
      });
    }
    if (to !== undefined && inputSchema === undefined) {
      issues.push({
        path: joinPath(path, "input"),
        code: "unknown_input",
        message: `node "${to.id}" (${to.type}) has no input "${connection.input}"; inputs: ${Object.keys(portShape(to.definition.inputs)).join(", ") || "(none)"}`,
      });
    }
    if (outputSchema !== undefined && inputSchema !== undefined && from !== undefined && to !== undefined) {
      const conflict = kindsConflict(outputSchema, inputSchema);
      if (conflict !== undefined) {
        issues.push({
          path,
          code: "port_type_mismatch",
          message: `output "${from.id}.${connection.output}" is ${conflict.output} but input "${to.id}.${connection.input}" expects ${conflict.input}`,
        });
      }
      feed(to, connection.input, `"${from.id}.${connection.output}"`, path);
      edges.push({ from: from.index, output: connection.output, to: to.index, input: connection.input });
    }
  });

  const inputs: Array<{ name: string; to: number; input: string }> = [];
  declaration.inputs.forEach((binding, position) => {
    const path = joinPath("inputs", position);
    const toIndex = byId.get(binding.to);
    if (toIndex === undefined) {
      issues.push({ path: joinPath(path, "to"), code: "unknown_node", message: `workflow input "${binding.name}" feeds unknown node "${binding.to}"` });
      return;
    }
    const to = toIndex < 0 ? undefined : nodes[toIndex];
    if (to === undefined) return;
    if (portShape(to.definition.inputs)[binding.input] === undefined) {
      issues.push({ path: joinPath(path, "input"), code: "unknown_input", message: `node "${to.id}" (${to.type}) has no input "${binding.input}"` });
      return;
    }
    inputs.push({ name: binding.name, to: to.index, input: binding.input });
    feed(to, binding.input, `workflow input "${binding.name}"`, path);
  });

  for (const node of nodes) {
    for (const [input, schema] of Object.entries(portShape(node.definition.inputs))) {
      if (!isOptionalPort(schema) && !fedBy.has(`${node.index}\u0000${input}`)) {
        issues.push({
          path: joinPath("nodes", node.id, "inputs", input),
          code: "unconnected_input",
          message: `required input "${node.id}.${input}" is not connected to any output or workflow input`,
        });
      }
    }
  }

  const outgoing: CompiledEdge[][] = nodes.map(() => []);
  const inDegree = nodes.map(() => 0);
  for (const edge of edges) {
    outgoing[edge.from]?.push(edge);
    inDegree[edge.to] = (inDegree[edge.to] ?? 0) + 1;
  }
  const order = topologicalOrder(nodes.length, outgoing, inDegree);
  if (order.length < nodes.length) {
    for (const cycle of findCycles(nodes.length, outgoing, new Set(order))) {
      const names = cycle.map((i) => nodes[i]?.id ?? String(i));
      issues.push({ path: "connections", code: "cycle", message: `cycle: ${[...names, names[0]].join(" -> ")}` });
    }
  }

  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, graph: { nodes, edges, outgoing, inDegree, order, inputs } };
}

/** Kahn's algorithm; nodes on a cycle are left out of the result. */
function topologicalOrder(count: number, outgoing: readonly (readonly CompiledEdge[])[], inDegree: readonly number[]): number[] {
  const remaining = inDegree.slice();
  const order: number[] = [];
  for (let i = 0; i < count; i++) if (remaining[i] === 0) order.push(i);
  for (let head = 0; head < order.length; head++) {
    for (const edge of outgoing[order[head] as number] ?? []) {
      const left = (remaining[edge.to] ?? 0) - 1;
      remaining[edge.to] = left;
      if (left === 0) order.push(edge.to);
    }
  }
  return order;
}

/** One cycle per strongly connected region left over by Kahn's algorithm (iterative DFS, capped). */
function findCycles(count: number, outgoing: readonly (readonly CompiledEdge[])[], acyclic: ReadonlySet<number>, limit = 10): number[][] {
  const state = new Uint8Array(count); // 0 new, 1 on stack, 2 done
  const cycles: number[][] = [];
  for (let start = 0; start < count && cycles.length < limit; start++) {
    if (acyclic.has(start) || state[start] !== 0) continue;
    const stack: Array<{ node: number; next: number }> = [{ node: start, next: 0 }];
    const onPath: number[] = [start];
    state[start] = 1;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { node: number; next: number };
      const edges = outgoing[frame.node] ?? [];
      if (frame.next >= edges.length) {
        state[frame.node] = 2;
        stack.pop();
        onPath.pop();
        continue;
      }
      const target = (edges[frame.next++] as CompiledEdge).to;
      if (acyclic.has(target)) continue;
      if (state[target] === 1) {
        if (cycles.length < limit) cycles.push(onPath.slice(onPath.indexOf(target)));
      } else if (state[target] === 0) {
        state[target] = 1;
        stack.push({ node: target, next: 0 });
        onPath.push(target);
      }
    }
  }
  return cycles;
}
