/**
 * `Merge`: combines up to eight inputs (`a` … `h`, all optional) into one value. Chain Merges for more.
 */
import { z } from "zod";
import { defineNode } from "../src/workflow/node.js";

const ports = ["a", "b", "c", "d", "e", "f", "g", "h"] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const existing = out[key];
    out[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }
  return out;
}

export const Merge = defineNode({
  type: "Merge",
  description: "Combines its connected inputs a…h: as an object keyed by port, an array in port order, or a deep merge of objects (later ports win).",
  config: z.object({ mode: z.enum(["object", "array", "deep"]).default("object") }).strict(),
  inputs: z.object({
    a: z.unknown().optional(),
    b: z.unknown().optional(),
    c: z.unknown().optional(),
    d: z.unknown().optional(),
    e: z.unknown().optional(),
    f: z.unknown().optional(),
    g: z.unknown().optional(),
    h: z.unknown().optional(),
  }),
  outputs: z.object({ value: z.unknown() }),
  run: async (_ctx, config, inputs) => {
    const present = ports.filter((port) => inputs[port] !== undefined);
    switch (config.mode) {
      case "array":
        return { value: present.map((port) => inputs[port]) };
      case "deep":
        return {
          value: present.reduce<Record<string, unknown>>((acc, port) => {
            const value = inputs[port];
            if (!isPlainObject(value)) throw new TypeError(`input "${port}" must be an object to deep-merge, got ${Array.isArray(value) ? "array" : typeof value}`);
            return deepMerge(acc, value);
          }, {}),
        };
      case "object":
        return { value: Object.fromEntries(present.map((port) => [port, inputs[port]])) };
    }
  },
});
