import fc from "fast-check";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { decodeMessage, encodeMessageFrame, OWNED_FRAME_BYTES } from "../../src/transport/codec.js";
import { copyFrame } from "../../src/transport/encoded-frame.js";
import { FrameDecoder } from "../../src/transport/frame.js";
import { SPLICE_MIN_BYTES } from "../../src/transport/msgpack-writer.js";
import { SendQueue } from "../../src/transport/tcp-send-queue.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";
import { link, trackedNodes, waitFor } from "./tcp-helpers.js";

// The codec's msgpackr settings: splicing must not change a byte of what goes on the wire.
const packr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false });
const node = trackedNodes();

/** Byte arrays on both sides of the splice threshold, with content that shows where each byte went. */
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.integer({ min: SPLICE_MIN_BYTES - 2, max: SPLICE_MIN_BYTES + 2 }),
  fc.integer({ min: 0, max: 3 * SPLICE_MIN_BYTES }),
  fc.integer({ min: 0x10000 - 8, max: 0x10000 + 8 }),
).map((spec) => (typeof spec === "number" ? Uint8Array.from({ length: spec }, (_, i) => (i * 7 + spec) & 0xff) : spec));

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    bytes,
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 6 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("value"), { maxKeys: 6 }),
  ),
}));

/** The whole frame as it goes into the send queue. */
function materialize(message: unknown): Buffer {
  const frame = encodeMessageFrame(message);
  const out = Buffer.alloc(frame.length);
  copyFrame(frame, out, 0);
  return out;
}

/** What the frame must be: the length prefix and msgpackr's bytes for the message. */
function expectedFrame(message: unknown): Buffer {
  const body = packr.pack(message);
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(body.length, 0);
  return Buffer.concat([prefix, body]);
}

function decodeFrames(buffers: readonly Buffer[]): unknown[] {
  const decoder = new FrameDecoder(1 << 30);
  for (const buffer of buffers) decoder.push(buffer);
  const out: unknown[] = [];
  for (let payload = decoder.next(); payload !== undefined; payload = decoder.next()) {
    const decoded = decodeMessage(payload);
    out.push(decoded.ok ? decoded.value : decoded.error);
  }
  return out;
}

describe("spliced byte arrays", () => {
  it("property: a frame with spliced byte arrays is byte for byte msgpackr's, and decodes to the same bytes", async () => {
    await withSeed(simSeed(31), (seed) => {
      fc.assert(
        fc.property(value, (message) => {
          const frame = materialize(message);
          expect(frame.equals(expectedFrame(message))).toBe(true);
          const [decoded] = decodeFrames([frame]);
          expect(Buffer.from(packr.pack(decoded)).equals(Buffer.from(packr.pack(message)))).toBe(true);
        }),
        { seed, numRuns: simRuns(200) },
      );
    });
  });

  it("splices byte arrays from the threshold on, and copies smaller ones", () => {
    const large = new Uint8Array(SPLICE_MIN_BYTES).fill(1);
    const small = new Uint8Array(SPLICE_MIN_BYTES - 1).fill(2);
    const frame = encodeMessageFrame({ a: large, b: small, c: [large] });
    expect(frame.splices.map((s) => s.bytes)).toEqual([large, large]);
    expect(frame.length).toBe(frame.end - frame.start + 2 * SPLICE_MIN_BYTES);
    expect(materialize({ a: large, b: small, c: [large] }).equals(expectedFrame({ a: large, b: small, c: [large] }))).toBe(true);
  });

  it("a frame past the owned size is materialized at once, splices included", () => {
    const huge = new Uint8Array(OWNED_FRAME_BYTES).fill(3);
    const frame = encodeMessageFrame({ huge });
    expect(frame.owned).toBe(true);
    expect(frame.splices).toHaveLength(0);
    expect(frame.bytes.subarray(frame.start, frame.end).equals(expectedFrame({ huge }))).toBe(true);
  });

  it("changing a byte array after it was queued changes nothing queued", () => {
    const queue = new SendQueue();
    const chunks = [new Uint8Array(64 * 1024).fill(5), new Uint8Array(OWNED_FRAME_BYTES + 10).fill(6), new Uint8Array(SPLICE_MIN_BYTES).fill(7)];
    for (const [i, chunk] of chunks.entries()) expect(queue.pushEncoded(encodeMessageFrame({ i, chunk }), Number.MAX_SAFE_INTEGER)).toBe(true);
    for (const chunk of chunks) chunk.fill(0xee);
    const decoded = decodeFrames(queue.take().buffers) as Array<{ i: number; chunk: Uint8Array }>;
    expect(decoded.map((m) => [m.i, m.chunk.length, m.chunk.every((b) => b === [5, 6, 7][m.i])])).toEqual([
      [0, 64 * 1024, true],
      [1, OWNED_FRAME_BYTES + 10, true],
      [2, SPLICE_MIN_BYTES, true],
    ]);
  });

  it("a peer receives the bytes as they were at send, validated, whatever the sender does with the array afterwards", async () => {
    const schema = z.object({ n: z.number().int(), chunk: z.instanceof(Uint8Array) });
    const a = await node<z.infer<typeof schema>>({ localId: "a", schema });
    const b = await node<z.infer<typeof schema>>({ localId: "b", schema });
    link(a, b);
    const chunk = new Uint8Array(64 * 1024);
    const count = 20;
    for (let n = 0; n < count; n++) {
      // One array, refilled for every message, as a reader that reuses its buffer does.
      chunk.fill(n);
      a.transport.send("b", { n, chunk });
    }
    chunk.fill(0xff);
    await waitFor(() => b.received.length === count, "every message");
    expect(b.received.map(([, m]) => m.chunk.every((x) => x === m.n) && m.chunk.length === chunk.length)).toEqual(new Array(count).fill(true));
    expect(b.errors).toEqual([]);
  });
});
