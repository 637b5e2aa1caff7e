import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { encodeMessage } from "../../src/transport/codec.js";
import { FrameDecoder } from "../../src/transport/frame.js";
import type { TcpTransportEvent } from "../../src/tcp.js";
import { FRAME_SUITES, type FrameSuite } from "../../src/transport/frame-auth.js";
import { RawPeer, SECRET, trackedNodes, waitFor } from "./tcp-helpers.js";

const node = trackedNodes();

type Attack = "none" | "inject" | "modify" | "replay" | "reorder" | "drop";

/**
 * A man in the middle: a real TCP proxy that forwards the dialer's frames one by one and, once told
 * to, tampers with the data frames that follow the handshake (the dialer sends `hello` and `auth`).
 */
class MitmProxy {
  attack: Attack = "none";
  private server: Server | undefined;
  private readonly sockets: Socket[] = [];
  /** Data frames the dialer sent, as they went over the wire. */
  readonly seen: Buffer[] = [];

  async start(targetPort: number): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect({ host: "127.0.0.1", port: targetPort });
      this.sockets.push(client, upstream);
      upstream.on("data", (chunk: Buffer) => client.write(chunk));
      upstream.on("close", () => client.destroy());
      client.on("close", () => upstream.destroy());
      client.on("error", () => undefined);
      upstream.on("error", () => undefined);
      const decoder = new FrameDecoder(1 << 24);
      let frames = 0;
      let held: Buffer | undefined;
      client.on("data", (chunk: Buffer) => {
        decoder.push(chunk);
        for (let payload = decoder.next(); payload !== undefined; payload = decoder.next()) {
          const frame = Buffer.alloc(4 + payload.length);
          frame.writeUInt32BE(payload.length, 0);
          payload.copy(frame, 4);
          if (++frames <= 2) {
            upstream.write(frame);
            continue;
          }
          this.seen.push(frame);
          upstream.write(this.tamper(frame) ?? Buffer.alloc(0));
          if (this.attack === "reorder") {
            if (held === undefined) {
              held = frame;
              continue;
            }
            // The later frame goes first.
            upstream.write(frame);
            upstream.write(held);
            held = undefined;
          }
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** What goes upstream instead of `frame` (or before it, for an injection). */
  private tamper(frame: Buffer): Buffer | undefined {
    switch (this.attack) {
      case "none":
        return frame;
      case "inject": {
        const body = Buffer.from(encodeMessage("forged by the proxy"));
        const forged = Buffer.alloc(4 + body.length);
        forged.writeUInt32BE(body.length, 0);
        body.copy(forged, 4);
        return Buffer.concat([forged, frame]);
      }
      case "modify": {
        // The last byte of a message, or of a tag.
        const copy = Buffer.from(frame);
        const at = copy.length - 1;
        copy[at] = (copy[at] as number) ^ 0x01;
        return copy;
      }
      case "replay":
        return Buffer.concat([frame, this.seen[0] as Buffer]);
      case "reorder":
        return undefined;
      case "drop":
        this.attack = "none";
        return undefined;
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }
}

const proxies: MitmProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

describe("TcpTransport frame integrity (shared secret)", () => {
  const attacks: Attack[] = ["inject", "modify", "replay", "reorder", "drop"];
  it.each<[Attack, FrameSuite]>(attacks.flatMap((attack) => FRAME_SUITES.map((suite): [Attack, FrameSuite] => [attack, suite])))("refuses what a man in the middle does to frames after the handshake (%s, %s), and closes the connection", async (attack, suite) => {
    const delivered = ["first"];
    const auth = { kind: "secret", secret: SECRET, suites: [suite] } as const;
    const b = await node<string>({ localId: "b", auth, reconnect: { initialInterval: 60_000, backoffCoefficient: 1, maximumInterval: 60_000, jitter: 0 } });
    const a = await node<string>({ localId: "a", auth, reconnect: { initialInterval: 60_000, backoffCoefficient: 1, maximumInterval: 60_000, jitter: 0 } });
    const proxy = new MitmProxy();
    proxies.push(proxy);
    const port = await proxy.start(b.port);
    const events: TcpTransportEvent[] = [];
    b.transport.onEvent((e) => events.push(e));
    b.transport.addPeer("a");
    a.transport.addPeer("b", { host: "127.0.0.1", port });

    a.transport.send("b", "first");
    await waitFor(() => b.received.length === 1, "the first, untouched message");
    proxy.attack = attack;
    a.transport.send("b", "second");
    await new Promise((resolve) => setImmediate(resolve));
    a.transport.send("b", "third");
    await waitFor(() => b.errors.some((e) => e.reason === "integrity"), "the integrity failure");
    await waitFor(() => events.some((e) => e.type === "disconnected"), "the connection to be closed");

    // Only what the dialer really sent, in its order, before the tampering, was delivered.
    expect(b.received.map(([, m]) => m)).toEqual(delivered);
    const failure = b.errors.find((e) => e.reason === "integrity");
    expect(failure).toMatchObject({ code: "transport.integrity", peer: "a" });
  });

  it("delivers everything through an honest proxy", async () => {
    const b = await node<string>({ localId: "b" });
    const a = await node<string>({ localId: "a" });
    const proxy = new MitmProxy();
    proxies.push(proxy);
    const port = await proxy.start(b.port);
    b.transport.addPeer("a");
    a.transport.addPeer("b", { host: "127.0.0.1", port });
    const sent = Array.from({ length: 50 }, (_, i) => `m${i}`);
    for (const m of sent) a.transport.send("b", m);
    await waitFor(() => b.received.length === sent.length, "every message");
    expect(b.received.map(([, m]) => m)).toEqual(sent);
    expect(b.errors).toEqual([]);
  });

  it("refuses a peer speaking the JSON protocol (version 1) with a clear version error", async () => {
    const b = await node<string>({ localId: "b" });
    b.transport.addPeer("a");
    const old = await RawPeer.connect(b.port);
    old.sendFrame({ t: "hello", v: 1, id: "a", to: "b", nonce: Buffer.alloc(32, 3).toString("base64") });
    await waitFor(() => old.closed, "the old peer to be refused");
    expect(b.errors.map((e) => e.reason)).toEqual(["protocol_version"]);
    expect(b.errors[0]?.message).toMatch(/peer "a" speaks wire protocol version 1 \(JSON frames\), this node speaks version 3/);
  });

  it("refuses a peer of version 2 (HMAC tags, no suite negotiation) with a clear version error", async () => {
    const b = await node<string>({ localId: "b" });
    b.transport.addPeer("a");
    const old = await RawPeer.connect(b.port);
    old.sendFrame({ t: "hello", v: 2, id: "a", to: "b", nonce: Buffer.alloc(32, 4).toString("base64") });
    await waitFor(() => old.closed, "the old peer to be refused");
    expect(b.errors.map((e) => e.reason)).toEqual(["protocol_version"]);
    expect(b.errors[0]?.message).toMatch(/speaks wire protocol version 2, this node speaks version 3/);
  });

  it("carries a Uint8Array as bytes and keeps a __proto__ key as data", async () => {
    const b = await node<unknown>({ localId: "b" });
    const a = await node<unknown>({ localId: "a" });
    b.transport.addPeer("a", { host: "127.0.0.1", port: a.port });
    a.transport.addPeer("b", { host: "127.0.0.1", port: b.port });
    const chunk = new Uint8Array(70_000).map((_, i) => i & 0xff);
    const message = JSON.parse('{"kind":"chunk","keys":{"__proto__":"value","constructor":1}}') as Record<string, unknown>;
    message["data"] = chunk;
    a.transport.send("b", message);
    await waitFor(() => b.received.length === 1, "the chunk");
    const got = b.received[0]?.[1] as { data: Uint8Array; keys: Record<string, unknown> };
    expect(got.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(got.data).equals(Buffer.from(chunk))).toBe(true);
    expect(Object.keys(got.keys)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(got.keys)).toBe(Object.prototype);
    // The payload travelled as bytes, not base64 text.
    expect(a.transport.metrics().bytesOut).toBeLessThan(chunk.length * 1.1);
  });
});
