import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PROTOCOL_VERSION } from "../../src/transport/handshake.js";
import { TransportError } from "../../src/transport/index.js";
import { TcpTransport, type TcpTransportEvent } from "../../src/tcp.js";
import { link, RawPeer, trackedNodes, waitFor } from "./tcp-helpers.js";

const node = trackedNodes();

describe("TcpTransport on loopback", () => {
  it("delivers in order both ways over one authenticated connection", async () => {
    const a = await node<{ n: number; pad: string }>({ localId: "a" });
    const b = await node<{ n: number; pad: string }>({ localId: "b" });
    const events: TcpTransportEvent[] = [];
    a.transport.onEvent((e) => events.push(e));
    link(a, b);
    const count = 2_000;
    for (let n = 0; n < count; n++) {
      a.transport.send("b", { n, pad: "x".repeat(n % 50) });
      b.transport.send("a", { n, pad: "é".repeat(n % 7) });
    }
    await waitFor(() => a.received.length === count && b.received.length === count, "all messages");
    expect(b.received.map(([from, m]) => `${from}:${m.n}`)).toEqual(Array.from({ length: count }, (_, n) => `a:${n}`));
    expect(a.received.map(([, m]) => m.n)).toEqual(Array.from({ length: count }, (_, n) => n));
    expect(a.received[6]?.[1].pad).toBe("é".repeat(6));
    const ma = a.transport.metrics();
    const mb = b.transport.metrics();
    expect(ma.framesOut).toBe(count);
    expect(mb.framesIn).toBe(count);
    expect(mb.messagesDelivered).toBe(count);
    expect(mb.bytesIn).toBeGreaterThanOrEqual(ma.bytesOut);
    expect(ma.peers["b"]?.connected).toBe(true);
    expect(events).toContainEqual({ type: "connected", peer: "b", role: "dialer" });
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it("delivers a burst of many slabs intact and in order, though filled slabs are written and refilled while it is still being sent", async () => {
    const a = await node<{ n: number; data: Uint8Array }>({ localId: "a", maxQueueBytes: 64 * 1024 * 1024, maxQueueMessages: 10_000 });
    const b = await node<{ n: number; data: Uint8Array }>({ localId: "b" });
    link(a, b);
    // One small message first, so that the burst finds the connection open and is written slab by slab.
    a.transport.send("b", { n: -1, data: new Uint8Array(0) });
    await waitFor(() => b.received.length === 1, "the connection");
    const count = 600;
    // 24 KiB each: more than the kernel takes at once and many slabs' worth, frames never aligned with a slab's end, each message's bytes its own.
    for (let n = 0; n < count; n++) a.transport.send("b", { n, data: new Uint8Array(24 * 1024).fill(n & 0xff) });
    await waitFor(() => b.received.length === count + 1, "the burst");
    const broken = b.received.slice(1).filter(([, m], i) => m.n !== i || m.data.length !== 24 * 1024 || m.data.some((byte) => byte !== (i & 0xff)));
    expect(broken).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it("validates received messages against the schema before any handler sees them", async () => {
    const schema = z.object({ term: z.number().int().nonnegative() }).strict();
    const a = await node<unknown>({ localId: "a" });
    const b = await node({ localId: "b", schema });
    link(a, b);
    a.transport.send("b", { term: -1 });
    a.transport.send("b", { term: 1, extra: true });
    a.transport.send("b", { term: 7 });
    await waitFor(() => b.received.length === 1 && b.errors.length === 2, "one message and two errors");
    expect(b.received).toEqual([["a", { term: 7 }]]);
    expect(b.errors.map((e) => e.reason)).toEqual(["invalid_message", "invalid_message"]);
    expect(b.errors.every((e) => e.peer === "a")).toBe(true);
    expect(b.transport.metrics().rejectedFrames).toBe(2);
  });

  it("reconnects after the peer restarts, on either side", async () => {
    const a = await node<string>({ localId: "a" });
    const b1 = await node<string>({ localId: "b" });
    link(a, b1);
    a.transport.send("b", "before");
    await waitFor(() => b1.received.length === 1, "first delivery");
    await b1.transport.close();
    await waitFor(() => a.transport.metrics().peers["b"]?.connected === false, "a to notice");
    // Restart b on the same port: a (the dialer) redials with backoff.
    const b2 = await node<string>({ localId: "b", listen: { port: b1.port } });
    b2.transport.addPeer("a");
    await waitFor(() => a.transport.metrics().peers["b"]?.connected === true, "a to reconnect");
    a.transport.send("b", "after");
    b2.transport.send("a", "hello again");
    await waitFor(() => b2.received.length === 1 && a.received.length === 1, "delivery after restart");
    expect(b2.received).toEqual([["a", "after"]]);
    expect(a.received).toEqual([["b", "hello again"]]);
    expect(a.transport.metrics().reconnects).toBeGreaterThanOrEqual(1);
    expect(a.errors.some((e) => e.reason === "connection" && e.peer === "b")).toBe(true);
    // Now restart the dialer.
    await a.transport.close();
    const a2 = await node<string>({ localId: "a" });
    a2.transport.addPeer("b", { host: "127.0.0.1", port: b2.port });
    a2.transport.send("b", "from the new a");
    await waitFor(() => b2.received.length === 2, "delivery from the restarted dialer");
    expect(b2.received[1]).toEqual(["a", "from the new a"]);
  });

  it("fails send with a typed backpressure error when a peer's queue is full", async () => {
    const a = await node<string>({ localId: "a", maxQueueMessages: 3, maxQueueBytes: 1_000 });
    // b is configured but nothing listens there yet: messages queue up.
    a.transport.addPeer("b", { host: "127.0.0.1", port: 1 });
    a.transport.addPeer("c");
    for (let i = 0; i < 3; i++) a.transport.send("b", `m${i}`);
    expect(() => a.transport.send("b", "one too many")).toThrow(TransportError);
    try {
      a.transport.send("b", "again");
    } catch (error) {
      expect((error as TransportError).reason).toBe("backpressure");
      expect((error as TransportError).peer).toBe("b");
    }
    // The byte bound works too, on another peer.
    expect(() => a.transport.send("c", "y".repeat(2_000))).toThrow(expect.objectContaining({ reason: "backpressure" }));
    expect(a.transport.metrics()).toMatchObject({ backpressureRejections: 3, peers: { b: { queuedMessages: 3, connected: false } } });
    expect(() => a.transport.send("nobody", "x")).toThrow(expect.objectContaining({ reason: "unknown_peer" }));
  });

  it("close() flushes what was queued before ending the connection", async () => {
    const a = await node<number>({ localId: "a" });
    const b = await node<number>({ localId: "b" });
    link(a, b);
    a.transport.send("b", -1);
    await waitFor(() => b.received.length === 1, "connection");
    for (let i = 0; i < 5_000; i++) a.transport.send("b", i);
    await a.transport.close();
    await waitFor(() => b.received.length === 5_001, "flushed messages");
    expect(b.received.at(-1)).toEqual(["a", 4_999]);
    expect(() => a.transport.send("b", 1)).toThrow(expect.objectContaining({ reason: "closed" }));
  });

  it("closes a connection that sends a frame above the limit, and recovers", async () => {
    const a = await node<string>({ localId: "a" });
    const b = await node<string>({ localId: "b", maxFrameBytes: 1_000 });
    link(a, b);
    a.transport.send("b", "small");
    await waitFor(() => b.received.length === 1, "first message");
    a.transport.send("b", "z".repeat(5_000));
    await waitFor(() => b.errors.some((e) => e.reason === "frame_too_large"), "frame_too_large");
    await waitFor(() => a.transport.metrics().peers["b"]?.connected === true && a.transport.metrics().reconnects > 0, "reconnect");
    a.transport.send("b", "small again");
    await waitFor(() => b.received.length === 2, "message after reconnect");
    expect(b.received.map(([, m]) => m)).toEqual(["small", "small again"]);
    expect(() => b.transport.send("a", "q".repeat(2_000))).toThrow(expect.objectContaining({ reason: "frame_too_large" }));
  });
});

describe("TcpTransport authentication (shared secret)", () => {
  it("refuses a peer with the wrong secret; nothing it sends is delivered", async () => {
    const a = await node<string>({ localId: "a", auth: { kind: "secret", secret: "the wrong secret, long enough" } });
    const b = await node<string>({ localId: "b" });
    link(a, b);
    a.transport.send("b", "let me in");
    await waitFor(() => a.errors.some((e) => e.reason === "auth_failed"), "the dialer to refuse the listener's proof");
    expect(b.received).toEqual([]);
    expect(a.transport.metrics().authFailures).toBeGreaterThan(0);
    expect(a.transport.metrics().peers["b"]?.connected).toBe(false);
  });

  it("refuses a raw client with the wrong secret, an unknown id, or a misaddressed hello", async () => {
    const b = await node<string>({ localId: "b" });
    b.transport.addPeer("a");
    const wrong = await RawPeer.connect(b.port);
    await wrong.handshake("a", "b", "not the secret at all!!");
    wrong.sendFrame("sneaky");
    await waitFor(() => wrong.closed, "the wrong-secret socket to be closed");
    const stranger = await RawPeer.connect(b.port);
    await stranger.handshake("mallory", "b").catch(() => undefined);
    await waitFor(() => stranger.closed, "the stranger to be refused");
    const misaddressed = await RawPeer.connect(b.port);
    await misaddressed.handshake("a", "c").catch(() => undefined);
    await waitFor(() => misaddressed.closed, "the misaddressed hello to be refused");
    expect(b.received).toEqual([]);
    expect(b.errors.map((e) => e.reason)).toEqual(["auth_failed", "auth_failed", "auth_failed"]);
    expect(b.errors[1]?.message).toContain("not a configured peer");
    expect(b.transport.metrics().authFailures).toBe(3);
  });

  it("refuses a replayed handshake", async () => {
    const b = await node<string>({ localId: "b" });
    b.transport.addPeer("a");
    const honest = await RawPeer.connect(b.port);
    const recorded = await honest.handshake("a", "b");
    await waitFor(() => honest.frames.length === 2, "welcome");
    expect(honest.frames[1]).toEqual({ t: "welcome", id: "b" });
    honest.sendMessage("genuine");
    await waitFor(() => b.received.length === 1, "the genuine message");
    honest.end();
    // An eavesdropper replays the recorded hello (same nonce) ...
    const replay = await RawPeer.connect(b.port);
    replay.write(recorded.hello);
    replay.write(recorded.auth);
    replay.sendFrame("replayed");
    await waitFor(() => replay.closed, "the replay to be refused");
    // ... or a fresh hello with the recorded proof (the listener's nonce differs now).
    const spliced = await RawPeer.connect(b.port);
    spliced.sendFrame({ t: "hello", v: PROTOCOL_VERSION, id: "a", to: "b", nonce: Buffer.alloc(32, 7).toString("base64"), suites: ["aes-256-gcm", "hmac-sha256"] });
    await waitFor(() => spliced.frames.length === 1, "a challenge");
    spliced.write(recorded.auth);
    spliced.sendFrame("spliced");
    await waitFor(() => spliced.closed, "the spliced replay to be refused");
    expect(b.received).toEqual([["a", "genuine"]]);
    const refusals = b.errors.filter((e) => e.reason !== "connection");
    expect(refusals.map((e) => e.reason)).toEqual(["auth_failed", "auth_failed"]);
    expect(refusals[0]?.message).toContain("reused a nonce");
    expect(refusals[1]?.message).toContain("proof is wrong");
    expect(b.transport.metrics().authFailures).toBe(2);
  });

  it("closes a connection that never finishes its handshake", async () => {
    const b = await node<string>({ localId: "b", handshakeTimeoutMs: 50 });
    const idle = await RawPeer.connect(b.port);
    await waitFor(() => idle.closed, "the idle socket to be closed");
    expect(b.errors.map((e) => e.reason)).toEqual(["timeout"]);
  });

  it("validates its options", () => {
    expect(() => new TcpTransport({ localId: "a", auth: { kind: "secret", secret: "short" } })).toThrow(expect.objectContaining({ code: "validation" }));
    expect(() => new TcpTransport({ localId: "", auth: { kind: "secret", secret: "x".repeat(20) } })).toThrow(expect.objectContaining({ code: "validation" }));
    expect(() => new TcpTransport({ localId: "a", auth: { kind: "secret", secret: "x".repeat(20) }, maxFrameBytes: 0 })).toThrow(expect.objectContaining({ code: "validation" }));
  });
});
