import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { z } from "zod";
import { NOT_PARSED } from "../../src/workflow/compiled-schema.js";
import { parsedInputAssembler } from "../../src/workflow/input-parse.js";

// Port schemas of every kind the generated parser meets or must refuse: plain, with checks, defaults,
// transforms, refinements, exact optionals, nested objects, and types that accept `undefined`.
// Each with a value it accepts, so that many cases get past the ports' checks.
const bases: ReadonlyArray<readonly [() => z.ZodType, () => unknown]> = [
  [() => z.number(), () => 3],
  [() => z.number().int().min(0), () => 3],
  [() => z.string(), () => "zz"],
  [() => z.string().min(2), () => "zz"],
  [() => z.boolean(), () => true],
  [() => z.null(), () => null],
  [() => z.undefined(), () => undefined],
  [() => z.unknown(), () => ({ y: [1] })],
  [() => z.any(), () => "any"],
  [() => z.literal(3), () => 3],
  [() => z.enum(["x", "y"]), () => "x"],
  [() => z.array(z.number()), () => [1, 2]],
  [() => z.object({ x: z.number() }), () => ({ x: 1, y: 2 })],
  [() => z.union([z.number(), z.string()]), () => "u"],
  [() => z.number().transform((x) => x * 2), () => 3],
  [() => z.number().refine((x) => x !== 7), () => 3],
];

const wrappers: ReadonlyArray<(schema: z.ZodType) => z.ZodType> = [
  (s) => s,
  (s) => s.optional(),
  (s) => s.nullable(),
  (s) => s.optional().nullable(),
  (s) => s.nullable().optional(),
  (s) => s.optional().optional(),
  (s) => s.default(3 as never),
  (s) => (s as z.ZodNumber).exactOptional(),
  (s) => s.optional().refine(() => true),
];

const objects: ReadonlyArray<(shape: Record<string, z.ZodType>) => z.ZodType> = [
  (shape) => z.object(shape),
  (shape) => z.object(shape),
  (shape) => z.object(shape),
  (shape) => z.strictObject(shape),
  (shape) => z.looseObject(shape),
  (shape) => z.object(shape).refine(() => true),
];

const names = ["a", "b", "c", "d", "toString", "value"] as const;

const value = fc.oneof(
  fc.double(),
  fc.integer({ min: -3, max: 10 }),
  fc.constantFrom(3, 7, "x", "y", "", "zz", true, false, null, undefined, Number.NaN, Number.POSITIVE_INFINITY),
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
  fc.record({ x: fc.oneof(fc.integer(), fc.string()) }),
  fc.string(),
);

const caseArbitrary = fc
  .record({
    ports: fc.uniqueArray(fc.record({ name: fc.constantFrom(...names), base: fc.nat({ max: bases.length - 1 }), wrap: fc.nat({ max: wrappers.length - 1 }) }), {
      minLength: 1,
      maxLength: 5,
      selector: (port) => port.name,
    }),
    object: fc.nat({ max: objects.length - 1 }),
    // Now and then an input that is not a port, or one fed twice: refused, as the builder does.
    extra: fc.constantFrom(undefined, undefined, undefined, undefined, "extra", "a"),
  })
  .chain((spec) =>
    fc.record({
      spec: fc.constant(spec),
      wired: fc.shuffledSubarray([...spec.ports.map((port) => port.name), ...(spec.extra === undefined ? [] : [spec.extra])]),
      values: fc.array(fc.record({ valid: fc.nat({ max: 4 }).map((x) => x !== 0), other: value }), { minLength: 6, maxLength: 6 }),
    }),
  );

type Case = typeof caseArbitrary extends fc.Arbitrary<infer T> ? T : never;

function schemaOf(spec: Case["spec"]): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const port of spec.ports) shape[port.name] = (wrappers[port.wrap] ?? ((s) => s))((bases[port.base]?.[0] ?? (() => z.number()))());
  return (objects[spec.object] ?? ((s) => z.object(s)))(shape);
}

/** What producer k sends: a value its port accepts, or anything. */
function valuesOf({ spec, wired, values }: Case): unknown[] {
  return wired.map((input, k) => {
    const { valid, other } = values[k] ?? { valid: false, other: undefined };
    const base = spec.ports.find((port) => port.name === input)?.base;
    const sample = base === undefined ? undefined : bases[base]?.[1];
    return valid && sample !== undefined ? sample() : other;
  });
}

/** The inputs as the runtime would assemble them: producer k's port `out` feeds input `wired[k]`. */
function rawInputs(wired: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  wired.forEach((input, k) => {
    raw[input] = values[k];
  });
  return raw;
}

function zodParse(schema: z.ZodType, raw: unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: schema.parse(raw) };
  } catch {
    return { ok: false };
  }
}

describe("parsedInputAssembler", () => {
  it("gives what zod's object parse gives, keys in the same order, or leaves the decision to it", () => {
    let parsedHere = 0;
    fc.assert(
      fc.property(caseArbitrary, (testCase) => {
        const { spec, wired } = testCase;
        const values = valuesOf(testCase);
        const schema = schemaOf(spec);
        const assemble = parsedInputAssembler(schema, wired, wired.map(() => "out"));
        if (assemble === undefined) return;
        // Producers at 1, 3, 5, ... of the run's outputs, so that `from` and `first` are exercised.
        const outputs = wired.flatMap((_, k) => [{ out: "decoy" }, { out: values[k] }]);
        const from = Int32Array.from([0, ...wired.map((_, k) => 2 * k + 1)]);
        const got = assemble(outputs, from, 1);
        if (got === NOT_PARSED) return;
        parsedHere++;
        const expected = zodParse(schema, rawInputs(wired, values));
        expect(expected.ok).toBe(true);
        if (!expected.ok) return;
        expect(Object.keys(got as object)).toEqual(Object.keys(expected.value as object));
        expect(got).toStrictEqual(expected.value);
        expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: a good share of the cases are parsed here rather than left to zod.
    expect(parsedHere).toBeGreaterThan(300);
  });

  it("parses every valid input of an object of optional ports, the runtime benchmark's nodes among them", () => {
    const schema = z.object({ a: z.number().optional(), b: z.number().optional(), c: z.number().optional(), d: z.number().optional() });
    fc.assert(
      fc.property(fc.subarray(["a", "b", "c", "d"]), fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 4, maxLength: 4 }), (wired, values) => {
        const assemble = parsedInputAssembler(schema, wired, wired.map(() => "value"));
        const got = assemble?.(values.map((v) => ({ value: v })), Int32Array.from([0, 1, 2, 3]), 0);
        expect(got).toStrictEqual(schema.parse(rawInputs(wired, values)));
      }),
    );
  });

  it("refuses schemas whose parse it does not reproduce", () => {
    const ports = { a: z.number().optional(), b: z.number().default(1) };
    expect(parsedInputAssembler(z.strictObject(ports), ["a", "b"], ["v", "v"])).toBeUndefined();
    expect(parsedInputAssembler(z.looseObject(ports), ["a", "b"], ["v", "v"])).toBeUndefined();
    expect(parsedInputAssembler(z.object(ports).refine(() => true), ["a", "b"], ["v", "v"])).toBeUndefined();
    // A default fills an unfed port: left to zod.
    expect(parsedInputAssembler(z.object(ports), ["a"], ["v"])).toBeUndefined();
    expect(parsedInputAssembler(z.object(ports), ["b"], ["v"])).toBeDefined();
    // Not ports of the schema, or fed twice: the builder rejects these, and so does this.
    expect(parsedInputAssembler(z.object(ports), ["a", "z"], ["v", "v"])).toBeUndefined();
    expect(parsedInputAssembler(z.object(ports), ["a", "a"], ["v", "v"])).toBeUndefined();
    expect(parsedInputAssembler(z.number(), [], [])).toBeUndefined();
  });

  it("shares one generated parser between nodes with the same schema wired alike", () => {
    const schema = z.object({ a: z.number().optional(), b: z.number().optional() });
    expect(parsedInputAssembler(schema, ["a"], ["value"])).toBe(parsedInputAssembler(schema, ["a"], ["value"]));
    expect(parsedInputAssembler(schema, ["a"], ["value"])).not.toBe(parsedInputAssembler(schema, ["b"], ["value"]));
  });

  it("keeps hostile port names as plain keys", () => {
    const hostile = ['a"; throw 1; "', "b\\", "c`${process.exit()}`", "constructor"];
    const schema = z.object(Object.fromEntries(hostile.map((name) => [name, z.number()])));
    const assemble = parsedInputAssembler(schema, hostile, hostile);
    const output = Object.fromEntries(hostile.map((name, k) => [name, k]));
    expect(assemble?.([output], Int32Array.from([0, 0, 0, 0]), 0)).toStrictEqual(schema.parse(output));
  });

  it("leaves an unfed port to zod while something of that name is inherited, as zod reads it through", () => {
    const schema = z.object({ a: z.number().optional(), b: z.number().optional() });
    const assemble = parsedInputAssembler(schema, ["a"], ["value"]);
    const proto = Object.prototype as Record<string, unknown>;
    proto["b"] = 5;
    try {
      expect(assemble?.([{ value: 1 }], Int32Array.from([0]), 0)).toBe(NOT_PARSED);
      expect(schema.parse({ a: 1 })).toEqual({ a: 1, b: 5 });
    } finally {
      delete proto["b"];
    }
    expect(assemble?.([{ value: 1 }], Int32Array.from([0]), 0)).toStrictEqual({ a: 1 });
  });
});
