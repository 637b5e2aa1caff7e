import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { membershipMessageSchema, PartitionDetector } from "../../src/membership/partition-detector.js";
import type { MembershipEvents } from "../../src/membership/types.js";
import type { LinkConfig } from "../../src/transport/link.js";
import { SimNetwork } from "../../src/transport/sim-network.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

type Log = { [K in keyof MembershipEvents]: number[] };

function cluster(seed: number, size: number, link: LinkConfig) {
  const clock = new ManualClock(0);
  const random = new Random(seed);
  const network = new SimNetwork({ clock, random: random.fork("network"), defaultLink: link, traceLimit: 0 });
  const ids = Array.from({ length: size }, (_, i) => `edge-${i}`);
  const logs = new Map<string, Log>();
  const detectors = ids.map((id) => {
    const detector = new PartitionDetector({ members: ids, fencing: "on-quorum-loss", transport: network.endpoint(id, { schema: membershipMessageSchema }), clock });
    const log: Log = { "peer:suspect": [], "peer:dead": [], "peer:alive": [], "partition:detected": [], "partition:healed": [], fenced: [], unfenced: [] };
    for (const event of Object.keys(log) as (keyof MembershipEvents)[]) detector.on(event, () => log[event].push(clock.now()));
    logs.set(id, log);
    detector.start();
    return detector;
  });
  return { clock, random, network, ids, detectors, logs: (id: string) => logs.get(id) as Log };
}

describe("PartitionDetector over SimNetwork", () => {
  it("partitions of random shapes are detected by exactly the minority sides within the bound, and healing clears them", async () => {
    const base = simSeed(21);
    for (let run = 0; run < simRuns(6); run++) {
      await withSeed(base + run, (seed) => {
        const maxLatency = 20;
        const random = new Random(seed);
        const size = random.int(3, 7);
        const { clock, network, ids, detectors, logs } = cluster(seed, size, { latency: { kind: "uniform", minMs: 1, maxMs: maxLatency } });
        clock.advance(random.int(10_000, 30_000));
        // Random shape: every node joins one of 2 or 3 sides; every pair of sides is cut.
        const sides = random.int(2, 3);
        const sideOf = new Map(ids.map((id) => [id, random.int(0, sides - 1)]));
        const groups = Array.from({ length: sides }, (_, s) => ids.filter((id) => sideOf.get(id) === s)).filter((g) => g.length > 0);
        const bounds = new Map(detectors.map((d) => [d.nodeId, d.status().detectionBoundMs]));
        const cutAt = clock.now();
        for (let i = 0; i < groups.length; i++) for (let j = i + 1; j < groups.length; j++) network.partition(groups[i] as string[], groups[j] as string[]);
        clock.advance(Math.max(...bounds.values()) + 1_000);
        for (const group of groups) {
          const minority = group.length * 2 <= size;
          for (const id of group) {
            const detected = logs(id)["partition:detected"];
            if (minority) {
              expect(detected, `${id} (side of ${group.length}/${size})`).toHaveLength(1);
              expect((detected[0] as number) - cutAt).toBeLessThanOrEqual(bounds.get(id) as number);
              expect(detectors.find((d) => d.nodeId === id)?.isFenced()).toBe(true);
            } else {
              expect(detected, `${id} (side of ${group.length}/${size})`).toEqual([]);
              expect(detectors.find((d) => d.nodeId === id)?.hasQuorum()).toBe(true);
            }
          }
        }
        const healAt = clock.now();
        network.heal();
        clock.advance(1_000 + maxLatency + 1);
        for (const detector of detectors) {
          const log = logs(detector.nodeId);
          expect(detector.hasQuorum()).toBe(true);
          expect(detector.isFenced()).toBe(false);
          expect(log["partition:healed"].length).toBe(log["partition:detected"].length);
          for (const t of log["partition:healed"]) expect(t).toBeGreaterThanOrEqual(healAt);
          expect(detector.members().every((m) => m.state === "alive")).toBe(true);
        }
        for (const d of detectors) d.stop();
      });
    }
  });

  it("declares a member dead only after deadAfterMs of suspicion, and alive again on its next heartbeat", () => {
    const { clock, network, detectors, logs } = cluster(3, 3, { latency: { kind: "fixed", ms: 5 } });
    clock.advance(10_000);
    network.isolate("edge-2");
    clock.advance(20_000);
    const log = logs("edge-0");
    expect(log["peer:suspect"]).toHaveLength(1);
    expect(log["peer:dead"]).toHaveLength(1);
    expect((log["peer:dead"][0] as number) - (log["peer:suspect"][0] as number)).toBeGreaterThanOrEqual(10_000);
    expect(detectors[0]?.members().map((m) => m.state)).toEqual(["alive", "alive", "dead"]);
    expect(detectors[0]?.quorum()).toMatchObject({ needed: 2, reachable: ["edge-0", "edge-1"], hasQuorum: true });
    expect(logs("edge-2")["partition:detected"]).toHaveLength(1);
    network.heal();
    clock.advance(1_100);
    expect(log["peer:alive"]).toHaveLength(1);
    expect(detectors[0]?.status()).toMatchObject({ alive: 3, suspect: 0, dead: 0, hasQuorum: true });
  });

  it("raises no false suspicion, death or partition while message delay stays below the acceptable pause", async () => {
    const base = simSeed(31);
    for (let run = 0; run < simRuns(2); run++) {
      await withSeed(base + run, (seed) => {
        const { clock, detectors, logs } = cluster(seed, 5, { latency: { kind: "uniform", minMs: 0, maxMs: 2_500 } });
        clock.advance(120_000);
        for (const d of detectors) {
          const log = logs(d.nodeId);
          expect(log["peer:dead"]).toEqual([]);
          expect(log["peer:suspect"]).toEqual([]);
          expect(log["partition:detected"]).toEqual([]);
          d.stop();
        }
      });
    }
  });

  it("fences by hand, and a manual fence survives healing", () => {
    const { clock, network, detectors, logs } = cluster(4, 3, { latency: { kind: "fixed", ms: 1 } });
    const node = detectors[0] as PartitionDetector;
    node.fence("maintenance");
    expect(node.isFenced()).toBe(true);
    network.isolate("edge-0");
    clock.advance(10_000);
    network.heal();
    clock.advance(2_000);
    expect(logs("edge-0")["partition:healed"]).toHaveLength(1);
    expect(node.isFenced()).toBe(true);
    node.unfence();
    expect(node.isFenced()).toBe(false);
    expect(logs("edge-0").fenced).toHaveLength(1);
    expect(logs("edge-0").unfenced).toHaveLength(1);
  });

  it("validates its options", () => {
    const clock = new ManualClock(0);
    const network = new SimNetwork({ clock, random: new Random(1) });
    const transport = network.endpoint("a", { schema: membershipMessageSchema });
    expect(() => new PartitionDetector({ members: ["a", "b"], voters: ["a", "z"], transport, clock })).toThrow(/not members: z/);
    expect(() => new PartitionDetector({ members: ["a", "b"], heartbeatIntervalMs: 0, transport, clock })).toThrow(/heartbeatIntervalMs/);
    expect(() => new PartitionDetector({ members: ["a", "b"], detector: { threshold: -1 }, transport, clock })).toThrow(/threshold/);
  });
});
