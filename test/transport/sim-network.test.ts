import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ManualClock } from "../../src/core/clock.js";
import { ConflictError, ValidationError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { SimNetwork, TransportError, type LinkConfig, type Transport } from "../../src/transport/index.js";

function setup(seed: number, defaultLink: LinkConfig = {}, extra: { cloneMessages?: boolean; traceLimit?: number } = {}) {
  const clock = new ManualClock(0);
  const network = new SimNetwork({ clock, random: new Random(seed), defaultLink, ...extra });
  return { clock, network };
}

function collect<M>(transport: Transport<M>): Array<[string, M]> {
  const got: Array<[string, M]> = [];
  transport.onMessage((from, message) => got.push([from, message]));
  return got;
}

describe("SimNetwork basics", () => {
  it("delivers on clock timers after the link latency", () => {
    const { clock, network } = setup(1, { latency: { kind: "fixed", ms: 10 } });
    const a = network.endpoint("a");
    const got = collect(network.endpoint("b"));
    a.send("b", { n: 1 });
    clock.advance(9);
    expect(got).toEqual([]);
    clock.advance(1);
    expect(got).toEqual([["a", { n: 1 }]]);
    expect(network.stats()).toMatchObject({ sent: 1, delivered: 1, inFlight: 0 });
  });

  it("validates received messages against the schema, drops and reports bad ones", () => {
    const { clock, network } = setup(1);
    const schema = z.object({ term: z.number().int() }).strict();
    const a = network.endpoint<unknown>("a");
    const b = network.endpoint("b", { schema });
    const got = collect(b);
    const errors: TransportError[] = [];
    b.onError((e) => errors.push(e));
    a.send("b", { term: 1.5 });
    a.send("b", { term: 2 });
    clock.advance(0);
    expect(got).toEqual([["a", { term: 2 }]]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TransportError);
    expect(errors[0]?.reason).toBe("invalid_message");
    expect(errors[0]?.peer).toBe("a");
    expect(errors[0]?.message).toContain("term");
    expect(network.stats().dropped.invalid_message).toBe(1);
    expect(network.stats().delivered).toBe(1);
  });

  it("clones messages by default and refuses what JSON cannot carry", () => {
    const { clock, network } = setup(1);
    const a = network.endpoint<{ list: number[] }>("a");
    const got = collect(network.endpoint<{ list: number[] }>("b"));
    const message = { list: [1] };
    a.send("b", message);
    message.list.push(2);
    clock.advance(0);
    expect(got[0]?.[1]).toEqual({ list: [1] });
    const cyclic: { self?: unknown; list: number[] } = { list: [] };
    cyclic.self = cyclic;
    expect(() => a.send("b", cyclic)).toThrow(TransportError);
    expect(network.stats().sent).toBe(1);
  });

  it("shares the object when cloneMessages is false", () => {
    const { clock, network } = setup(1, {}, { cloneMessages: false });
    const a = network.endpoint("a");
    const got = collect(network.endpoint("b"));
    const message = { x: 1 };
    a.send("b", message);
    clock.advance(0);
    expect(got[0]?.[1]).toBe(message);
  });

  it("rejects bad configs with a ValidationError naming the field", () => {
    const clock = new ManualClock(0);
    expect(() => new SimNetwork({ clock, random: new Random(1), defaultLink: { loss: 2 } })).toThrow(ValidationError);
    const network = new SimNetwork({ clock, random: new Random(1) });
    try {
      network.setLink("a", "b", { latency: { kind: "uniform", minMs: 5, maxMs: 1 } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toContain("latency.maxMs");
    }
    expect(() => network.partition(["a", "b"], ["b"])).toThrow(ValidationError);
    expect(() => network.endpoint("")).toThrow(ValidationError);
  });

  it("supports crash and restart: one open endpoint per id, in-flight messages reach the new one", () => {
    const { clock, network } = setup(1, { latency: { kind: "fixed", ms: 5 } });
    const a = network.endpoint("a");
    const b1 = network.endpoint("b");
    expect(() => network.endpoint("b")).toThrow(ConflictError);
    a.send("b", 1);
    void b1.close();
    expect(() => b1.send("a", 1)).toThrow(TransportError);
    clock.advance(5);
    expect(network.stats().dropped.no_endpoint).toBe(1);
    a.send("b", 2);
    const got = collect(network.endpoint("b"));
    clock.advance(5);
    expect(got).toEqual([["a", 2]]);
  });

  it("keeps FIFO order per link under random latency when reorder is off", () => {
    const { clock, network } = setup(3, { latency: { kind: "uniform", minMs: 1, maxMs: 50 } });
    const a = network.endpoint("a");
    const got = collect(network.endpoint<number>("b"));
    for (let i = 0; i < 500; i++) {
      a.send("b", i);
      clock.advance(1);
    }
    clock.advance(100);
    expect(got.map(([, n]) => n)).toEqual([...Array(500).keys()]);
  });

  it("a paused node sends nothing; messages to it are held until resume, or dropped in drop mode", () => {
    const { clock, network } = setup(1, { latency: { kind: "fixed", ms: 1 } });
    const a = network.endpoint("a");
    const b = network.endpoint("b");
    const gotB = collect(b);
    const gotA = collect(a);
    network.pause("b");
    a.send("b", 1);
    a.send("b", 2);
    b.send("a", "from-paused");
    clock.advance(10);
    expect(gotB).toEqual([]);
    expect(gotA).toEqual([]);
    expect(network.stats()).toMatchObject({ held: 2, dropped: { paused: 1 } });
    network.resume("b");
    clock.advance(0);
    expect(gotB.map(([, m]) => m)).toEqual([1, 2]);
    network.pause("b", "drop");
    a.send("b", 3);
    clock.advance(10);
    network.resume("b");
    clock.advance(10);
    expect(gotB.map(([, m]) => m)).toEqual([1, 2]);
    expect(network.stats().dropped.paused).toBe(2);
  });

  it("drops messages that are in flight when their link is cut", () => {
    const { clock, network } = setup(1, { latency: { kind: "fixed", ms: 10 } });
    const a = network.endpoint("a");
    const got = collect(network.endpoint("b"));
    a.send("b", 1);
    network.partitionOneWay(["a"], ["b"]);
    clock.advance(10);
    network.heal();
    a.send("b", 2);
    clock.advance(10);
    expect(got).toEqual([["a", 2]]);
    expect(network.stats().dropped.partition).toBe(1);
  });

  it("delivers one batch per tick; flush drains zero-latency chains at once", () => {
    const { clock, network } = setup(1, {}, { cloneMessages: false, traceLimit: 0 });
    const a = network.endpoint<number>("a");
    const b = network.endpoint<number>("b");
    let bounces = 0;
    a.onMessage((_, n) => {
      bounces++;
      if (n > 0) a.send("b", n - 1);
    });
    b.onMessage((_, n) => {
      bounces++;
      b.send("a", n);
    });
    a.send("b", 3);
    clock.advance(0);
    // Each tick delivers what was due when it started; the replies ride later ticks at the same time.
    expect(bounces).toBe(8);
    expect(network.stats().inFlight).toBe(0);
    a.send("b", 1000);
    expect(network.flush()).toBe(2002);
    expect(network.stats().inFlight).toBe(0);
    a.send("b", 1_000_000);
    expect(network.flush(10)).toBe(10);
    expect(network.stats().inFlight).toBe(1);
  });

  it("keeps delivering after a handler throws", () => {
    const { clock, network } = setup(1);
    const a = network.endpoint("a");
    const b = network.endpoint<number>("b");
    const got: number[] = [];
    b.onMessage((_, n) => {
      if (n === 1) throw new Error("engine bug");
      got.push(n);
    });
    a.send("b", 1);
    a.send("b", 2);
    expect(() => clock.advance(0)).toThrow("engine bug");
    clock.advance(0);
    expect(got).toEqual([2]);
  });

  it("keeps a bounded trace of the newest events", () => {
    const { clock, network } = setup(1, {}, { traceLimit: 5 });
    const a = network.endpoint("a");
    network.endpoint("b");
    for (let i = 0; i < 10; i++) a.send("b", i);
    clock.advance(0);
    const trace = network.trace();
    expect(trace).toHaveLength(5);
    expect(trace.every((e) => e.event === "deliver")).toBe(true);
    expect(trace.map((e) => e.messageId)).toEqual([6, 7, 8, 9, 10]);
    expect(Object.isFrozen(trace)).toBe(true);
  });

  it("unsubscribes handlers", () => {
    const { clock, network } = setup(1);
    const a = network.endpoint("a");
    const b = network.endpoint("b");
    const got: unknown[] = [];
    const off = b.onMessage((_, m) => got.push(m));
    a.send("b", 1);
    clock.advance(0);
    off();
    a.send("b", 2);
    clock.advance(0);
    expect(got).toEqual([1]);
  });
});
