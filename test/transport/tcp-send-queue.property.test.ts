import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameDecoder } from "../../src/transport/frame.js";
import { SendQueue } from "../../src/transport/tcp-send-queue.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

const wireBytes = (text: string): number => 4 + Buffer.byteLength(text, "utf8");

/** Texts of every UTF-8 width, some past the size where a frame gets its own buffer. */
const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("", "é", "€", "😀", "a"),
  fc.tuple(fc.constantFrom("a", "é", "€", "😀"), fc.integer({ min: 1, max: 9_000 })).map(([unit, n]) => unit.repeat(n)),
);

function decodeAll(buffers: readonly Buffer[]): string[] {
  const decoder = new FrameDecoder(1 << 30);
  for (const buffer of buffers) decoder.push(buffer);
  const out: string[] = [];
  for (let payload = decoder.next(); payload !== undefined; payload = decoder.next()) out.push(payload.toString("utf8"));
  return out;
}

describe("SendQueue", () => {
  it("counts UTF-8 bytes on the wire, not UTF-16 units", () => {
    const queue = new SendQueue();
    expect(queue.push("é€😀", 1_000)).toBe(true);
    expect(queue.bytes).toBe(4 + 2 + 3 + 4);
    expect(queue.messages).toBe(1);
    // 500 UTF-16 units but 1,000 bytes: refused against a 1,000-byte bound, and nothing is queued.
    expect(queue.push("é".repeat(500), 1_000)).toBe(false);
    expect(queue.bytes).toBe(13);
    expect(queue.push(`${"é".repeat(491)}a`, 1_000)).toBe(true);
    expect(queue.bytes).toBe(1_000);
    expect(decodeAll(queue.take().buffers)).toEqual(["é€😀", `${"é".repeat(491)}a`]);
    expect([queue.bytes, queue.messages]).toEqual([0, 0]);
  });

  it("property: holds exactly the texts that fit under the bound, in order, counted to the byte", async () => {
    await withSeed(simSeed(21), (seed) => {
      fc.assert(
        fc.property(fc.array(fc.tuple(text, fc.boolean()), { maxLength: 60 }), fc.integer({ min: 4, max: 120_000 }), (steps, maxBytes) => {
          const queue = new SendQueue();
          let expected: string[] = [];
          let bytes = 0;
          for (const [t, flushAfter] of steps) {
            const fits = bytes + wireBytes(t) <= maxBytes;
            expect(queue.push(t, maxBytes)).toBe(fits);
            if (fits) {
              expected.push(t);
              bytes += wireBytes(t);
            }
            expect(queue.bytes).toBe(bytes);
            expect(queue.messages).toBe(expected.length);
            if (flushAfter) {
              const taken = queue.take();
              expect(taken.bytes).toBe(bytes);
              expect(taken.buffers.reduce((n, b) => n + b.length, 0)).toBe(bytes);
              expect(decodeAll(taken.buffers)).toEqual(expected);
              expected = [];
              bytes = 0;
            }
          }
          expect(decodeAll(queue.take().buffers)).toEqual(expected);
        }),
        { seed, numRuns: simRuns(150) },
      );
    });
  });
});
