/**
 * A node's inputs as its `run` receives them: the workflow inputs bound to it, then its producers'
 * outputs port by port, validated against its input schema when the runtime validates.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import { zodIssues } from "../core/validation.js";
import { z } from "zod";
import { NOT_PARSED, type FastParse } from "./compiled-schema.js";
import type { CompiledGraph, CompiledNode } from "./graph.js";
import type { RunPlan } from "./run-plan.js";
import type { RunState } from "./run-state.js";

/** Workflow input values per node they feed, taken once when a run starts. */
export function boundInputs(graph: CompiledGraph, inputs: Readonly<Record<string, unknown>> | undefined): Array<Record<string, unknown> | undefined> {
  const bound = new Array<Record<string, unknown> | undefined>(graph.nodes.length);
  for (const binding of graph.inputs) {
    const target = (bound[binding.to] ??= {});
    target[binding.input] = inputs?.[binding.name];
  }
  return bound;
}

/** The raw inputs of node `index`: workflow inputs, then its producers' outputs port by port. */
export function assembleInputs(run: RunState, index: number): Record<string, unknown> {
  const plan = run.plan;
  const assemble = plan.assemblers[index];
  if (assemble !== undefined) return assemble(run.outcome, plan.inFrom, plan.inStart[index] ?? 0);
  const bound = run.bound[index];
  const inputs: Record<string, unknown> = bound === undefined ? {} : bound;
  const end = plan.inStart[index + 1] ?? 0;
  for (let e = plan.inStart[index] ?? 0; e < end; e++) {
    const output = run.outcome[plan.inFrom[e] ?? 0] as Record<string, unknown>;
    inputs[plan.inInput[e] as string] = output[plan.inOutput[e] as string];
  }
  return inputs;
}

/**
 * The inputs of node `node` as its `run` receives them, parsed (see {@link parseInputs}): built and
 * parsed in one step where the plan has a generated assembler for it, and otherwise, or when that
 * one leaves the decision to the schema, assembled and then parsed.
 */
export function validInputs(run: RunState, node: CompiledNode): unknown {
  const plan = run.plan;
  const index = node.index;
  const assemble = plan.parsedAssemblers[index];
  if (assemble !== undefined) {
    const parsed = assemble(run.outcome, plan.inFrom, plan.inStart[index] ?? 0);
    if (parsed !== NOT_PARSED) return parsed;
  }
  return parseInputs(plan, node, assembleInputs(run, index));
}

/**
 * `inputs` parsed by node `node`'s input schema; throws a {@link ValidationError} naming the inputs'
 * fields when they are wrong, and whatever else parsing threw as it was.
 */
export function parseInputs(plan: RunPlan, node: CompiledNode, inputs: unknown): unknown {
  const index = node.index;
  try {
    // `parse` rather than `safeParse`: on the common, valid path it allocates no result wrapper.
    const parsed = (plan.inputParsers[index] as FastParse)(inputs);
    return parsed === NOT_PARSED ? (plan.inputSchemas[index] ?? node.definition.inputs).parse(inputs) : parsed;
  } catch (error) {
    throw error instanceof z.core.$ZodError ? new ValidationError(zodIssues(error as z.ZodError, "inputs")) : error;
  }
}
