/**
 * A node attempt's output as its consumers get it: checked against the node's output ports, and
 * deep-frozen in a copy, so no consumer can change what another sees and the node's own objects are
 * never frozen under it.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import { isolatedCopy } from "../core/isolated-copy.js";
import { zodIssues } from "../core/validation.js";
import type { CompiledNode } from "./graph.js";

/** The isolated output; throws a {@link ValidationError} (never retried) when `output` is wrong. */
export function isolatedOutput(node: CompiledNode, output: unknown, validate: boolean): unknown {
  if (!validate) {
    // Even unvalidated, outputs are read port by port: anything but an object is a node bug.
    if (typeof output !== "object" || output === null) {
      throw ValidationError.of("output", `a node must return an object of output ports, got ${output === null ? "null" : typeof output}`, "invalid_output");
    }
    return isolatedCopy(output);
  }
  const parsed = node.outputs.safeParse(output);
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error, "output"));
  return isolatedCopy(parsed.data);
}
