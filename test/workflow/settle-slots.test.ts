import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { SettleSlots } from "../../src/workflow/settle-slots.js";

interface Deferred {
  readonly promise: Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve: (value: unknown) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = (): Promise<void> => new Promise((done) => setImmediate(done));

describe("SettleSlots", () => {
  it("reports each node once, with its own value and outcome, whatever order the promises settle in", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ wave: fc.nat(3), threw: fc.boolean() }), { minLength: 1, maxLength: 40 }),
        async (nodes) => {
          const seen: Array<[number, boolean, unknown]> = [];
          const slots = new SettleSlots((index, threw, value) => seen.push([index, threw, value]));
          // Each wave registers its nodes, then settles the wave's nodes in reverse, so slots freed by
          // one wave are taken by the next.
          for (let wave = 0; wave <= 3; wave++) {
            const members = nodes.flatMap((node, index) => (node.wave === wave ? [index] : []));
            const pending = members.map((index) => {
              const d = deferred();
              slots.await(d.promise, index);
              return { index, d };
            });
            for (const { index, d } of pending.reverse()) {
              if (nodes[index]?.threw === true) d.reject(`error ${index}`);
              else d.resolve(`value ${index}`);
            }
            await flush();
          }
          const expected = nodes.map((node, index): [number, boolean, unknown] => [index, node.threw, `${node.threw ? "error" : "value"} ${index}`]);
          expect([...seen].sort((a, b) => a[0] - b[0])).toEqual(expected);
          const widest = Math.max(...[0, 1, 2, 3].map((wave) => nodes.filter((node) => node.wave === wave).length));
          expect(slots.pairs).toBe(widest);
        },
      ),
      { seed: 20261203, numRuns: 200 },
    );
  });

  it("lets a callback take the slot it was called from for the next node", async () => {
    const seen: number[] = [];
    const second = deferred();
    const slots = new SettleSlots((index) => {
      seen.push(index);
      if (index === 0) slots.await(second.promise, 1);
    });
    slots.await(Promise.resolve("first"), 0);
    await flush();
    second.resolve("second");
    await flush();
    expect(seen).toEqual([0, 1]);
    expect(slots.pairs).toBe(1);
  });
});

/** A promise whose own `then` calls back twice, first with the promise's value, then with another. */
class Stutter<T> extends Promise<T> {
  override then<A = T, B = never>(onValue?: ((value: T) => A | PromiseLike<A>) | null, onError?: ((error: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return super.then((value) => {
      onValue?.(value);
      return onValue?.({ value: -1 } as T) as A;
    }, onError);
  }
}

const Stuttering = defineNode({
  type: "Stuttering",
  description: "Returns a promise that reports its output twice.",
  config: z.object({}),
  inputs: z.object({ value: z.number().optional() }),
  outputs: z.object({ value: z.number() }),
  run: ((_ctx: unknown, _config: unknown, inputs: { value?: number }) => new Stutter((done) => done({ value: (inputs.value ?? 0) + 1 }))) as never,
});

const Delayed = defineNode({
  type: "Delayed",
  description: "Adds one after a few turns of the event loop.",
  config: z.object({ turns: z.number().int().min(0) }),
  inputs: z.object({ value: z.number().optional() }),
  outputs: z.object({ value: z.number() }),
  run: async (_ctx, config, inputs) => {
    for (let i = 0; i < config.turns; i++) await flush();
    return { value: (inputs.value ?? 0) + 1 };
  },
});

describe("LocalRuntime with shared settle callbacks", () => {
  it("routes every output to its own node when nodes finish out of order and slots are reused", async () => {
    const registry = new NodeRegistry().register(Delayed);
    const width = 60;
    // Seeded turns per node, so the nodes finish in an order unlike the one they started in.
    const turns = Array.from({ length: width }, (_, i) => (i * 7919) % 5);
    const builder = WorkflowBuilder.untyped(registry).addNode("Delayed", "source", { turns: 0 });
    for (let i = 0; i < width; i++) builder.addNode("Delayed", `w${i}`, { turns: turns[i] ?? 0 }).connect("source", "value", `w${i}`, "value");
    for (let i = 0; i < width; i++) builder.addNode("Delayed", `x${i}`, { turns: turns[width - 1 - i] ?? 0 }).connect(`w${i}`, "value", `x${i}`, "value");
    const workflow = builder.build();
    for (const concurrency of [1, 7, Number.POSITIVE_INFINITY]) {
      const run = await new LocalRuntime({ concurrency }).execute(workflow);
      expect(run.status).toBe("completed");
      for (let i = 0; i < width; i++) {
        const result = run.results[`x${i}`];
        expect(result?.status === "completed" ? result.output : undefined).toEqual({ value: 3 });
      }
    }
  });

  it("takes the first output of a promise whose own then calls back twice, and leaves the next node alone", async () => {
    const registry = new NodeRegistry().register(Stuttering).register(Delayed);
    // Alone in flight, the first node is retired inside its first callback and its consumer started
    // before the second callback arrives; beside a slower node, it is retired on a later pass.
    const alone = new WorkflowBuilder(registry).addNode("Stuttering", "s", {}).addNode("Stuttering", "t", {}).connect("s", "value", "t", "value").build();
    const beside = new WorkflowBuilder(registry)
      .addNode("Stuttering", "s", {})
      .addNode("Delayed", "d", { turns: 2 })
      .addNode("Stuttering", "t", {})
      .connect("s", "value", "t", "value")
      .build();
    const first = await new LocalRuntime().execute(alone);
    expect((["s", "t"] as const).map((id) => first.results[id])).toMatchObject([{ output: { value: 1 } }, { output: { value: 2 } }]);
    const second = await new LocalRuntime().execute(beside);
    expect((["s", "d", "t"] as const).map((id) => second.results[id])).toMatchObject([{ output: { value: 1 } }, { output: { value: 1 } }, { output: { value: 2 } }]);
  });
});
