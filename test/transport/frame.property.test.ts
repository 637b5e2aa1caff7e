import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { encodeFrame, FrameDecoder, parsePayload } from "../../src/transport/frame.js";
import { TransportError } from "../../src/transport/index.js";
import { simRuns, simSeed } from "../support/sim.js";

const MAX = 4_096;
const params = { numRuns: simRuns(200), seed: simSeed(1) };

/** Splits `bytes` at the given cut points (taken modulo its length). */
function chunk(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  out.push(bytes.subarray(last));
  return out;
}

/** Feeds chunks, collecting payloads and the one error the decoder may raise. */
function feed(decoder: FrameDecoder, chunks: Buffer[]): { payloads: Buffer[]; error: unknown } {
  const payloads: Buffer[] = [];
  try {
    for (const c of chunks) {
      decoder.push(c);
      for (let p = decoder.next(); p !== undefined; p = decoder.next()) payloads.push(p);
    }
    return { payloads, error: undefined };
  } catch (error) {
    return { payloads, error };
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 3 }).filter((v) => JSON.stringify(v) !== undefined && Buffer.byteLength(JSON.stringify(v)) <= MAX);

describe("frame decoder", () => {
  it("reassembles any sequence of frames however the stream is chunked", () => {
    fc.assert(
      fc.property(fc.array(jsonValue, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (values, cuts) => {
        const stream = Buffer.concat(values.map((v) => encodeFrame(v, MAX)));
        const { payloads, error } = feed(new FrameDecoder(MAX), chunk(stream, cuts));
        expect(error).toBeUndefined();
        expect(payloads.map((p) => JSON.parse(p.toString("utf8")))).toEqual(values.map((v) => JSON.parse(JSON.stringify(v))));
      }),
      params,
    );
  });

  it("never throws anything but a typed error on random bytes, and stays failed once failed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3_000 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const decoder = new FrameDecoder(MAX);
        const { payloads, error } = feed(decoder, chunk(Buffer.from(bytes), cuts));
        for (const p of payloads) {
          expect(p.length).toBeLessThanOrEqual(MAX);
          const parsed = parsePayload(p);
          if (!parsed.ok) {
            expect(parsed.error).toBeInstanceOf(TransportError);
            expect(parsed.error.reason).toBe("bad_frame");
          }
        }
        if (error !== undefined) {
          expect(error).toBeInstanceOf(TransportError);
          expect((error as TransportError).reason).toBe("frame_too_large");
          expect(() => decoder.next()).toThrow(error as Error);
          expect(decoder.end()).toBeUndefined();
        } else {
          const leftover = decoder.end();
          if (leftover !== undefined) expect(leftover.reason).toBe("bad_frame");
        }
      }),
      params,
    );
  });

  it("refuses an oversized length prefix before buffering the frame", () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX + 1, max: 0xffff_ffff }), fc.uint8Array({ maxLength: 100 }), (length, tail) => {
        const head = Buffer.alloc(4);
        head.writeUInt32BE(length, 0);
        const decoder = new FrameDecoder(MAX);
        decoder.push(Buffer.concat([head, tail]));
        expect(() => decoder.next()).toThrow(expect.objectContaining({ reason: "frame_too_large" }));
        expect(decoder.pendingBytes).toBe(0);
      }),
      params,
    );
  });

  it("reports a truncated frame at end of stream", () => {
    fc.assert(
      fc.property(jsonValue, fc.nat(), (value, cut) => {
        const frame = encodeFrame(value, MAX);
        const at = 1 + (cut % (frame.length - 1));
        const decoder = new FrameDecoder(MAX);
        decoder.push(frame.subarray(0, at));
        expect(decoder.next()).toBeUndefined();
        expect(decoder.end()).toEqual(expect.objectContaining({ reason: "bad_frame" }));
      }),
      params,
    );
  });

  it("encodes within limits and refuses what cannot go on the wire", () => {
    expect(() => encodeFrame("x".repeat(MAX), MAX)).toThrow(expect.objectContaining({ reason: "frame_too_large" }));
    expect(() => encodeFrame(undefined, MAX)).toThrow(expect.objectContaining({ reason: "invalid_message" }));
    expect(() => encodeFrame({ n: 1n }, MAX)).toThrow(expect.objectContaining({ reason: "invalid_message" }));
    const frame = encodeFrame({ é: "ü" }, MAX);
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
  });
});
