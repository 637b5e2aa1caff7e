import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { createNodeRegistry } from "../../nodes/index.js";
import { EdgeStateMachine } from "../../nodes/edge-state-machine.js";
import { PartitionDetection } from "../../nodes/partition-detection.js";
import type { PlacementDecision } from "../../src/placement/types.js";
import type { EdgeRecord } from "../../src/infra/types.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { runOperation } from "../../src/workflow/run-node.js";
import type { ResultsOf } from "../../src/workflow/runtime.js";
import type { NodeResult } from "../../src/workflow/types.js";

const Counter = defineNode({
  type: "Counter",
  description: "Counts words or characters.",
  inputs: z.object({ text: z.string() }),
  operations: {
    words: {
      config: z.object({}),
      outputs: z.object({ words: z.number() }),
      run: async (_ctx, config, { text }) => {
        expectTypeOf(config.operation).toEqualTypeOf<"words">();
        return { words: text.split(/\s+/).length };
      },
    },
    chars: {
      config: z.object({ trim: z.boolean().default(false) }),
      outputs: z.object({ chars: z.number(), trimmed: z.boolean() }),
      run: async (_ctx, { trim }, { text }) => {
        expectTypeOf(trim).toEqualTypeOf<boolean>();
        return { chars: (trim ? text.trim() : text).length, trimmed: trim };
      },
    },
  },
});

describe("per-operation node types", () => {
  it("types each operation's run by its own config and outputs", () => {
    // @ts-expect-error "one" returns a string where its outputs say number
    defineNode({
      type: "Wrong",
      description: "returns the wrong output",
      inputs: z.object({}),
      operations: {
        one: { config: z.object({ n: z.number() }), outputs: z.object({ total: z.number() }), run: async (_ctx, config) => ({ total: String(config.n) }) },
      },
    });
  });

  it("records the chosen operation in the builder, so connect and results know its outputs", () => {
    const registry = new NodeRegistry().register(Counter);
    const builder = new WorkflowBuilder(registry).addNode("Counter", "w", { operation: "words" }).addNode("Counter", "c", { operation: "chars", trim: true });
    // @ts-expect-error "words" has no output "chars"
    builder.connect("w", "chars", "c", "text");
    // @ts-expect-error a number output cannot feed a string input
    builder.connect("w", "words", "c", "text");
    const _build = () => builder.build();
    type Results = ResultsOf<ReturnType<typeof _build>>;
    expectTypeOf<Results["w"]>().toEqualTypeOf<NodeResult<{ words: number }>>();
    expectTypeOf<Results["c"]>().toEqualTypeOf<NodeResult<{ chars: number; trimmed: boolean }>>();
  });

  it("checks each operation's config, with excess properties refused", () => {
    const builder = new WorkflowBuilder(new NodeRegistry().register(Counter));
    // @ts-expect-error `trim` belongs to "chars", not "words"
    builder.addNode("Counter", "a", { operation: "words", trim: true });
    // @ts-expect-error unknown operation
    builder.addNode("Counter", "b", { operation: "lines" });
    // @ts-expect-error `trim` must be a boolean
    builder.addNode("Counter", "c", { operation: "chars", trim: "yes" });
  });

  it("types the built-in nodes by operation: place → lease needs no cast", () => {
    const builder = new WorkflowBuilder(createNodeRegistry())
      .addNode("EdgeDiscovery", "find", { operation: "find", query: {} })
      .addNode("EdgeAffinity", "place", { operation: "place", commit: true })
      .addNode("EdgeStateMachine", "lease", { operation: "acquire_lease", holder: "deployer" })
      .connect("place", "edgeId", "lease", "edgeId");
    // @ts-expect-error `find` outputs edges, not a decision
    builder.connect("find", "decision", "lease", "edgeId");
    const _build = () => builder.build();
    type Results = ResultsOf<ReturnType<typeof _build>>;
    type Completed<R> = R extends { status: "completed"; output: infer O } ? O : never;
    expectTypeOf<Completed<Results["place"]>["decision"]>().toEqualTypeOf<PlacementDecision>();
    expectTypeOf<Completed<Results["place"]>["edgeId"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Completed<Results["find"]>["edges"]>().toEqualTypeOf<EdgeRecord[]>();
    expectTypeOf<Completed<Results["lease"]>["lease"]["token"]>().toEqualTypeOf<number>();
  });

  it("types runOperation's output by the operation named", () => {
    const _lease = () => runOperation(EdgeStateMachine, "acquire_lease", { holder: "me", edgeId: "e" });
    expectTypeOf<Awaited<ReturnType<typeof _lease>>["lease"]["expiresAt"]>().toEqualTypeOf<number>();
    const _quorum = () => runOperation(PartitionDetection, "quorum", {});
    expectTypeOf<Awaited<ReturnType<typeof _quorum>>["hasQuorum"]>().toEqualTypeOf<boolean>();
    // @ts-expect-error no such operation
    void (() => runOperation(PartitionDetection, "nope", {}));
  });
});
