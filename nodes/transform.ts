/**
 * `Transform`: applies a pure function to its input. The function lives in code, so a workflow using
 * Transform can be run and drawn but not written as JSON (`toJSON` says which node holds the function).
 */
import { z } from "zod";
import { defineNode } from "../src/workflow/node.js";

export type TransformFunction = (value: unknown) => unknown;

export const Transform = defineNode({
  type: "Transform",
  description: "Applies a pure function to its input value and outputs the result.",
  config: z.object({
    fn: z.custom<TransformFunction>((value) => typeof value === "function", { message: "fn must be a function" }),
  }),
  inputs: z.object({ value: z.unknown() }),
  outputs: z.object({ value: z.unknown() }),
  run: async (_ctx, config, inputs) => ({ value: await config.fn(inputs.value) }),
});
