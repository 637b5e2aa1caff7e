import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { createNodeRegistry } from "../../nodes/index.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { testRegistry, Sum } from "./fixtures.js";

function issuesOf(fn: () => unknown): Array<{ path: string; code?: string; message: string }> {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).issues];
  }
  throw new Error("expected a ValidationError");
}

describe("WorkflowBuilder.build", () => {
  it("builds a valid workflow into an immutable object", () => {
    const workflow = new WorkflowBuilder(testRegistry(), { name: "ok" })
      .addNode("Sum", "a", { weight: 1 })
      .addNode("Sum", "b", { weight: 2 })
      .connect("a", "value", "b", "p0")
      .build();
    expect(workflow.nodes.map((n) => n.id)).toEqual(["a", "b"]);
    expect(Object.isFrozen(workflow)).toBe(true);
    expect(Object.isFrozen(workflow.nodes)).toBe(true);
    expect(() => (workflow.nodes as Array<unknown>).push({})).toThrow();
  });

  it("reports every problem at once, each with a path and code", () => {
    const registry = testRegistry();
    // Built from untyped data, as a workflow assembled at run time would be.
    const loose = new WorkflowBuilder(registry as unknown as NodeRegistry<Record<string, typeof Sum>>);
    const issues = issuesOf(() =>
      loose
        .addNode("Sum", "a", { weight: 1 })
        .addNode("Sum", "a" as string, { weight: 2 })
        .addNode("Nope" as "Sum", "x", { weight: 1 })
        .addNode("Sum", "badcfg", { weight: "heavy" as unknown as number })
        .addNode("Text" as "Sum", "t", { text: "hi" } as unknown as { weight: number })
        .addNode("BadOutput" as "Sum", "needs", { output: 1 } as unknown as { weight: number })
        .addNode("Sum", "c1", { weight: 0 })
        .addNode("Sum", "c2", { weight: 0 })
        .connect("a", "nope" as "value", "c1", "p0")
        .connect("a", "value", "c1", "zz" as "p0")
        .connect("t" as "a", "text" as "value", "c1", "p1")
        .connect("c1", "value", "c2", "p0")
        .connect("c2", "value", "c1", "p2")
        .connect("ghost" as "a", "value", "c2", "p1")
        .build(),
    );
    const codes = issues.map((i) => i.code);
    expect(codes).toContain("duplicate_id");
    expect(codes).toContain("unknown_type");
    expect(codes).toContain("invalid_type");
    expect(codes).toContain("unknown_output");
    expect(codes).toContain("unknown_input");
    expect(codes).toContain("port_type_mismatch");
    expect(codes).toContain("cycle");
    expect(codes).toContain("unknown_node");
    expect(issues.find((i) => i.code === "invalid_type")?.path).toBe("nodes.badcfg.config.weight");
    expect(issues.find((i) => i.code === "cycle")?.message).toMatch(/c1 -> c2 -> c1|c2 -> c1 -> c2/);
  });

  it("reports unconnected required inputs and doubly fed inputs", () => {
    const registry = new NodeRegistry().register(Sum).register(createNodeRegistry().require("Transform"));
    const issues = issuesOf(() =>
      new WorkflowBuilder(registry)
        .addNode("Transform", "t", { fn: (x: unknown) => x })
        .addNode("Sum", "a", { weight: 1 })
        .addNode("Sum", "b", { weight: 1 })
        .connect("a", "value", "b", "p0")
        .input("x", "b", "p0")
        .build(),
    );
    expect(issues.map((i) => i.code).sort()).toEqual(["input_already_connected", "unconnected_input"]);
    expect(issues.find((i) => i.code === "unconnected_input")?.path).toBe("nodes.t.inputs.value");
  });

  it("reports a self-loop as a cycle", () => {
    const issues = issuesOf(() => new WorkflowBuilder(testRegistry()).addNode("Sum", "a", { weight: 1 }).connect("a", "value", "a", "p0").build());
    expect(issues).toEqual([expect.objectContaining({ code: "cycle", message: "cycle: a -> a" })]);
  });

  it("rejects invalid node ids and options", () => {
    const issues = issuesOf(() =>
      new WorkflowBuilder(testRegistry())
        .addNode("Sum", "has space", { weight: 1 })
        .addNode("Sum", "ok", { weight: 1 }, { timeoutMs: -5, retry: { attempts: 0 } })
        .build(),
    );
    expect(issues.map((i) => i.path)).toEqual(["nodes[0].id", "nodes.ok.options.timeoutMs", "nodes.ok.options.retry.attempts"]);
  });
});

describe("Workflow JSON and Mermaid", () => {
  it("round-trips through JSON exactly", () => {
    const registry = testRegistry();
    const workflow = new WorkflowBuilder(registry, { name: "rt" })
      .addNode("Sum", "a", { weight: 1 }, { timeoutMs: 1000, retry: { attempts: 3, backoffMs: 10 } })
      .addNode("Sum", "b", { weight: 2 })
      .input("seed", "a", "p0")
      .connect("a", "value", "b", "p1")
      .build();
    const json = workflow.toJSON();
    const again = WorkflowBuilder.fromJSON(JSON.parse(JSON.stringify(json)), registry);
    expect(again.toJSON()).toEqual(json);
    expect(json.nodes[0]?.options).toEqual({ timeoutMs: 1000, retry: { attempts: 3, backoffMs: 10 } });
  });

  it("refuses to write a function config as JSON, naming the node", () => {
    const workflow = new WorkflowBuilder(createNodeRegistry()).addNode("Transform", "t", { fn: (x) => x }).input("x", "t", "value").build();
    const issues = issuesOf(() => workflow.toJSON());
    expect(issues[0]?.path).toBe("nodes.t.config.fn");
  });

  it("draws a Mermaid flowchart with every node, edge and input", () => {
    const workflow = new WorkflowBuilder(testRegistry())
      .addNode("Sum", "a", { weight: 1 })
      .addNode("Sum", "b", { weight: 2 })
      .input("start", "a", "p0")
      .connect("a", "value", "b", "p1")
      .build();
    const text = workflow.toMermaid();
    expect(text.split("\n")[0]).toBe("flowchart LR");
    expect(text).toContain('n0["a<br/><small>Sum</small>"]');
    expect(text).toContain('n0 -->|"value → p1"| n1');
    expect(text).toContain('in0(["start"])');
    expect(text).toContain('in0 -->|"p0"| n0');
  });
});
