/**
 * A single read/write/compare-and-set register, the model of Jepsen's etcd histories.
 *
 * @module
 */
import type { Model } from "./types.js";

/** A register value; `null` means "never written". */
export type RegisterValue = string | number;

export type RegisterInput =
  | { readonly kind: "read" }
  | { readonly kind: "write"; readonly value: RegisterValue }
  | { readonly kind: "cas"; readonly expected: RegisterValue | null; readonly value: RegisterValue };

/** `read` answers `value` (`null` when unset); `cas` answers `ok`; `write` answers nothing. */
export interface RegisterOutput {
  readonly value?: RegisterValue | null;
  readonly ok?: boolean;
}

/**
 * The register model: state is the current value (`null` before any write).
 *
 * @example
 * ```ts
 * checkLinearizable(history, registerModel());
 * ```
 */
export function registerModel(): Model<RegisterValue | null, RegisterInput, RegisterOutput> {
  return {
    init: () => null,
    step(state, input, output) {
      switch (input.kind) {
        case "read":
          return [output === undefined || (output.value ?? null) === state, state];
        case "write":
          return [true, input.value];
        case "cas": {
          const matches = state === input.expected;
          const legal = output === undefined || output.ok === undefined || output.ok === matches;
          return [legal, matches ? input.value : state];
        }
      }
    },
    // Integers hash to themselves (no string built per step); the cache's equality test settles collisions.
    hash: (state) => (state === null ? "\u0000" : typeof state === "number" && Number.isInteger(state) ? state : `${typeof state}:${state}`),
    equal: (a, b) => a === b,
    describe(input, output) {
      const result = output === undefined ? "?" : input.kind === "read" ? String(output.value ?? null) : input.kind === "cas" ? String(output.ok) : "ok";
      switch (input.kind) {
        case "read":
          return `read() -> ${result}`;
        case "write":
          return `write(${String(input.value)}) -> ${result}`;
        case "cas":
          return `cas(${String(input.expected)}, ${String(input.value)}) -> ${result}`;
      }
    },
  };
}
