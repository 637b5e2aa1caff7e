import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { InfrastructureUnavailableError } from "../../src/infra/errors.js";
import { UnschedulableError } from "../../src/placement/placer.js";
import { EdgeAffinity } from "../../nodes/edge-affinity.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { testNodeContext } from "../support/node-context.js";

function context() {
  const clock = new ManualClock(0);
  const infrastructure = new EdgeInfrastructure({ clock });
  const common = { capacity: { cpu: 4, memoryMb: 4096 }, lifecycleState: "active" as const };
  infrastructure.registerEdge({ id: "fra", region: "eu", coordinates: { lat: 50.1, lon: 8.7 }, complianceZones: ["eu"], ...common });
  infrastructure.registerEdge({ id: "iad", region: "us", coordinates: { lat: 39, lon: -77.5 }, complianceZones: ["us"], ...common });
  return { infrastructure, ctx: testNodeContext({ clock, infrastructure }) };
}


describe("EdgeAffinity node", () => {
  it("places a workload from its input and commits its requests when asked", async () => {
    const { ctx, infrastructure } = context();
    const out = await runOperation(EdgeAffinity, "place", { commit: true }, { workload: { id: "api", requests: { cpu: 3, memoryMb: 100, gpu: 0 }, residency: ["eu"] } }, ctx);
    expect(out.edgeId).toBe("fra");
    expect(infrastructure.getEdge("fra").allocated.cpu).toBe(3);
    // The committed capacity is seen by the next placement.
    await expect(runOperation(EdgeAffinity, "place", { workload: { id: "api-2", requests: { cpu: 2 }, residency: ["eu"] } }, {}, ctx)).rejects.toBeInstanceOf(UnschedulableError);
    const unplaced = await runOperation(EdgeAffinity, "place", { allowUnplaced: true, workload: { id: "api-2", requests: { cpu: 2 }, residency: ["eu"] } }, {}, ctx);
    expect(unplaced.edgeId).toBeNull();
  });

  it("commits a batch in the order it was placed (priority first), so the registry accepts exactly what placement did", async () => {
    const clock = new ManualClock(0);
    const infrastructure = new EdgeInfrastructure({ clock });
    infrastructure.registerEdge({ id: "solo", region: "eu", coordinates: { lat: 50, lon: 8 }, capacity: { cpu: 0.6, memoryMb: 1024 }, lifecycleState: "active" });
    const ctx = testNodeContext({ clock, infrastructure });
    // Placed as c, b, a: 0.3 + 0.2 + 0.1 = 0.6 fits. Added up in input order the sum is 0.6000000000000001.
    const workloads = [
      { id: "a", requests: { cpu: 0.1 }, priority: 0 },
      { id: "b", requests: { cpu: 0.2 }, priority: 1 },
      { id: "c", requests: { cpu: 0.3 }, priority: 2 },
    ];
    const { batch } = await runOperation(EdgeAffinity, "place_batch", { commit: true, workloads }, {}, ctx);
    expect(batch.placed).toBe(3);
    expect(infrastructure.getEdge("solo").allocated.cpu).toBe(batch.allocations["solo"]?.["cpu"]);
  });

  it("places a batch, explains, and analyses deployment", async () => {
    const { ctx } = context();
    const { batch } = await runOperation(EdgeAffinity, "place_batch", { workloads: [{ id: "a", requests: { cpu: 4 } }, { id: "b", requests: { cpu: 4 } }, { id: "c", requests: { cpu: 4 } }] }, {}, ctx);
    expect(batch.placed).toBe(2);
    expect(batch.unplaced).toEqual(["c"]);
    const { explanation } = await runOperation(EdgeAffinity, "explain", { workload: { id: "x", users: [{ lat: 48.9, lon: 2.35 }] }, policy: { weights: { cost: 0 } } }, {}, ctx);
    expect(explanation.edgeId).toBe("fra");
    expect(explanation.edges).toHaveLength(2);
    const { analysis } = await runOperation(EdgeAffinity, "analyze_deployment", { jobs: [{ id: "j", memoryMb: 20_000, durationSec: 10 }], deploymentPolicy: { provider: "google_cloud_functions" } }, {}, ctx);
    expect(analysis.recommendation).toBe("serverless");
  });

  it("says clearly when the runtime was given a plain ServiceRegistry", async () => {
    const ctx = testNodeContext({ infrastructure: new ServiceRegistry() });
    await expect(runOperation(EdgeAffinity, "place", { workload: { id: "w" } }, {}, ctx)).rejects.toBeInstanceOf(
      InfrastructureUnavailableError,
    );
  });
});
