import { createCipheriv } from "node:crypto";
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { deriveFrameKeys, FrameOpener, FrameSealer, gcmNonce, SequenceExhaustedError, TAG_FRAME_PAYLOAD_BYTES } from "../../src/transport/frame-auth.js";
import { encodeFrame, FrameDecoder } from "../../src/transport/frame.js";
import type { TcpTransportEvent } from "../../src/tcp.js";
import { SECRET, trackedNodes, waitFor } from "./tcp-helpers.js";

const key = Buffer.alloc(32, 9);
const node = trackedNodes();

function frameOf(text: string): Buffer {
  const body = Buffer.from(text);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** The tag inside a sealed batch's trailing tag frame. */
function tagOf(sealed: readonly Buffer[]): Buffer {
  const tagFrame = sealed[sealed.length - 1] as Buffer;
  expect(tagFrame.length).toBe(4 + TAG_FRAME_PAYLOAD_BYTES);
  return tagFrame.subarray(5);
}

/** Feeds one written batch to an opener; the result of its tag frame. */
function openBatch(opener: FrameOpener, sealed: readonly Buffer[]): ReturnType<FrameOpener["accept"]> {
  const decoder = new FrameDecoder(1 << 20);
  for (const buffer of sealed) decoder.push(buffer);
  let last: ReturnType<FrameOpener["accept"]> | undefined;
  for (let payload = decoder.next(); payload !== undefined; payload = decoder.next()) last = opener.accept(payload);
  if (last === undefined) throw new Error("no frame in the batch");
  return last;
}

describe("AES-256-GCM (GMAC) batch tags", () => {
  it("batch n is authenticated under nonce 0^32 || n: the tag is GMAC of the batch's bytes with that nonce", () => {
    const sealer = new FrameSealer(key, "aes-256-gcm");
    const batch = [frameOf("alpha"), frameOf("beta")];
    for (let seq = 0n; seq < 3n; seq++) {
      const gcm = createCipheriv("aes-256-gcm", key, gcmNonce(seq));
      gcm.setAAD(Buffer.concat(batch));
      gcm.final();
      expect(tagOf(sealer.seal(batch)).toString("hex")).toBe(gcm.getAuthTag().toString("hex"));
    }
    expect(gcmNonce(5n).toString("hex")).toBe("000000000000000000000005");
  });

  it("the same bytes sent twice get different tags (no nonce is reused), and a replayed batch fails", () => {
    const sealer = new FrameSealer(key, "aes-256-gcm");
    const first = sealer.seal([frameOf("same")]);
    const second = sealer.seal([frameOf("same")]);
    expect(tagOf(first).equals(tagOf(second))).toBe(false);
    const opener = new FrameOpener(key, 1 << 20, "aes-256-gcm");
    expect(openBatch(opener, first).kind).toBe("verified");
    expect(openBatch(opener, first).kind).toBe("failed");
  });

  it("the counter never wraps: the last sequence number is used once, then sealing throws and opening fails", () => {
    const last = (1n << 64n) - 1n;
    const sealer = new FrameSealer(key, "aes-256-gcm", last);
    const opener = new FrameOpener(key, 1 << 20, "aes-256-gcm", last);
    const sealed = sealer.seal([frameOf("the last batch")]);
    expect(openBatch(opener, sealed).kind).toBe("verified");
    expect(() => sealer.seal([frameOf("one too many")])).toThrow(SequenceExhaustedError);
    // A peer that sends a batch anyway (whatever its tag) is refused rather than checked under a repeated nonce.
    const forged = new FrameSealer(key, "aes-256-gcm", 0n).seal([frameOf("one too many")]);
    expect(openBatch(opener, forged)).toMatchObject({ kind: "failed", reason: expect.stringMatching(/wrap/) });
  });

  it("a batch tagged under one suite fails under the other, and keys differ per suite", () => {
    const gcmSealed = new FrameSealer(key, "aes-256-gcm").seal([frameOf("x")]);
    expect(openBatch(new FrameOpener(key, 1 << 20, "hmac-sha256"), gcmSealed).kind).toBe("failed");
    const hmacSealed = new FrameSealer(key, "hmac-sha256").seal([frameOf("x")]);
    expect(openBatch(new FrameOpener(key, 1 << 20, "aes-256-gcm"), hmacSealed).kind).toBe("failed");
    const fields = { dialerNonce: "n1", listenerNonce: "n2", dialerId: "a", listenerId: "b" };
    const gcmKeys = deriveFrameKeys(Buffer.from(SECRET), "dialer", fields, "aes-256-gcm");
    const hmacKeys = deriveFrameKeys(Buffer.from(SECRET), "dialer", fields, "hmac-sha256");
    expect(gcmKeys.send.equals(hmacKeys.send)).toBe(false);
    expect(gcmKeys.send.equals(gcmKeys.receive)).toBe(false);
  });
});

type Rewrite = (message: Record<string, unknown>) => Record<string, unknown>;

/**
 * A man in the middle of the handshake: forwards everything, but rewrites the first JSON frame
 * going up (the dialer's hello) or coming down (the listener's challenge).
 */
class HandshakeRewriter {
  private server: Server | undefined;
  private readonly sockets: Socket[] = [];

  constructor(
    private readonly up: Rewrite | undefined,
    private readonly down: Rewrite | undefined,
  ) {}

  async start(targetPort: number): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect({ host: "127.0.0.1", port: targetPort });
      this.sockets.push(client, upstream);
      for (const socket of [client, upstream]) socket.on("error", () => undefined);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      this.pipe(client, upstream, this.up);
      this.pipe(upstream, client, this.down);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as AddressInfo).port;
  }

  private pipe(from: Socket, to: Socket, rewrite: Rewrite | undefined): void {
    const decoder = new FrameDecoder(1 << 20);
    let rewritten = rewrite === undefined;
    from.on("data", (chunk: Buffer) => {
      if (rewritten) return void to.write(chunk);
      decoder.push(chunk);
      const first = decoder.next();
      if (first === undefined || rewrite === undefined) return;
      rewritten = true;
      to.write(encodeFrame(rewrite(JSON.parse(first.toString("utf8")) as Record<string, unknown>), 4096));
      // Whatever followed the first frame in this chunk goes on unchanged.
      for (let payload = decoder.next(); payload !== undefined; payload = decoder.next()) {
        const frame = Buffer.allocUnsafe(4 + payload.length);
        frame.writeUInt32BE(payload.length, 0);
        payload.copy(frame, 4);
        to.write(frame);
      }
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }
}

const rewriters: HandshakeRewriter[] = [];
afterEach(async () => {
  await Promise.all(rewriters.splice(0).map((r) => r.close()));
});

const noRetry = { initialInterval: 60_000, backoffCoefficient: 1, maximumInterval: 60_000, jitter: 0 };

/** `a` dials `b` through a rewriter; resolves once both sides have reported what happened. */
async function through(up: Rewrite | undefined, down: Rewrite | undefined, auth: { a?: readonly ("aes-256-gcm" | "hmac-sha256")[]; b?: readonly ("aes-256-gcm" | "hmac-sha256")[] } = {}) {
  const b = await node<string>({ localId: "b", reconnect: noRetry, auth: { kind: "secret", secret: SECRET, ...(auth.b === undefined ? {} : { suites: auth.b }) } });
  const a = await node<string>({ localId: "a", reconnect: noRetry, auth: { kind: "secret", secret: SECRET, ...(auth.a === undefined ? {} : { suites: auth.a }) } });
  const rewriter = new HandshakeRewriter(up, down);
  rewriters.push(rewriter);
  const port = await rewriter.start(b.port);
  const events: TcpTransportEvent[] = [];
  b.transport.onEvent((e) => events.push(e));
  b.transport.addPeer("a");
  a.transport.addPeer("b", { host: "127.0.0.1", port });
  return { a, b, events };
}

describe("suite negotiation", () => {
  it("an honest pair agrees on AES-256-GCM and exchanges messages", async () => {
    let picked: unknown;
    const { a, b } = await through(undefined, (challenge) => {
      picked = challenge["suite"];
      return challenge;
    });
    a.transport.send("b", "hello");
    await waitFor(() => b.received.length === 1, "the message");
    expect(picked).toBe("aes-256-gcm");
    expect(b.received).toEqual([["a", "hello"]]);
  });

  it("a dialer that accepts only HMAC-SHA256 gets it from a listener that prefers GCM", async () => {
    let picked: unknown;
    const { a, b } = await through(undefined, (challenge) => {
      picked = challenge["suite"];
      return challenge;
    }, { a: ["hmac-sha256"] });
    a.transport.send("b", "hello");
    await waitFor(() => b.received.length === 1, "the message");
    expect(picked).toBe("hmac-sha256");
  });

  it("a pair with no suite in common is refused at the handshake", async () => {
    const { a, b } = await through(undefined, undefined, { a: ["hmac-sha256"], b: ["aes-256-gcm"] });
    a.transport.send("b", "never");
    await waitFor(() => b.errors.some((e) => e.reason === "auth_failed"), "the refusal");
    expect(b.errors.find((e) => e.reason === "auth_failed")?.message).toMatch(/no frame protection suite/);
    expect(b.received).toEqual([]);
  });

  it("a man in the middle who strips GCM from the dialer's offer cannot force HMAC-SHA256: the handshake fails", async () => {
    const { a, b, events } = await through((hello) => ({ ...hello, suites: ["hmac-sha256"] }), undefined);
    a.transport.send("b", "never");
    await waitFor(() => a.errors.some((e) => e.reason === "auth_failed"), "the dialer to refuse the listener's proof");
    expect(a.errors.find((e) => e.reason === "auth_failed")?.message).toMatch(/listener's proof is wrong/);
    expect(b.received).toEqual([]);
    expect(events.some((e) => e.type === "connected")).toBe(false);
  });

  it("a man in the middle who swaps the listener's pick for HMAC-SHA256 cannot force it either", async () => {
    const { a, b, events } = await through(undefined, (challenge) => ({ ...challenge, suite: "hmac-sha256" }));
    a.transport.send("b", "never");
    await waitFor(() => a.errors.some((e) => e.reason === "auth_failed"), "the dialer to refuse the listener's proof");
    expect(b.received).toEqual([]);
    expect(events.some((e) => e.type === "connected")).toBe(false);
  });

  it("a listener that picks a suite the dialer did not offer is refused", async () => {
    const { a, b } = await through(undefined, (challenge) => ({ ...challenge, suite: "hmac-sha256" }), { a: ["aes-256-gcm"] });
    a.transport.send("b", "never");
    await waitFor(() => a.errors.some((e) => e.reason === "auth_failed"), "the dialer's refusal");
    expect(a.errors.find((e) => e.reason === "auth_failed")?.message).toMatch(/was not offered/);
    expect(b.received).toEqual([]);
  });
});
