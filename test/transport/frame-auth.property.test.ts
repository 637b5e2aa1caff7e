import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BATCH_FAILED, FRAME_SUITES, FrameOpener, FrameSealer, TAG_FRAME_MARKER, type FrameSuite } from "../../src/transport/frame-auth.js";
import { FrameDecoder } from "../../src/transport/frame.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

const key = Buffer.alloc(32, 7);

function frameOf(body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, 4);
  return frame;
}

/** Splits `bytes` at the cut points (modulo its length), as a socket may deliver it. */
function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % bytes.length))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let last = 0;
  for (const point of points) {
    out.push(bytes.subarray(last, point));
    last = point;
  }
  out.push(bytes.subarray(last));
  return out;
}

/** Feeds a stream through decoder and opener: the payloads verified, in order, and whether any batch failed. */
function open(stream: Buffer, cuts: readonly number[], suite: FrameSuite): { payloads: Buffer[]; failed: boolean } {
  const decoder = new FrameDecoder(1 << 20);
  const opener = new FrameOpener(key, 1 << 22, suite);
  const payloads: Buffer[] = [];
  for (const piece of chunked(stream, cuts)) {
    decoder.push(piece);
    try {
      for (let payload = decoder.next(); payload !== undefined; payload = decoder.next()) {
        const opened = opener.accept(payload);
        if (opened.kind === "failed") return { payloads, failed: true };
        if (opened.kind === "verified") payloads.push(...opened.payloads);
      }
    } catch {
      return { payloads, failed: true };
    }
  }
  return { payloads, failed: false };
}

/**
 * {@link open} as the connection reads: each payload a range of the buffer it arrived in, so a chunk's
 * frames come in one Buffer object; with `copies`, every chunk in memory of its own rather than a view of the stream.
 */
function openAt(stream: Buffer, cuts: readonly number[], suite: FrameSuite, copies: boolean): { payloads: string[]; failed: boolean } {
  const decoder = new FrameDecoder(1 << 20);
  const opener = new FrameOpener(key, 1 << 22, suite);
  const payloads: string[] = [];
  for (const piece of chunked(stream, cuts)) {
    decoder.push(copies ? Buffer.from(piece) : piece);
    try {
      for (let length = decoder.nextLength(); length >= 0; length = decoder.nextLength()) {
        const outcome = opener.acceptAt(decoder.payloadBuffer, decoder.payloadStart, length);
        if (outcome === BATCH_FAILED) return { payloads, failed: true };
        for (let i = 0; i < opener.verifiedCount; i++) {
          const start = opener.verifiedStart(i);
          payloads.push(opener.verifiedBuffer(i).toString("hex", start, start + opener.verifiedLength(i)));
        }
        opener.delivered();
      }
    } catch {
      return { payloads, failed: true };
    }
  }
  return { payloads, failed: false };
}

/** A message body: never starting with the tag marker, which MessagePack never uses. */
const body = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.uint8Array({ minLength: 1, maxLength: 3_000 })).filter((b) => b[0] !== TAG_FRAME_MARKER);
/** Batches of message bodies, some spanning several chunks. */
const batches = fc.array(fc.array(body, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 });
const cuts = fc.array(fc.nat(), { maxLength: 30 });

function seal(bodies: readonly (readonly Uint8Array[])[], suite: FrameSuite): Buffer {
  const sealer = new FrameSealer(key, suite);
  // Small frames back to back in one buffer, as the send queue packs them; each batch is one write.
  return Buffer.concat(bodies.flatMap((batch) => sealer.seal([Buffer.concat(batch.map(frameOf))])));
}

describe.each(FRAME_SUITES)("frame integrity tags (%s)", (suite) => {
  it("property: however the stream is cut into chunks, every frame is verified and delivered in order", async () => {
    await withSeed(simSeed(41), (seed) => {
      fc.assert(
        fc.property(batches, cuts, (bodies, at) => {
          const { payloads, failed } = open(seal(bodies, suite), at, suite);
          expect(failed).toBe(false);
          expect(payloads.map((p) => Buffer.from(p).toString("hex"))).toEqual(bodies.flat().map((b) => Buffer.from(b).toString("hex")));
        }),
        { seed, numRuns: simRuns(100) },
      );
    });
  });

  it("verifies and delivers every frame when the stream is split at every byte offset into two reads, and at every pair of offsets into three", () => {
    // Two batches; frames small and large, so a split falls in prefixes, bodies and tag frames alike.
    const bodies = [[Buffer.from([1]), Buffer.alloc(6, 2), Buffer.from([3, 3])], [Buffer.alloc(3, 4)]];
    const stream = seal(bodies, suite);
    const expected = bodies.flat().map((b) => b.toString("hex"));
    for (let first = 1; first < stream.length; first++) {
      for (let second = first; second < stream.length; second++) {
        const { payloads, failed } = open(stream, first === second ? [first] : [first, second], suite);
        if (failed || payloads.length !== expected.length) throw new Error(`split at ${first} and ${second}: ${failed ? "a batch failed" : `${payloads.length} payloads`}`);
        expect(payloads.map((p) => Buffer.from(p).toString("hex"))).toEqual(expected);
      }
    }
  });

  it("property: changing any one byte of the stream fails a batch, and nothing after the change is delivered", async () => {
    await withSeed(simSeed(42), (seed) => {
      fc.assert(
        fc.property(batches, cuts, fc.nat(), fc.integer({ min: 1, max: 255 }), (bodies, at, where, flip) => {
          const stream = seal(bodies, suite);
          const index = where % stream.length;
          const tampered = Buffer.from(stream);
          tampered[index] = (tampered[index] as number) ^ flip;
          const { payloads, failed } = open(tampered, at, suite);
          // A changed length prefix may also leave the stream waiting for bytes that never come.
          const honest = open(stream, at, suite).payloads;
          expect(failed || payloads.length < honest.length).toBe(true);
          // Whatever was delivered is a prefix of what was sent, unchanged.
          expect(payloads.map((p) => Buffer.from(p).toString("hex"))).toEqual(honest.slice(0, payloads.length).map((p) => Buffer.from(p).toString("hex")));
        }),
        { seed, numRuns: simRuns(100) },
      );
    });
  });

  it("property: payloads passed as ranges of the chunks they arrived in are verified and delivered as views are, and a changed byte still fails", async () => {
    await withSeed(simSeed(43), (seed) => {
      fc.assert(
        fc.property(batches, cuts, fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), (bodies, at, copies, where, flip) => {
          const stream = seal(bodies, suite);
          const honest = openAt(stream, at, suite, copies);
          expect(honest.failed).toBe(false);
          expect(honest.payloads).toEqual(bodies.flat().map((b) => Buffer.from(b).toString("hex")));
          const tampered = Buffer.from(stream);
          const index = where % stream.length;
          tampered[index] = (tampered[index] as number) ^ flip;
          const { payloads, failed } = openAt(tampered, at, suite, copies);
          expect(failed || payloads.length < honest.payloads.length).toBe(true);
          expect(payloads).toEqual(honest.payloads.slice(0, payloads.length));
        }),
        { seed, numRuns: simRuns(100) },
      );
    });
  });

  it("verifies payloads that are not views of a received stream (prefixes written for them)", () => {
    const bodies = [Buffer.from("one"), Buffer.from("two"), Buffer.from("three")];
    const stream = seal([bodies], suite);
    const opener = new FrameOpener(key, 1 << 20, suite);
    // Copies without their prefix in front of them, then the tag frame.
    for (const body of bodies) expect(opener.accept(Buffer.from(body)).kind).toBe("held");
    const tag = stream.subarray(stream.length - 17);
    const opened = opener.accept(Buffer.from(tag));
    expect(opened.kind).toBe("verified");
  });
});
