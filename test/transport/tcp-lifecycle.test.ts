import { describe, expect, it } from "vitest";
import { TransportError } from "../../src/transport/index.js";
import { TcpTransport } from "../../src/tcp.js";
import { encodeFrame } from "../../src/transport/frame.js";
import { HANDSHAKE_MAX_FRAME_BYTES, handshakeProof, newNonce, PROTOCOL_VERSION } from "../../src/transport/handshake.js";
import { RawPeer, SECRET, secretAuth, startNode, waitFor } from "./tcp-helpers.js";

describe("TcpTransport lifecycle", () => {
  it("close() during start() makes start() fail with a typed error instead of hanging", async () => {
    for (const host of ["127.0.0.1", "localhost"]) {
      const transport = new TcpTransport({ localId: "a", listen: { host, port: 0 }, auth: secretAuth, peers: { b: { host: "127.0.0.1", port: 1 } } });
      const started = transport.start().then(
        () => "started",
        (error: unknown) => error,
      );
      await transport.close();
      const outcome = await Promise.race([started, new Promise((resolve) => setTimeout(() => resolve("still pending"), 2_000))]);
      expect(outcome).toBeInstanceOf(TransportError);
      expect(outcome).toMatchObject({ reason: "closed" });
      expect(transport.address()).toBeUndefined();
      expect(() => transport.send("b", "late")).toThrow(TransportError);
    }
  });

  it("a second start() while the first is in progress is refused, so no listener is orphaned", async () => {
    const transport = new TcpTransport({ localId: "a", listen: { host: "127.0.0.1", port: 0 }, auth: secretAuth });
    const first = transport.start();
    await expect(transport.start()).rejects.toMatchObject({ reason: "closed" });
    await first;
    await transport.close();
  });
});

describe("TcpTransport refusals after the proof", () => {
  it("a peer removed during its handshake is refused, and frames riding with its proof never reach a handler", async () => {
    const b = await startNode<string>({ localId: "b" });
    try {
      b.transport.addPeer("a");
      const raw = await RawPeer.connect(b.port);
      const nonce = newNonce();
      raw.sendFrame({ t: "hello", v: PROTOCOL_VERSION, id: "a", to: "b", nonce, suites: ["aes-256-gcm"] });
      await waitFor(() => raw.frames.length >= 1, "a challenge");
      const challenge = raw.frames[0] as { nonce: string; suite: "aes-256-gcm" };
      b.transport.removePeer("a");
      const proof = handshakeProof(Buffer.from(SECRET), "dialer", { dialerNonce: nonce, listenerNonce: challenge.nonce, dialerId: "a", listenerId: "b", offered: ["aes-256-gcm"], suite: challenge.suite });
      raw.write(Buffer.concat([encodeFrame({ t: "auth", proof }, 4096), encodeFrame("smuggled", 4096), encodeFrame("smuggled too", 4096)]));
      await waitFor(() => raw.closed, "the removed peer to be cut off");
      expect(b.received).toEqual([]);
      expect(b.errors.map((e) => e.reason)).toContain("auth_failed");
    } finally {
      await b.transport.close();
    }
  });

  it("before authentication a frame above the small handshake limit closes the connection, however large maxFrameBytes is", async () => {
    const b = await startNode<string>({ localId: "b", maxFrameBytes: 1 << 20 });
    try {
      const raw = await RawPeer.connect(b.port);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(HANDSHAKE_MAX_FRAME_BYTES + 1, 0);
      raw.write(head);
      await waitFor(() => raw.closed, "the oversized pre-auth frame to be refused");
      expect(b.errors.map((e) => e.reason)).toEqual(["frame_too_large"]);
      expect(b.received).toEqual([]);
    } finally {
      await b.transport.close();
    }
  });
});

describe("TcpTransport disposal and cancellation", () => {
  it("is disposed by await using, and a start aborted while binding closes it", async () => {
    const auth = { kind: "secret" as const, secret: "a secret of sixteen bytes or more" };
    let port = 0;
    {
      await using t = new TcpTransport({ localId: "a", auth });
      port = (await t.start()).port;
      expect(port).toBeGreaterThan(0);
    }
    // Disposed: the port is free again.
    const again = new TcpTransport({ localId: "a", auth, listen: { port } });
    await again.start();
    await again.close();

    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    const aborted = new TcpTransport({ localId: "b", auth });
    await expect(aborted.start({ signal: controller.signal })).rejects.toMatchObject({ code: "cancelled" });
    expect(() => aborted.send("a", "x")).toThrow(expect.objectContaining({ reason: "closed" }));

    const late = new AbortController();
    const binding = new TcpTransport({ localId: "c", auth });
    const started = binding.start({ signal: late.signal });
    late.abort();
    await expect(started).rejects.toMatchObject({ code: "cancelled" });
  });
});
