import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { z } from "zod";
import { encodeMessage } from "../../src/transport/codec.js";
import { TransportError } from "../../src/transport/index.js";
import { simRuns, simSeed } from "../support/sim.js";
import { RawPeer, startNode, waitFor, type Started } from "./tcp-helpers.js";

const schema = z.object({ op: z.literal("put"), key: z.string(), value: z.number() }).strict();
type Message = z.infer<typeof schema>;
const MAX = 16_384;

function frameOf(payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

/** Bytes written as they are: before the handshake, or after it without a valid tag. */
const rawGarbage = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  fc.record({ key: fc.string(), value: fc.integer(), cut: fc.nat() }).map(({ key, value, cut }) => {
    const frame = frameOf(Buffer.from(encodeMessage({ op: "put", key, value })));
    return frame.subarray(0, 1 + (cut % (frame.length - 1)));
  }),
  fc.integer({ min: MAX + 1, max: 0xffff_ffff }).map((length) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(length, 0);
    return head;
  }),
  fc.uint8Array({ minLength: 1, maxLength: 256 }).map((b) => frameOf(Buffer.concat([Buffer.from("{"), Buffer.from(b)]))),
  fc.jsonValue({ maxDepth: 2 }).filter((v) => !schema.safeParse(v).success && JSON.stringify(v) !== undefined).map((v) => frameOf(Buffer.from(JSON.stringify(v)))),
);

/** Hostile bodies sent by a peer that passed the handshake, so with a valid tag: the codec and schema must cope. */
const sealedGarbage = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.jsonValue({ maxDepth: 3 }).filter((v) => !schema.safeParse(v).success).map((v) => Buffer.from(encodeMessage(v))),
  fc.integer({ min: 100, max: 5_000 }).map((depth) => Buffer.alloc(depth, 0x91)),
  fc.record({ key: fc.string(), value: fc.integer(), cut: fc.nat() }).map(({ key, value, cut }) => {
    const body = Buffer.from(encodeMessage({ op: "put", key, value }));
    return body.subarray(0, cut % body.length);
  }),
  fc.constant(Buffer.from(encodeMessage(JSON.parse('{"__proto__":{"op":"put"},"op":"put","key":"k","value":1,"x":2}')))),
);

const garbage = fc.oneof(rawGarbage.map((bytes) => ({ sealed: false, bytes })), sealedGarbage.map((bytes) => ({ sealed: true, bytes: Buffer.from(bytes) })));

let server: Started<Message>;
const allowed = new Set(["bad_frame", "frame_too_large", "invalid_message", "auth_failed", "integrity", "protocol_version", "connection", "timeout"]);

beforeAll(async () => {
  server = await startNode<Message>({ localId: "b", schema, maxFrameBytes: MAX, handshakeTimeoutMs: 2_000 });
  server.transport.addPeer("a");
});

afterAll(async () => {
  await server.transport.close();
});

describe("TcpTransport under hostile bytes", () => {
  it("turns any garbage into typed errors, delivers nothing invalid, and keeps serving fresh connections", async () => {
    let sentinel = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(garbage, { minLength: 1, maxLength: 4 }), async (authenticated, pieces) => {
        const evil = await RawPeer.connect(server.port);
        if (authenticated) {
          await evil.handshake("a", "b");
          await waitFor(() => evil.frames.length === 2 || evil.closed, "the welcome");
        }
        for (const piece of pieces) {
          if (piece.sealed && authenticated) evil.sendSealed(piece.bytes);
          else evil.write(piece.bytes);
        }
        evil.end();
        await waitFor(() => evil.closed, "the server to close the hostile connection");
        for (const error of server.errors) {
          expect(error).toBeInstanceOf(TransportError);
          expect(allowed.has(error.reason)).toBe(true);
        }
        for (const [, message] of server.received) expect(schema.safeParse(message).success).toBe(true);
        // A fresh, honest connection still gets through.
        const honest = await RawPeer.connect(server.port);
        await honest.handshake("a", "b");
        await waitFor(() => honest.frames.length === 2, "the welcome for the honest peer");
        const value = ++sentinel;
        honest.sendMessage({ op: "put", key: "sentinel", value });
        await waitFor(() => server.received.some(([, m]) => m.key === "sentinel" && m.value === value), "the honest message");
        honest.end();
        await waitFor(() => honest.closed, "the honest peer to leave");
      }),
      { numRuns: simRuns(25), seed: simSeed(1) },
    );
    expect(server.errors.length).toBeGreaterThan(0);
    expect(server.transport.metrics().rejectedFrames).toBeGreaterThan(0);
  });
});
