import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeMessageFrame } from "../../src/transport/codec.js";
import { copyFrame } from "../../src/transport/encoded-frame.js";
import { SlabPool } from "../../src/transport/slab-pool.js";
import { SendQueue } from "../../src/transport/tcp-send-queue.js";
import { TransportError } from "../../src/transport/types.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

type Outcome = "queued" | "too_large" | "full";

/** What the transport's `send` does: straight into the queue when it can, else the general path. */
function enqueue(queue: SendQueue, message: unknown, maxBytes: number, maxBody: number): Outcome {
  if (queue.pushMessage(message, maxBytes, maxBody)) return "queued";
  const frame = encodeMessageFrame(message);
  if (frame.length - 4 > maxBody) return "too_large";
  return queue.pushEncoded(frame, maxBytes) ? "queued" : "full";
}

/** The same decisions and bytes, from encoding every message the general way. */
function reference(messages: readonly unknown[], maxBytes: number, maxBody: number): { outcomes: Outcome[]; bytes: Buffer } {
  const outcomes: Outcome[] = [];
  const frames: Buffer[] = [];
  let queued = 0;
  for (const message of messages) {
    const frame = encodeMessageFrame(message);
    const copy = Buffer.alloc(frame.length);
    copyFrame(frame, copy, 0);
    if (frame.length - 4 > maxBody) outcomes.push("too_large");
    else if (queued + frame.length > maxBytes) outcomes.push("full");
    else {
      outcomes.push("queued");
      frames.push(copy);
      queued += frame.length;
    }
  }
  return { outcomes, bytes: Buffer.concat(frames) };
}

const message = fc.oneof(
  fc.record({ s: fc.integer(), d: fc.string({ maxLength: 120 }) }),
  fc.record({ t: fc.constantFrom("append", "vote"), term: fc.nat(), data: fc.uint8Array({ maxLength: 600 }) }),
  fc.array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 30 }), fc.double(), fc.boolean(), fc.constant(null)), { maxLength: 8 }),
  // Left to msgpackr by the hand-written writer: queued the general way.
  fc.date({ noInvalidDate: true }).map((at) => ({ at })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }).map((n) => ({ n })),
);

describe("SendQueue.pushMessage", () => {
  it("property: queues the bytes and makes the decisions of encoding each message on its own, whatever the slab size", async () => {
    await withSeed(simSeed(31), (seed) => {
      fc.assert(
        fc.property(
          fc.array(message, { maxLength: 40 }),
          fc.integer({ min: 64, max: 2048 }),
          fc.integer({ min: 4, max: 20_000 }),
          fc.integer({ min: 1, max: 1_000 }),
          (messages, slabBytes, maxBytes, maxBody) => {
            const queue = new SendQueue(new SlabPool(slabBytes, 2));
            const outcomes = messages.map((m) => enqueue(queue, m, maxBytes, maxBody));
            const expected = reference(messages, maxBytes, maxBody);
            expect(outcomes).toEqual(expected.outcomes);
            expect(queue.bytes).toBe(expected.bytes.length);
            expect(queue.messages).toBe(expected.outcomes.filter((o) => o === "queued").length);
            expect(Buffer.concat(queue.take().buffers).equals(expected.bytes)).toBe(true);
          },
        ),
        { seed, numRuns: simRuns(200) },
      );
    });
  });

  it("names a message that cannot be encoded, queueing nothing", () => {
    const queue = new SendQueue(new SlabPool(1024, 2));
    const hostile = {
      get boom(): never {
        throw new Error("getter");
      },
    };
    expect(() => queue.pushMessage({ ok: 1, nested: hostile }, 1 << 20, 1 << 20)).toThrow(TransportError);
    expect([queue.messages, queue.bytes]).toEqual([0, 0]);
  });

  it("gives an unused slab back to the pool when the message is queued another way", () => {
    const pool = new SlabPool(64, 4);
    const queue = new SendQueue(pool);
    const large = { d: new Uint8Array(200) };
    expect(queue.pushMessage(large, 1 << 20, 1 << 20)).toBe(false);
    expect(pool.idle).toBe(0);
    expect(queue.pushEncoded(encodeMessageFrame(large), 1 << 20)).toBe(true);
    expect(pool.idle).toBe(1);
  });
});
