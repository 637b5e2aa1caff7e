import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { InMemoryLeaseStore } from "../../src/lifecycle/lease-store.js";
import { chooseHome, EdgeStates, InMemoryStateStore } from "../../src/state/index.js";

function infra() {
  const clock = new ManualClock(0);
  const infrastructure = new EdgeInfrastructure({ clock });
  infrastructure.registerEdge({ id: "fra", region: "eu", coordinates: { lat: 50.1, lon: 8.7 }, capacity: { cpu: 4, memoryMb: 4096 }, lifecycleState: "active", complianceZones: ["eu"] });
  infrastructure.registerEdge({ id: "nyc", region: "us", coordinates: { lat: 40.7, lon: -74 }, capacity: { cpu: 4, memoryMb: 4096 }, lifecycleState: "active" });
  return { clock, infrastructure };
}

describe("home choice", () => {
  it("follows the users, unless residency rules them out", () => {
    const { infrastructure } = infra();
    const newYorkers = [{ lat: 40.6, lon: -73.9 }];
    expect(chooseHome(infrastructure.edges(), { id: "a", users: newYorkers })).toBe("nyc");
    expect(chooseHome(infrastructure.edges(), { id: "a", users: newYorkers, residency: ["eu"] })).toBe("fra");
  });

  it("answers a redirect with no owner when no edge may hold the data", () => {
    const { infrastructure } = infra();
    expect(() => chooseHome(infrastructure.edges(), { id: "a", residency: ["apac"] })).toThrow(expect.objectContaining({ code: "state.redirect", owner: null }));
  });

  it("EdgeStates places a new object, then keeps it at its home", async () => {
    const { clock, infrastructure } = infra();
    const states = new EdgeStates({ clock, leases: new InMemoryLeaseStore({ clock }), store: new InMemoryStateStore(), infrastructure });
    const o = await states.object("doc", { residency: ["eu"] });
    await o.set("k", 1);
    expect((await states.where("doc")).home).toBe("fra");
    expect((await states.object("doc", { users: [{ lat: 40.6, lon: -73.9 }] })).edgeId).toBe("fra");
    await states.close();
    await expect(states.where("doc")).rejects.toMatchObject({ code: "closed" });
  });
});
