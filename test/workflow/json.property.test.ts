import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValidationError } from "../../src/core/errors.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { sumPortNames, testRegistry } from "./fixtures.js";


const workflowArbitrary = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.record({
    name: fc.option(fc.string(), { nil: undefined }),
    weights: fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)) /* JSON has no -0 */, { minLength: n, maxLength: n }),
    producers: fc.tuple(
      ...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.nat({ max: i - 1 }), { maxLength: Math.min(3, i) }))),
    ),
    options: fc.array(
      fc.option(
        fc.record(
          {
            timeoutMs: fc.integer({ min: 1, max: 100_000 }),
            retry: fc.record({ attempts: fc.integer({ min: 1, max: 5 }), backoffMs: fc.integer({ min: 0, max: 1000 }) }, { requiredKeys: ["attempts"] }),
          },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      ),
      { minLength: n, maxLength: n },
    ),
    withInput: fc.boolean(),
  }),
);

type Spec = typeof workflowArbitrary extends fc.Arbitrary<infer T> ? T : never;

function build(spec: Spec) {
  const builder = WorkflowBuilder.untyped(testRegistry(), spec.name === undefined ? {} : { name: spec.name });
  spec.weights.forEach((w, i) => builder.addNode("Sum", `n${i}`, { weight: w }, spec.options[i]));
  spec.producers.forEach((ps, i) => ps.forEach((p, port) => builder.connect(`n${p}`, "value", `n${i}`, sumPortNames[port] ?? "p0")));
  if (spec.withInput) builder.input("start", "n0", "p3");
  return builder.build();
}

describe("Workflow JSON", () => {
  it("fromJSON(toJSON(w)) equals w for random valid workflows", () => {
    const registry = testRegistry();
    fc.assert(
      fc.property(workflowArbitrary, (spec) => {
        const workflow = build(spec);
        const json = workflow.toJSON();
        const back = WorkflowBuilder.fromJSON(JSON.parse(JSON.stringify(json)), registry);
        expect(back.toJSON()).toEqual(json);
        expect(back.nodes).toEqual(workflow.nodes);
        expect(back.connections).toEqual(workflow.connections);
        expect(back.inputs).toEqual(workflow.inputs);
        expect(back.name).toEqual(workflow.name);
      }),
      { numRuns: 200 },
    );
  });

  it("rejects random corruptions with a ValidationError, never a crash", () => {
    const registry = testRegistry();
    const corruption = fc.oneof(
      fc.anything(),
      fc.record({ path: fc.array(fc.oneof(fc.constantFrom("nodes", "connections", "inputs", "format", "config", "id", "type", "from", "to", "output", "input", "options", "weight", "retry", "attempts"), fc.nat({ max: 4 })), { minLength: 1, maxLength: 4 }), value: fc.anything() }),
    );
    fc.assert(
      fc.property(workflowArbitrary, corruption, (spec, damage) => {
        const json = JSON.parse(JSON.stringify(build(spec).toJSON())) as Record<string, unknown>;
        let input: unknown = json;
        if (typeof damage === "object" && damage !== null && "path" in damage && Array.isArray(damage.path)) {
          // Overwrite a (possibly absent) nested field.
          let cursor: unknown = json;
          const path = damage.path as Array<string | number>;
          for (let i = 0; i < path.length - 1 && typeof cursor === "object" && cursor !== null; i++) cursor = (cursor as Record<string | number, unknown>)[path[i] as string | number];
          if (typeof cursor === "object" && cursor !== null) (cursor as Record<string | number, unknown>)[path[path.length - 1] as string | number] = (damage as unknown as { value: unknown }).value;
        } else {
          input = damage;
        }
        try {
          WorkflowBuilder.fromJSON(input, registry);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });
});
