import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessageFrame, OWNED_FRAME_BYTES } from "../../src/transport/codec.js";
import { FrameDecoder } from "../../src/transport/frame.js";
import { SendQueue } from "../../src/transport/tcp-send-queue.js";
import { SlabPool } from "../../src/transport/slab-pool.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

/** Bodies of every size class, some past the size where a frame gets its own buffer. */
const body = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.integer({ min: 1, max: 20_000 }).map((n) => new Uint8Array(n).fill(n & 0xff)),
);

/** The payloads, as hex digests of their content: deep-comparing large buffers byte by byte is slow. */
function decodeAll(buffers: readonly Buffer[]): string[] {
  const decoder = new FrameDecoder(1 << 30);
  for (const buffer of buffers) decoder.push(buffer);
  const out: string[] = [];
  for (let payload = decoder.next(); payload !== undefined; payload = decoder.next()) out.push(digest(payload));
  return out;
}

function digest(bytes: Uint8Array): string {
  return `${bytes.length}:${createHash("sha1").update(bytes).digest("hex")}`;
}

describe("SendQueue", () => {
  it("counts the length prefix and the body", () => {
    const queue = new SendQueue();
    expect(queue.push(new Uint8Array(10), 1_000)).toBe(true);
    expect(queue.bytes).toBe(4 + 10);
    expect(queue.push(new Uint8Array(983), 1_000)).toBe(false);
    expect(queue.bytes).toBe(14);
    expect(queue.push(new Uint8Array(982), 1_000)).toBe(true);
    expect(queue.bytes).toBe(1_000);
    expect(decodeAll(queue.take().buffers).map((d) => d.split(":")[0])).toEqual(["10", "982"]);
    expect([queue.bytes, queue.messages]).toEqual([0, 0]);
  });

  it("property: holds exactly the bodies that fit under the bound, in order, counted to the byte", async () => {
    await withSeed(simSeed(21), (seed) => {
      fc.assert(
        fc.property(fc.array(fc.tuple(body, fc.boolean()), { maxLength: 60 }), fc.integer({ min: 4, max: 120_000 }), (steps, maxBytes) => {
          const queue = new SendQueue();
          const wire = (b: Uint8Array): number => 4 + b.length;
          let expected: string[] = [];
          let bytes = 0;
          for (const [b, flushAfter] of steps) {
            const fits = bytes + wire(b) <= maxBytes;
            expect(queue.push(b, maxBytes)).toBe(fits);
            if (fits) {
              expected.push(digest(b));
              bytes += wire(b);
            }
            expect(queue.bytes).toBe(bytes);
            expect(queue.messages).toBe(expected.length);
            if (flushAfter) {
              const taken = queue.take();
              expect(taken.bytes).toBe(bytes);
              expect(taken.buffers.reduce((n, x) => n + x.length, 0)).toBe(bytes);
              expect(decodeAll(taken.buffers)).toEqual(expected);
              expected = [];
              bytes = 0;
            }
          }
          expect(decodeAll(queue.take().buffers)).toEqual(expected);
        }),
        { seed, numRuns: simRuns(100) },
      );
    });
  });

  it("property: frames from the encoder, small ones in its scratch space and large ones of their own, come out as they went in", async () => {
    const around = fc.integer({ min: 0, max: 2 * OWNED_FRAME_BYTES }).map((n) => new Uint8Array(n).fill(n & 0xff));
    await withSeed(simSeed(22), (seed) => {
      fc.assert(
        fc.property(fc.array(fc.oneof(around, fc.string({ maxLength: 50 })), { minLength: 1, maxLength: 30 }), (values) => {
          const queue = new SendQueue();
          // Each encoding reuses the scratch space of the one before, so the queue must have taken its copy already.
          for (const [i, value] of values.entries()) expect(queue.pushEncoded(encodeMessageFrame({ i, value }), Number.MAX_SAFE_INTEGER)).toBe(true);
          const decoder = new FrameDecoder(1 << 30);
          for (const buffer of queue.take().buffers) decoder.push(buffer);
          const decoded: unknown[] = [];
          for (let payload = decoder.next(); payload !== undefined; payload = decoder.next()) {
            const result = decodeMessage(payload);
            decoded.push(result.ok ? result.value : result.error);
          }
          // Compared as digests: the byte arrays travel as bytes and decode as byte arrays.
          const canonical = (m: unknown): string => {
            const { i, value } = m as { i: number; value: unknown };
            return `${i}:${value instanceof Uint8Array ? digest(value) : JSON.stringify(value)}`;
          };
          expect(decoded.map(canonical)).toEqual(values.map((value, i) => canonical({ i, value })));
        }),
        { seed, numRuns: simRuns(50) },
      );
    });
  });
});

describe("SendQueue slabs", () => {
  it("hands out the slabs of a batch, and reuses them only once they are given back", () => {
    const pool = new SlabPool(1024, 2);
    const queue = new SendQueue(pool);
    queue.push(new Uint8Array(100).fill(1), 1 << 20);
    const first = queue.take();
    expect(first.slabs).toHaveLength(1);
    queue.push(new Uint8Array(100).fill(2), 1 << 20);
    const second = queue.take();
    // Not given back yet: the second batch lies in other memory, and the first is intact.
    expect(second.slabs[0]?.buffer).not.toBe(first.slabs[0]?.buffer);
    expect(decodeAll(first.buffers)).toEqual([digest(new Uint8Array(100).fill(1))]);
    queue.release(first.slabs);
    queue.push(new Uint8Array(100).fill(3), 1 << 20);
    expect(queue.take().slabs[0]).toBe(first.slabs[0]);
  });

  it("takeFull hands over the slabs already filled and keeps filling the open one", () => {
    const pool = new SlabPool(1024, 4);
    const queue = new SendQueue(pool);
    for (let i = 0; i < 3; i++) queue.push(new Uint8Array(300).fill(i), 1 << 20);
    // Three frames of 304 bytes fit in one slab: nothing is full yet.
    expect(queue.hasFull).toBe(false);
    queue.push(new Uint8Array(300).fill(3), 1 << 20);
    expect(queue.hasFull).toBe(true);
    const full = queue.takeFull();
    expect([full.messages, full.bytes, full.slabs.length]).toEqual([3, 912, 1]);
    expect([queue.messages, queue.bytes, queue.hasFull]).toEqual([1, 304, false]);
    const rest = queue.take();
    expect(decodeAll([...full.buffers, ...rest.buffers])).toEqual([0, 1, 2, 3].map((i) => digest(new Uint8Array(300).fill(i))));
    expect(rest.slabs).toHaveLength(1);
    expect(rest.slabs[0]).not.toBe(full.slabs[0]);
  });

  it("property: batches taken in any mix of take and takeFull, their slabs given back and overwritten at once, still carry every frame intact and in order", async () => {
    await withSeed(simSeed(23), (seed) => {
      fc.assert(
        fc.property(
          fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 1300 }) }), fc.constant({ take: "full" as const }), fc.constant({ take: "all" as const })), { maxLength: 80 }),
          (steps) => {
            const pool = new SlabPool(1024, 3);
            const queue = new SendQueue(pool);
            const expected: string[] = [];
            const received: string[] = [];
            let bytes = 0;
            let pushed = 0;
            const deliver = (taken: ReturnType<SendQueue["take"]>): void => {
              expect(taken.buffers.reduce((n, b) => n + b.length, 0)).toBe(taken.bytes);
              bytes -= taken.bytes;
              received.push(...decodeAll(taken.buffers));
              // Written: the slabs go back and are scribbled over, as a later batch would; what is still queued must not lie in them.
              queue.release(taken.slabs);
              for (const slab of taken.slabs) slab.fill(0xee);
            };
            for (const step of steps) {
              if ("push" in step) {
                const body = new Uint8Array(step.push).fill(pushed++ & 0xff);
                expect(queue.push(body, Number.MAX_SAFE_INTEGER)).toBe(true);
                expected.push(digest(body));
                bytes += 4 + body.length;
              } else {
                const fullBefore = queue.hasFull;
                const taken = step.take === "full" ? queue.takeFull() : queue.take();
                if (step.take === "full" && !fullBefore) expect(taken.messages).toBe(0);
                deliver(taken);
              }
              expect(queue.bytes).toBe(bytes);
            }
            deliver(queue.take());
            expect([queue.bytes, queue.messages]).toEqual([0, 0]);
            expect(received).toEqual(expected);
          },
        ),
        { seed, numRuns: simRuns(200) },
      );
    });
  });

  it("keeps at most its bound of idle slabs, and never a buffer of another size", () => {
    const pool = new SlabPool(64, 2);
    const slabs = [pool.take(), pool.take(), pool.take()];
    pool.release([...slabs, Buffer.alloc(32)]);
    const again = new Set([pool.take(), pool.take(), pool.take()]);
    expect(slabs.filter((s) => again.has(s))).toHaveLength(2);
  });
});
