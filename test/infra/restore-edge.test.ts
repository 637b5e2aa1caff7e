import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { EdgeInfrastructure } from "../../src/infra/index.js";
import type { EdgeRecord } from "../../src/infra/index.js";

const spec = { id: "edge-1", region: "eu-west", coordinates: { lat: 53.3, lon: -6.3 }, capacity: { cpu: 8, memoryMb: 16_384 } };

describe("EdgeInfrastructure.restoreEdge", () => {
  it("installs another registry's snapshot as-is, announcing a new id as registered and a known one as updated", () => {
    const source = new EdgeInfrastructure({ clock: new ManualClock(5) });
    source.registerEdge(spec);
    const changed = source.allocate("edge-1", { cpu: 2 });
    const replica = new EdgeInfrastructure({ clock: new ManualClock(1_000) });
    const seen: string[] = [];
    replica.events.on("edge:registered", ({ edge }) => seen.push(`registered ${edge.revision}`));
    replica.events.on("edge:updated", ({ edge, previous }) => seen.push(`updated ${previous.revision}->${edge.revision}`));
    expect(replica.restoreEdge(changed)).toEqual(changed);
    const later = source.setHealth("edge-1", "degraded");
    replica.restoreEdge(later);
    expect(replica.getEdge("edge-1")).toEqual(later);
    expect(replica.getEdge("edge-1").updatedAt).toBe(5);
    expect(seen).toEqual(["registered 2", "updated 2->3"]);
  });

  it("refuses a malformed record and changes nothing", () => {
    const replica = new EdgeInfrastructure();
    const bad = { ...spec, allocated: { gpu: 1 }, costPerHour: 0, labels: {}, capabilities: [], complianceZones: [], health: "healthy", lifecycleState: "active", revision: 1, updatedAt: 0 } as unknown as EdgeRecord;
    expect(() => replica.restoreEdge(bad)).toThrow(/gpu/);
    expect(() => replica.restoreEdge({ ...bad, allocated: { cpu: 0, memoryMb: 0 }, revision: 0 })).toThrow(/revision/);
    expect(replica.edges()).toEqual([]);
  });
});
