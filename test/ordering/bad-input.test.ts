import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ClosedError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { decodeHlc, decodeHlcBinary, encodeHlc } from "../../src/ordering/hlc-codec.js";
import { HybridLogicalClock } from "../../src/ordering/hlc.js";
import { OrderingNode, orderingMessageSchema, type OrderingNodeOptions } from "../../src/ordering/ordering-node.js";
import { GlobalOrderingService, type GlobalOrderingOptions } from "../../src/ordering/service.js";
import type { ConflictPolicy, OrderingEvent } from "../../src/ordering/types.js";
import { SimNetwork } from "../../src/transport/sim-network.js";
import { casesFor, checkInvalidCallsAreNoOps, expectRejectedUnchanged, NOT_NUMBERS, validationPaths, type BadCall } from "../support/bad-input.js";

const loose = <T>(value: unknown): T => value as T;

function service(): GlobalOrderingService<number> {
  return new GlobalOrderingService<number>({ nodeId: "a", origins: ["a", "b"], clock: new ManualClock(1_000), dependencyTimeoutMs: 100 });
}

function state(s: GlobalOrderingService<number>): unknown {
  return {
    status: s.status(),
    log: s.orderedSince(0, 1_000_000),
    expected: s.originIds.map((o) => s.expectedSeq(o)),
    hlc: s.hlc.last(),
    keys: ["k0", "k1"].map((k) => s.currentValue(k)),
  };
}

function bEvent(seq: number, wall: number, extra: Partial<OrderingEvent<number>> = {}): OrderingEvent<number> {
  return { id: `b-${seq}`, origin: "b", seq, hlc: { wall, logical: 0, nodeId: "b" }, deps: [], payload: seq, ...extra };
}

describe("GlobalOrderingService refuses bad input and stays as it was", () => {
  it("every public method, table-driven", async () => {
    const s = service();
    s.publish({ key: "k0", payload: 1 });
    s.receive(bEvent(1, 900));
    s.receive(bEvent(3, 950));
    const hlc = { wall: 990, logical: 0, nodeId: "b" };
    const cases: BadCall[] = [
      ...casesFor("publish", "input", [null, 5, "x"], (v) => s.publish(v)),
      { name: "publish id empty", path: "input.id", call: () => s.publish({ id: "", payload: 1 }) },
      { name: "publish id number", path: "input.id", call: () => s.publish(loose({ id: 5, payload: 1 })) },
      { name: "publish deps string", path: "input.deps", call: () => s.publish(loose({ deps: "x", payload: 1 })) },
      { name: "publish deps duplicate", path: "input.deps", call: () => s.publish({ deps: ["x", "x"], payload: 1 }) },
      { name: "publish deps empty id", path: "input.deps", call: () => s.publish({ deps: [""], payload: 1 }) },
      { name: "publish key empty", path: "input.key", call: () => s.publish({ key: "", payload: 1 }) },
      ...casesFor("receive", "event", [null, 5, "x", []], (v) => s.receive(v)),
      ...casesFor("receive seq", "event.seq", [...NOT_NUMBERS, 0, -1, 1.5], (v) => s.receive(bEvent(v, 960))),
      ...casesFor("receive wall", "event.hlc.wall", [...NOT_NUMBERS, -1], (v) => s.receive(bEvent(2, v))),
      { name: "receive unknown origin", path: "event.origin", call: () => s.receive({ ...bEvent(2, 960), origin: "zz", hlc: { ...hlc, nodeId: "zz" } }) },
      { name: "receive hlc of another node", path: "event.hlc.nodeId", call: () => s.receive({ ...bEvent(2, 960), hlc: { ...hlc, nodeId: "a" } }) },
      { name: "receive duplicate deps", path: "event.deps", call: () => s.receive(bEvent(2, 960, { deps: ["a:1", "a:1"] })) },
      ...casesFor("heartbeat origin", "origin", ["zz", 5, null, ""], (v) => s.heartbeat(v, 1, hlc)),
      ...casesFor("heartbeat seq", "seq", [...NOT_NUMBERS, -1, 1.5], (v) => s.heartbeat("b", v, hlc)),
      ...casesFor("heartbeat hlc", "hlc", [null, 5, "x"], (v) => s.heartbeat("b", 1, v)),
      ...casesFor("heartbeat hlc.wall", "hlc.wall", [...NOT_NUMBERS, -1], (v) => s.heartbeat("b", 1, { ...hlc, wall: v })),
      { name: "heartbeat hlc of another node", path: "hlc.nodeId", call: () => s.heartbeat("b", 1, { ...hlc, nodeId: "a" }) },
      ...casesFor("expectedSeq", "origin", ["zz", 5, null], (v) => s.expectedSeq(v)),
      ...casesFor("orderedSince cursor", "cursor", [...NOT_NUMBERS.filter((v) => v !== undefined), -1, 1.5, 99], (v) => s.orderedSince(v)),
      ...casesFor("orderedSince limit", "limit", [...NOT_NUMBERS.filter((v) => v !== undefined), 0, -1, 1.5], (v) => s.orderedSince(0, v)),
      ...casesFor("currentValue", "key", [5, null, undefined, "", "k".repeat(2000)], (v) => s.currentValue(v)),
      ...casesFor("hlc.update", "remote", [null, 5], (v) => s.hlc.update(v)),
      ...casesFor("hlc.update wall", "remote.wall", [...NOT_NUMBERS, -1], (v) => s.hlc.update({ ...hlc, wall: v })),
    ];
    await expectRejectedUnchanged(cases, () => state(s));
  });

  it("constructors name the bad option", async () => {
    const clock = new ManualClock(0);
    const table: Array<[() => unknown, string]> = [
      [() => new GlobalOrderingService(loose<GlobalOrderingOptions>(null)), "options"],
      [() => new GlobalOrderingService({ nodeId: "", clock }), "options.nodeId"],
      [() => new GlobalOrderingService({ nodeId: "a", origins: ["a", "a"], clock }), "options.origins"],
      [() => new GlobalOrderingService({ nodeId: "a", maxBuffered: Number.NaN, clock }), "options.maxBuffered"],
      [() => new GlobalOrderingService({ nodeId: "a", dedupWindow: loose("5"), clock }), "options.dedupWindow"],
      [() => new GlobalOrderingService({ nodeId: "a", maxOffsetMs: Number.POSITIVE_INFINITY, clock }), "options.maxOffsetMs"],
      [() => new GlobalOrderingService({ nodeId: "a", clock: loose({}) }), "options.clock"],
      [() => new GlobalOrderingService({ nodeId: "a", clock, conflictPolicy: loose<ConflictPolicy>({ kind: "merge" }) }), "options.conflictPolicy"],
      [() => new HybridLogicalClock(loose(null)), "options"],
      [() => new HybridLogicalClock({ nodeId: "a", clock, maxOffsetMs: loose("5") }), "maxOffsetMs"],
      [() => new HybridLogicalClock({ nodeId: "a", clock, maxOffsetMs: Number.NaN }), "maxOffsetMs"],
      [() => encodeHlc({ wall: Number.NaN, logical: 0, nodeId: "a" }), "timestamp.wall"],
      [() => decodeHlc(loose(5)), "text"],
      [() => decodeHlcBinary(loose("x")), "bytes"],
    ];
    for (const [call, path] of table) {
      const paths = await validationPaths(call);
      expect(paths.some((p) => p.startsWith(path)), `${path}: ${JSON.stringify(paths)}`).toBe(true);
    }
  });

  it("property: invalid calls mixed into any sequence of publishes, receives and heartbeats change nothing", async () => {
    type Op =
      | { valid: true; kind: "publish"; deps: number[]; key: boolean }
      | { valid: true; kind: "receiveB"; dep: boolean }
      | { valid: true; kind: "heartbeatB" }
      | { valid: false; kind: "bad"; which: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ valid: fc.constant(true as const), kind: fc.constant("publish" as const), deps: fc.uniqueArray(fc.nat(6), { maxLength: 2 }), key: fc.boolean() }),
      fc.record({ valid: fc.constant(true as const), kind: fc.constant("receiveB" as const), dep: fc.boolean() }),
      fc.record({ valid: fc.constant(true as const), kind: fc.constant("heartbeatB" as const) }),
      fc.record({ valid: fc.constant(false as const), kind: fc.constant("bad" as const), which: fc.nat(7) }),
    );
    await checkInvalidCallsAreNoOps({
      ops: fc.array(op, { maxLength: 30 }),
      make: service,
      apply: (s, o) => {
        const nextB = s.expectedSeq("b");
        switch (o.kind) {
          case "publish":
            return s.publish({ deps: o.deps.map((d) => `a:${d}`), key: o.key ? "k0" : undefined, payload: 1 });
          case "receiveB":
            return s.receive(bEvent(nextB, 500 + nextB, o.dep ? { deps: ["a:1"], key: "k0" } : {}));
          case "heartbeatB":
            return s.heartbeat("b", nextB - 1, { wall: 500 + nextB, logical: 0, nodeId: "b" });
          case "bad":
            return [
              () => s.publish({ deps: ["a:1", "a:1"], payload: 1 }),
              () => s.publish(loose({ id: 7, payload: 1 })),
              () => s.receive(bEvent(nextB, Number.NaN)),
              () => s.receive(bEvent(loose("1"), 600)),
              () => s.heartbeat("b", Number.NaN, { wall: 1, logical: 0, nodeId: "b" }),
              () => s.heartbeat("b", 1, { wall: 1, logical: 0, nodeId: "a" }),
              () => s.orderedSince(-1),
              () => s.currentValue(loose(null)),
            ][o.which]?.();
        }
      },
      snapshot: state,
    });
  });
});

describe("close", () => {
  it("GlobalOrderingService: idempotent, clears its timer, refuses publish/receive/heartbeat with a closed error", async () => {
    const clock = new ManualClock(1_000);
    const s = new GlobalOrderingService({ nodeId: "a", origins: ["a", "b"], clock, dependencyTimeoutMs: 100 });
    s.receive(bEvent(2, 900));
    expect(clock.pendingTimers()).toBe(1);
    await s.close();
    await s.close();
    expect(clock.pendingTimers()).toBe(0);
    for (const call of [() => s.publish({ payload: 1 }), () => s.receive(bEvent(1, 800)), () => s.heartbeat("b", 0, { wall: 1, logical: 0, nodeId: "b" })]) {
      expect(call).toThrow(ClosedError);
    }
    expect(s.status().buffered).toBe(1);
  });

  it("OrderingNode: idempotent, clears its heartbeat timer, refuses start/publish; await using closes it", async () => {
    const clock = new ManualClock(0);
    const network = new SimNetwork({ clock, random: new Random(1) });
    const s = new GlobalOrderingService({ nodeId: "a", clock });
    const node = new OrderingNode({ service: s, clock, transport: network.endpoint("a", { schema: orderingMessageSchema }) });
    {
      await using held = node;
      held.start();
      expect(clock.pendingTimers()).toBe(1);
    }
    expect(clock.pendingTimers()).toBe(0);
    await node.close();
    expect(() => node.start()).toThrow(ClosedError);
    expect(() => node.publish({ payload: 1 })).toThrow(expect.objectContaining({ code: "closed" }));
    expect(s.status().delivered).toBe(0);
  });

  it("OrderingNode refuses duplicate peers and a missing options object", async () => {
    const clock = new ManualClock(0);
    const network = new SimNetwork({ clock, random: new Random(1) });
    const service = new GlobalOrderingService({ nodeId: "a", origins: ["a", "b"], clock });
    const transport = network.endpoint("a", { schema: orderingMessageSchema });
    expect(await validationPaths(() => new OrderingNode({ service, clock, transport, peers: ["b", "b"] }))).toEqual(["options.peers"]);
    expect(await validationPaths(() => new OrderingNode(loose<OrderingNodeOptions<unknown>>(null)))).toEqual(["options"]);
  });
});
