import { describe, expect, it } from "vitest";
import { encodeMessage } from "../../src/transport/codec.js";
import { link, trackedNodes, waitFor } from "./tcp-helpers.js";

const node = trackedNodes();

/** A frame's size on the wire: the 4-byte length prefix and the MessagePack body. */
const wireBytes = (message: unknown): number => 4 + encodeMessage(message).length;

describe("TcpTransport send queue accounting", () => {
  it("bounds the queue in bytes on the wire, so non-ASCII messages count what they take", async () => {
    const a = await node<string>({ localId: "a", maxQueueBytes: 1_000 });
    a.transport.addPeer("b", { host: "127.0.0.1", port: 1 }); // nothing listens: messages stay queued
    const accented = "é".repeat(300); // 300 UTF-16 units, 600 bytes of UTF-8
    a.transport.send("b", accented);
    expect(a.transport.metrics().peers["b"]).toMatchObject({ queuedMessages: 1, queuedBytes: wireBytes(accented) });
    // Counted in UTF-16 units this would fit (300 + 300 < 1,000); in bytes it does not.
    expect(() => a.transport.send("b", accented)).toThrow(expect.objectContaining({ reason: "backpressure" }));
    const emoji = "😀".repeat(50); // 100 units, 200 bytes
    a.transport.send("b", emoji);
    expect(a.transport.metrics().peers["b"]).toMatchObject({ queuedMessages: 2, queuedBytes: wireBytes(accented) + wireBytes(emoji) });
    expect(a.transport.metrics().backpressureRejections).toBe(1);
  });

  it("delivers non-ASCII messages intact and empties the count once they are written", async () => {
    const a = await node<string>({ localId: "a" });
    const b = await node<string>({ localId: "b" });
    link(a, b);
    const messages = ["é€😀", "日本語".repeat(4_000), "a", "ü".repeat(20_000), "\u0000\u007f\u0080\u07ff\u0800\uffff"];
    for (const m of messages) a.transport.send("b", m);
    await waitFor(() => b.received.length === messages.length, "delivery of every message");
    expect(b.received.map(([, m]) => m)).toEqual(messages);
    expect(a.transport.metrics().peers["b"]).toMatchObject({ queuedMessages: 0, queuedBytes: 0 });
    expect(a.transport.metrics().bytesOut).toBeGreaterThanOrEqual(messages.reduce((n, m) => n + wireBytes(m), 0));
  });
});
