import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ManualClock } from "../../src/core/clock.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { ValidationError } from "../../src/core/errors.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { EXECUTION_LOG, sumPortNames, testRegistry } from "./fixtures.js";

/** A random DAG: node i may take inputs from nodes j < i (in a hidden topological order). */
interface RandomDag {
  readonly weights: number[];
  /** producers[i] = list of producer indices (at most 4, distinct). */
  readonly producers: number[][];
  /** Order in which nodes are added to the builder. */
  readonly insertion: number[];
}

const dagArbitrary = fc
  .integer({ min: 1, max: 30 })
  .chain((n) =>
    fc.record({
      weights: fc.array(fc.integer({ min: -100, max: 100 }), { minLength: n, maxLength: n }),
      producers: fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          i === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.integer({ min: 0, max: i - 1 }), { maxLength: Math.min(4, i) }),
        ),
      ),
      insertion: fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i),
        { minLength: n, maxLength: n },
      ),
    }),
  ) as fc.Arbitrary<RandomDag>;


function buildDag(dag: RandomDag, extraEdge?: [number, number]) {
  const builder = WorkflowBuilder.untyped(testRegistry());
  for (const i of dag.insertion) builder.addNode("Sum", `n${i}`, { weight: dag.weights[i] ?? 0 });
  dag.producers.forEach((producers, i) => {
    producers.forEach((p, port) => builder.connect(`n${p}`, "value", `n${i}`, sumPortNames[port] ?? "p0"));
  });
  if (extraEdge !== undefined) {
    const [from, to] = extraEdge;
    const used = dag.producers[to]?.length ?? 0;
    // Connect into a free port, or replace into p0 (which then doubles up, also an error but we only check for the cycle).
    builder.connect(`n${from}`, "value", `n${to}`, sumPortNames[Math.min(used, 3)] ?? "p3");
  }
  return builder.build();
}

function reference(dag: RandomDag): number[] {
  const values: number[] = [];
  dag.producers.forEach((producers, i) => {
    values[i] = (dag.weights[i] ?? 0) + producers.reduce((s, p) => s + (values[p] ?? 0), 0);
  });
  return values;
}

describe("LocalRuntime on random DAGs", () => {
  it("runs every node exactly once, strictly after its producers, with results equal to sequential evaluation", async () => {
    await fc.assert(
      fc.asyncProperty(dagArbitrary, fc.integer({ min: 1, max: 8 }), async (dag, concurrency) => {
        const infrastructure = new ServiceRegistry();
        const runtime = new LocalRuntime({ clock: new ManualClock(), infrastructure, concurrency });
        const run = await runtime.execute(buildDag(dag));
        const log = infrastructure.get(EXECUTION_LOG);
        expect([...log].sort()).toEqual(dag.weights.map((_, i) => `n${i}`).sort());
        const position = new Map(log.map((id, k) => [id, k]));
        dag.producers.forEach((producers, i) => {
          for (const p of producers) expect(position.get(`n${p}`) ?? -1).toBeLessThan(position.get(`n${i}`) ?? -1);
        });
        const expected = reference(dag);
        expected.forEach((value, i) => {
          const result = run.results[`n${i}`];
          expect(result?.status === "completed" ? result.output : undefined).toEqual({ value });
        });
      }),
      { numRuns: 150 },
    );
  });

  it("rejects any graph with a cycle and names the cycle", () => {
    fc.assert(
      fc.property(
        dagArbitrary.filter((d) => d.producers.some((p) => p.length > 0)),
        fc.nat(),
        (dag, pick) => {
          // Reverse an existing edge's direction by adding producer -> ... -> consumer -> producer.
          const consumers = dag.producers.map((p, i) => [i, p] as const).filter(([, p]) => p.length > 0);
          const [consumer, producers] = consumers[pick % consumers.length] as readonly [number, number[]];
          const producer = producers[pick % producers.length] as number;
          try {
            buildDag(dag, [consumer, producer]);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            const cycle = (error as ValidationError).issues.find((i) => i.code === "cycle");
            expect(cycle?.message).toContain(`n${consumer}`);
            expect(cycle?.message).toContain(`n${producer}`);
            return;
          }
          throw new Error("a cyclic graph was accepted");
        },
      ),
      { numRuns: 150 },
    );
  });
});
