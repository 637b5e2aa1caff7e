import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { NotFoundError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { partitionDetectorKey } from "../../src/membership/keys.js";
import { membershipMessageSchema, PartitionDetector } from "../../src/membership/partition-detector.js";
import { SimNetwork } from "../../src/transport/sim-network.js";
import { PartitionDetection } from "../../nodes/partition-detection.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { testNodeContext } from "../support/node-context.js";

describe("PartitionDetection node", () => {
  it("reports status, quorum and members of the registered detector", async () => {
    const clock = new ManualClock(0);
    const network = new SimNetwork({ clock, random: new Random(2), defaultLink: { latency: { kind: "fixed", ms: 1 } } });
    const ids = ["a", "b", "c"];
    const detectors = ids.map((id) => new PartitionDetector({ members: ids, transport: network.endpoint(id, { schema: membershipMessageSchema }), clock }));
    for (const d of detectors) d.start();
    const infrastructure = new ServiceRegistry();
    infrastructure.register(partitionDetectorKey, detectors[0] as PartitionDetector);
    const ctx = testNodeContext({ infrastructure, clock });
    clock.advance(5_000);
    network.partition(["a"], ["b", "c"]);
    clock.advance(10_000);
    const status = await runOperation(PartitionDetection, "status", {}, {}, ctx);
    expect(status.hasQuorum).toBe(false);
    expect(status.status).toMatchObject({ nodeId: "a", hasQuorum: false, alive: 1, suspect: 2 });
    const { quorum } = await runOperation(PartitionDetection, "quorum", {}, {}, ctx);
    expect(quorum).toMatchObject({ needed: 2, reachable: ["a"], unreachable: ["b", "c"], hasQuorum: false });
    const { members } = await runOperation(PartitionDetection, "members", {}, {}, ctx);
    expect(members.map((m) => `${m.id}:${m.state}`)).toEqual(["a:alive", "b:suspect", "c:suspect"]);
    for (const d of detectors) d.stop();
  });

  it("fails clearly when no detector is registered", async () => {
    await expect(runOperation(PartitionDetection, "status", {}, {}, testNodeContext())).rejects.toThrow(NotFoundError);
  });
});
