/**
 * What the runtime derives once per compiled graph, so that running a node costs no lookups by id,
 * no per-edge objects and no per-run bookkeeping arrays beyond flat typed ones.
 *
 * @module
 */
import type { z } from "zod";
import { compiledSchema, fastParse, type FastParse } from "./compiled-schema.js";
import type { CompiledGraph } from "./graph.js";
import { inputAssembler, type InputAssembler } from "./input-assembly.js";
import { parsedInputAssembler, type ParsedInputAssembler } from "./input-parse.js";
import { OutputShape, outputShapeOf } from "./node-output.js";
import { flatOutputCopy, type FlatCopy } from "./output-copy.js";

/** A graph's edges as flat arrays: per node, its incoming and outgoing edges are contiguous slices. */
export interface RunPlan {
  readonly nodeCount: number;
  /** Node ids by index, and back. */
  readonly ids: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
  /** Nodes with no incoming edge, in index order. */
  readonly sources: Int32Array;
  /** Incoming edges of node `i` are `inStart[i]` up to `inStart[i + 1]`. */
  readonly inStart: Int32Array;
  readonly inFrom: Int32Array;
  readonly inOutput: readonly string[];
  readonly inInput: readonly string[];
  /** Outgoing edges of node `i` (their target nodes) are `outStart[i]` up to `outStart[i + 1]`. */
  readonly outStart: Int32Array;
  readonly outTo: Int32Array;
  readonly inDegree: Int32Array;
  /** Per node: whether the node has a timeout or retries, and so needs the guarded attempt loop. */
  readonly guarded: Uint8Array;
  /** Per node: its input and output schemas, compiled. */
  readonly inputSchemas: readonly z.ZodType[];
  readonly outputSchemas: readonly z.ZodType[];
  /** Per node: the generated parsers of its inputs and output (see `fastParse`). */
  readonly inputParsers: readonly FastParse[];
  readonly outputParsers: readonly FastParse[];
  /** Per node: what parsing its output hands back (see `outputShapeOf`). */
  readonly outputShapes: readonly OutputShape[];
  /** Per node with a flat output schema: the generated copy of its unvalidated outputs, when there is one. */
  readonly outputCopies: ReadonlyArray<FlatCopy | undefined>;
  /** Per node fed only by edges: the generated builder of its inputs, when there is one. */
  readonly assemblers: ReadonlyArray<InputAssembler | undefined>;
  /** Per node fed only by edges: the generated builder of its parsed inputs, when there is one. */
  readonly parsedAssemblers: ReadonlyArray<ParsedInputAssembler | undefined>;
}

// A workflow is immutable once built, and one workflow is typically run many times.
const plans = new WeakMap<CompiledGraph, RunPlan>();

/** The plan of `graph`, computed on first use. */
export function runPlanOf(graph: CompiledGraph): RunPlan {
  let plan = plans.get(graph);
  if (plan === undefined) {
    plan = compilePlan(graph);
    plans.set(graph, plan);
  }
  return plan;
}

function compilePlan(graph: CompiledGraph): RunPlan {
  const count = graph.nodes.length;
  const inDegree = new Int32Array(count);
  const outStart = new Int32Array(count + 1);
  for (const edge of graph.edges) {
    inDegree[edge.to] = (inDegree[edge.to] ?? 0) + 1;
    outStart[edge.from + 1] = (outStart[edge.from + 1] ?? 0) + 1;
  }
  const inStart = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) {
    inStart[i + 1] = (inStart[i] ?? 0) + (inDegree[i] ?? 0);
    outStart[i + 1] = (outStart[i] ?? 0) + (outStart[i + 1] ?? 0);
  }
  const edgeCount = graph.edges.length;
  const inFrom = new Int32Array(edgeCount);
  const inOutput = new Array<string>(edgeCount);
  const inInput = new Array<string>(edgeCount);
  const outTo = new Int32Array(edgeCount);
  const inFill = inStart.slice(0, count);
  const outFill = outStart.slice(0, count);
  // Edges in declaration order, so a node's inputs are assembled in the order they were connected.
  for (const edge of graph.edges) {
    const at = inFill[edge.to] ?? 0;
    inFill[edge.to] = at + 1;
    inFrom[at] = edge.from;
    inOutput[at] = edge.output;
    inInput[at] = edge.input;
    const out = outFill[edge.from] ?? 0;
    outFill[edge.from] = out + 1;
    outTo[out] = edge.to;
  }
  const sources: number[] = [];
  const guarded = new Uint8Array(count);
  graph.nodes.forEach((node, i) => {
    if (inDegree[i] === 0) sources.push(i);
    if (node.timeoutMs !== undefined || node.retry !== undefined) guarded[i] = 1;
  });
  const inputSchemas = graph.nodes.map((node) => compiledSchema(node.definition.inputs));
  const outputSchemas = graph.nodes.map((node) => compiledSchema(node.outputs));
  const inputParsers = graph.nodes.map((node) => fastParse(node.definition.inputs));
  const outputParsers = graph.nodes.map((node) => fastParse(node.outputs));
  const outputShapes = graph.nodes.map((node) => outputShapeOf(node.outputs));
  const outputCopies = graph.nodes.map((node, i) => (outputShapes[i] === OutputShape.Flat ? flatOutputCopy(node.outputs) : undefined));
  const bound = new Set(graph.inputs.map((binding) => binding.to));
  const wiring = (i: number): [readonly string[], readonly string[]] | undefined => {
    if (bound.has(i)) return undefined;
    const first = inStart[i] ?? 0;
    const end = inStart[i + 1] ?? 0;
    return [inInput.slice(first, end), inOutput.slice(first, end)];
  };
  const assemblers = graph.nodes.map((_, i) => {
    const wired = wiring(i);
    return wired === undefined ? undefined : inputAssembler(...wired);
  });
  const parsedAssemblers = graph.nodes.map((node, i) => {
    const wired = wiring(i);
    return wired === undefined ? undefined : parsedInputAssembler(node.definition.inputs, ...wired);
  });
  const ids = graph.nodes.map((node) => node.id);
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  return { nodeCount: count, ids, indexOf, sources: Int32Array.from(sources), inStart, inFrom, inOutput, inInput, outStart, outTo, inDegree, guarded, inputSchemas, outputSchemas, inputParsers, outputParsers, outputShapes, outputCopies, assemblers, parsedAssemblers };
}
