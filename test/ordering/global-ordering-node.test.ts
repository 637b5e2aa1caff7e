import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { orderingNodeKey, orderingServiceKey } from "../../src/ordering/keys.js";
import { OrderingNode, orderingMessageSchema } from "../../src/ordering/ordering-node.js";
import { GlobalOrderingService } from "../../src/ordering/service.js";
import { SimNetwork } from "../../src/transport/sim-network.js";
import { GlobalOrdering } from "../../nodes/global-ordering.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { testNodeContext } from "../support/node-context.js";

describe("GlobalOrdering node", () => {
  it("submits, reads the ordered log from a cursor and reports status on a default in-process service", async () => {
    const infrastructure = new ServiceRegistry();
    const ctx = testNodeContext({ infrastructure, clock: new ManualClock(100) });
    const { event: first } = await runOperation(GlobalOrdering, "submit", { key: "limit", payload: 1 }, {}, ctx);
    await runOperation(GlobalOrdering, "submit", { deps: [first.id], id: "second" }, { payload: { from: "input" } }, ctx);
    expect(first).toMatchObject({ id: "local:1", origin: "local", key: "limit", payload: 1 });
    const page = await runOperation(GlobalOrdering, "ordered_since", { limit: 10 }, { cursor: 1 }, ctx);
    expect(page.entries.map((e) => e.event.id)).toEqual(["second"]);
    expect(page.next).toBe(2);
    const { status } = await runOperation(GlobalOrdering, "status", {}, {}, ctx);
    expect(status).toMatchObject({ nodeId: "local", delivered: 2, buffered: 0 });
    expect(infrastructure.get(orderingServiceKey).status().delivered).toBe(2);
    await expect(runOperation(GlobalOrdering, "submit", {}, {}, ctx)).rejects.toThrow(ValidationError);
    // A null payload (a tombstone, say) is a payload, not a missing one.
    const { event: tombstone } = await runOperation(GlobalOrdering, "submit", { key: "limit", payload: null }, { payload: "ignored" }, ctx);
    expect(tombstone.payload).toBeNull();
  });

  it("publishes through a registered distributed ordering node", async () => {
    const clock = new ManualClock(0);
    const network = new SimNetwork({ clock, random: new Random(1), defaultLink: { latency: { kind: "fixed", ms: 2 } } });
    const make = (id: string) => {
      const service = new GlobalOrderingService({ nodeId: id, origins: ["a", "b"], clock });
      const node = new OrderingNode({ service, clock, transport: network.endpoint(id, { schema: orderingMessageSchema }), heartbeatIntervalMs: 10 });
      node.start();
      return node;
    };
    const a = make("a");
    const b = make("b");
    const infrastructure = new ServiceRegistry();
    infrastructure.register(orderingNodeKey, a as OrderingNode);
    const ctx = testNodeContext({ infrastructure, clock });
    await runOperation(GlobalOrdering, "submit", { payload: "hello" }, {}, ctx);
    clock.advance(50);
    expect(b.service.orderedSince(0).entries.map((e) => e.event.payload)).toEqual(["hello"]);
    const page = await runOperation(GlobalOrdering, "ordered_since", { limit: 100 }, {}, ctx);
    expect(page.entries).toHaveLength(1);
    a.stop();
    b.stop();
  });
});
