import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { PhiAccrualFailureDetector } from "../../src/membership/phi-accrual.js";
import { membershipMessageSchema, PartitionDetector } from "../../src/membership/partition-detector.js";
import { SimNetwork } from "../../src/transport/sim-network.js";

describe("PartitionDetector review regressions", () => {
  it("a detector stopped for a while and started again does not mistake its own pause for a partition", () => {
    const clock = new ManualClock(0);
    const network = new SimNetwork({ clock, random: new Random(7), defaultLink: { latency: { kind: "fixed", ms: 5 } } });
    const ids = ["a", "b", "c"];
    const detectors = ids.map((id) => new PartitionDetector({ members: ids, transport: network.endpoint(id, { schema: membershipMessageSchema }), clock }));
    for (const d of detectors) d.start();
    clock.advance(10_000);
    const node = detectors[0] as PartitionDetector;
    const events: string[] = [];
    node.on("peer:suspect", ({ peer }) => events.push(`suspect ${peer}`));
    node.on("partition:detected", () => events.push("partition"));
    node.stop();
    clock.advance(60_500);
    node.start();
    clock.advance(10_000);
    expect(events).toEqual([]);
    expect(node.hasQuorum()).toBe(true);
    for (const d of detectors) d.stop();
  });

  it("restarting the silence clock learns no interval and seeds a fresh detector", () => {
    const detector = new PhiAccrualFailureDetector();
    detector.restartSilence(500);
    expect(detector.lastHeartbeat).toBe(500);
    expect(detector.mean()).toBe(1000);
    for (let t = 1_000; t <= 10_000; t += 1000) detector.heartbeat(t);
    const mean = detector.mean();
    detector.restartSilence(70_000);
    expect(detector.mean()).toBe(mean);
    expect(detector.phi(70_000)).toBeLessThan(1);
    expect(detector.isAvailable(70_000 + 4_000)).toBe(true);
  });

  it("a fence set by hand while already fenced for quorum loss survives healing", () => {
    const clock = new ManualClock(0);
    const network = new SimNetwork({ clock, random: new Random(8), defaultLink: { latency: { kind: "fixed", ms: 1 } } });
    const ids = ["a", "b", "c"];
    const detectors = ids.map((id) => new PartitionDetector({ members: ids, fencing: "on-quorum-loss", transport: network.endpoint(id, { schema: membershipMessageSchema }), clock }));
    for (const d of detectors) d.start();
    const node = detectors[0] as PartitionDetector;
    network.isolate("a");
    clock.advance(10_000);
    expect(node.isFenced()).toBe(true);
    node.fence("maintenance");
    network.heal();
    clock.advance(2_000);
    expect(node.hasQuorum()).toBe(true);
    expect(node.isFenced()).toBe(true);
    node.unfence();
    expect(node.isFenced()).toBe(false);
    for (const d of detectors) d.stop();
  });

  it("refuses a missing transport or clock with a ValidationError naming it", () => {
    const clock = new ManualClock(0);
    const transport = new SimNetwork({ clock, random: new Random(1) }).endpoint("a", { schema: membershipMessageSchema });
    expect(() => new PartitionDetector({ members: ["a", "b"], clock } as never)).toThrow(expect.objectContaining({ code: "validation", message: expect.stringContaining("options.transport") }));
    expect(() => new PartitionDetector({ members: ["a", "b"], transport } as never)).toThrow(expect.objectContaining({ code: "validation", message: expect.stringContaining("options.clock") }));
  });
});
