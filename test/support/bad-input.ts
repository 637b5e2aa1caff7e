/**
 * Table-driven checks of bad input: each case calls one public method with something wrong and must
 * get a `ValidationError` naming the field, with the engine's observable state untouched.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { simRuns, simSeed } from "./sim.js";

/** One bad call: `path` is the issue path the error must name. */
export interface BadCall {
  readonly name: string;
  readonly call: () => unknown;
  readonly path: string;
}

/** Values that must never pass for a number. */
export const NOT_NUMBERS: readonly unknown[] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "5", null, undefined, {}, [1]];

/** Values that must never pass for an id. */
export const NOT_IDS: readonly unknown[] = ["", "   ", 5, null, undefined, {}, "x".repeat(10_000)];

/** One case per bad value, for a method taking one value at `path`. */
export function casesFor(method: string, path: string, values: readonly unknown[], call: (value: never) => unknown): BadCall[] {
  return values.map((value) => ({ name: `${method}(${describe(value)})`, path, call: () => call(value as never) }));
}

function describe(value: unknown): string {
  if (typeof value === "string") return value.length > 12 ? `"${value.slice(0, 12)}..." (${value.length})` : JSON.stringify(value);
  if (typeof value === "number") return String(value);
  if (value === undefined) return "undefined";
  return JSON.stringify(value) ?? typeof value;
}

/** The issue paths of the `ValidationError` thrown (synchronously or not) by `call`; fails otherwise. */
export async function validationPaths(call: () => unknown): Promise<string[]> {
  let thrown: unknown;
  try {
    await call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected a ValidationError").toBeInstanceOf(ValidationError);
  return (thrown as ValidationError).issues.map((i) => i.path);
}

/**
 * Runs every case: a `ValidationError` one of whose issues is at `path` (or below it), and
 * `snapshot()` deep-equal before and after.
 */
export async function expectRejectedUnchanged(cases: readonly BadCall[], snapshot: () => unknown): Promise<void> {
  for (const c of cases) {
    const before: unknown = await snapshot();
    const paths = await validationPaths(c.call).catch((error: unknown) => {
      throw new Error(`${c.name}: ${String(error)}`);
    });
    expect(
      paths.some((p) => p === c.path || p.startsWith(`${c.path}.`) || p.startsWith(`${c.path}[`)),
      `${c.name}: issue paths ${JSON.stringify(paths)} should name ${c.path}`,
    ).toBe(true);
    expect(await snapshot(), `${c.name}: state changed`).toEqual(before);
  }
}

/** fast-check parameters: seeded from `SIM_SEED`, runs from `SIM_RUNS` (quick default). */
export function propertyParams(quickRuns: number): fc.Parameters<unknown> {
  const seed = process.env["SIM_SEED"] === undefined ? undefined : simSeed();
  return seed === undefined ? { numRuns: simRuns(quickRuns) } : { numRuns: simRuns(quickRuns), seed };
}

/**
 * The property every engine holds: running a sequence of valid and invalid calls leaves the same
 * state as running the valid calls alone. `make` builds a fresh engine; each op either succeeds or
 * must throw a `ValidationError`; invalid ops are flagged so the second run skips them.
 */
export async function checkInvalidCallsAreNoOps<E, Op extends { readonly valid: boolean }>(options: {
  readonly ops: fc.Arbitrary<Op[]>;
  readonly make: () => E;
  readonly apply: (engine: E, op: Op) => unknown;
  readonly snapshot: (engine: E) => unknown;
  readonly runs?: number;
}): Promise<void> {
  await fc.assert(
    fc.asyncProperty(options.ops, async (ops) => {
      const mixed = options.make();
      const clean = options.make();
      for (const op of ops) {
        if (op.valid) {
          await settle(() => options.apply(mixed, op));
          await settle(() => options.apply(clean, op));
        } else {
          await validationPaths(() => options.apply(mixed, op));
        }
      }
      expect(await options.snapshot(mixed)).toEqual(await options.snapshot(clean));
    }),
    propertyParams(options.runs ?? 60) as fc.Parameters<[Op[]]>,
  );
}

/** Runs a valid call; a domain error (conflict, not found) is a legitimate outcome, a ValidationError is not. */
async function settle(call: () => unknown): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (error instanceof ValidationError) throw error;
  }
}
