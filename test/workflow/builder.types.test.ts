import { describe, expectTypeOf, it } from "vitest";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import type { NodeResult } from "../../src/workflow/types.js";
import type { ResultsOf } from "../../src/workflow/runtime.js";
import { testRegistry } from "./fixtures.js";
import { Transform } from "../../nodes/transform.js";

const registry = testRegistry();

describe("WorkflowBuilder types", () => {
  it("accepts only the config type of the node type", () => {
    new WorkflowBuilder(registry).addNode("Sum", "a", { weight: 1 });
    // @ts-expect-error weight must be a number
    new WorkflowBuilder(registry).addNode("Sum", "a", { weight: "1" });
    // @ts-expect-error Sum has no `text` config
    new WorkflowBuilder(registry).addNode("Sum", "a", { text: "x" });
    // @ts-expect-error unknown node type
    new WorkflowBuilder(registry).addNode("Nope", "a", {});
  });

  it("makes a duplicate id a type error", () => {
    const builder = new WorkflowBuilder(registry).addNode("Sum", "a", { weight: 1 });
    // @ts-expect-error "a" is already used
    builder.addNode("Sum", "a", { weight: 2 });
    builder.addNode("Sum", "b", { weight: 2 });
  });

  it("connect accepts only known ids and their port names, and compatible port types", () => {
    const builder = new WorkflowBuilder(registry).addNode("Sum", "s", { weight: 1 }).addNode("Text", "t", { text: "x" }).addNode("Sum", "s2", { weight: 1 });
    builder.connect("s", "value", "s2", "p0");
    // @ts-expect-error no node "ghost"
    builder.connect("ghost", "value", "s2", "p0");
    // @ts-expect-error Sum has no output "text"
    builder.connect("s", "text", "s2", "p0");
    // @ts-expect-error Sum has no input "q"
    builder.connect("s", "value", "s2", "q");
    // @ts-expect-error a string output cannot feed a number input
    builder.connect("t", "text", "s2", "p1");
  });

  it("lets an unknown-typed output (Transform) feed a typed input, to be checked when the node runs", () => {
    const withTransform = testRegistry().register(Transform);
    const builder = new WorkflowBuilder(withTransform).addNode("Transform", "t", { fn: (x) => x }).addNode("Sum", "s", { weight: 1 });
    builder.connect("t", "value", "s", "p0");
    // @ts-expect-error still only real port names
    builder.connect("t", "value", "s", "nope");
  });

  it("types run results per node id", () => {
    const _build = () => new WorkflowBuilder(registry).addNode("Sum", "s", { weight: 1 }).addNode("Text", "t", { text: "x" }).build();
    type Results = ResultsOf<ReturnType<typeof _build>>;
    expectTypeOf<Results["s"]>().toEqualTypeOf<NodeResult<{ value: number }>>();
    expectTypeOf<Results["t"]>().toEqualTypeOf<NodeResult<{ text: string }>>();
  });
});
