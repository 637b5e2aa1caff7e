import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { EdgeDiscovery } from "../../nodes/edge-discovery.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { testNodeContext } from "../support/node-context.js";

const spec = (id: string, region: string) => ({ id, region, coordinates: { lat: 0, lon: 0 }, capacity: { cpu: 1, memoryMb: 512 }, labels: { tier: "gold" } });

describe("EdgeDiscovery node", () => {
  it("registers (config or input), finds and deregisters", async () => {
    const infrastructure = new EdgeInfrastructure({ clock: new ManualClock(0) });
    const ctx = testNodeContext({ infrastructure });
    await runOperation(EdgeDiscovery, "register", { edge: spec("a", "eu") }, {}, ctx);
    await runOperation(EdgeDiscovery, "register", {}, { edge: spec("b", "us") }, ctx);
    expect((await runOperation(EdgeDiscovery, "find", { query: { regions: ["us"] } }, {}, ctx)).edgeIds).toEqual(["b"]);
    expect((await runOperation(EdgeDiscovery, "find", {}, {}, ctx)).edgeIds).toEqual(["a", "b"]);
    await runOperation(EdgeDiscovery, "deregister", { edgeId: "a" }, {}, ctx);
    expect(infrastructure.edges().map((e) => e.id)).toEqual(["b"]);
    await expect(runOperation(EdgeDiscovery, "register", {}, {}, ctx)).rejects.toBeInstanceOf(ValidationError);
  });

  it("two runtimes given the same infrastructure see the same edges", async () => {
    const infrastructure = new EdgeInfrastructure({ clock: new ManualClock(0) });
    const registry = new NodeRegistry().register(EdgeDiscovery);
    const register = new WorkflowBuilder(registry).addNode("EdgeDiscovery", "add", { operation: "register", edge: spec("shared", "eu") }).build();
    const find = new WorkflowBuilder(registry).addNode("EdgeDiscovery", "find", { operation: "find", query: { selector: { matchLabels: { tier: "gold" } } } }).build();
    const writer = new LocalRuntime({ infrastructure });
    const reader = new LocalRuntime({ infrastructure });
    expect((await writer.execute(register)).status).toBe("completed");
    const { results } = await reader.execute(find);
    const result = results.find;
    expect(result.status).toBe("completed");
    if (result.status === "completed") expect(result.output.edgeIds).toEqual(["shared"]);
  });
});
