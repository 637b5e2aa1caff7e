import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../src/transport/codec.js";
import { TransportError } from "../../src/transport/index.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

/** JSON-like values whose keys include the dangerous ones, with byte arrays mixed in. */
const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("__proto__", "constructor", "prototype", "toString"));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie("value")), { maxLength: 4 }).map((pairs) => {
      const object: Record<string, unknown> = {};
      for (const [k, v] of pairs) Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
      return object;
    }),
  ),
}));

/** Compares decoded with original: byte arrays by content, objects by own keys. */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (Object.getPrototypeOf(b) !== Object.prototype) return false;
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b) || (a === 0 && b === 0);
}

describe("wire codec", () => {
  it("property: every value round-trips, keys named __proto__ included, byte arrays as bytes", async () => {
    await withSeed(simSeed(31), (seed) => {
      fc.assert(
        fc.property(value, (v) => {
          const decoded = decodeMessage(Buffer.from(encodeMessage(v)));
          expect(decoded.ok).toBe(true);
          if (decoded.ok) expect(same(v, decoded.value)).toBe(true);
        }),
        { seed, numRuns: simRuns(300) },
      );
    });
  });

  it("property: hostile bytes give a typed error or a value, never an exception, and leave the decoder working", async () => {
    const hostile = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      value.chain((v) => {
        const bytes = Buffer.from(encodeMessage(v));
        return fc.nat({ max: Math.max(0, bytes.length - 1) }).map((cut) => bytes.subarray(0, cut));
      }),
      fc.integer({ min: 1, max: 200_000 }).map((depth) => Buffer.alloc(depth, 0x91)),
      fc.integer({ min: 1, max: 200_000 }).map((depth) => Buffer.concat([Buffer.alloc(depth, 0x81), Buffer.from([0xa9]), Buffer.from("__proto__")])),
      fc.constantFrom(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), Buffer.from([0xdf, 0x7f, 0xff, 0xff, 0xff]), Buffer.from([0xc6, 0xff, 0xff, 0xff, 0xf0])),
    );
    await withSeed(simSeed(32), (seed) => {
      fc.assert(
        fc.property(hostile, (bytes) => {
          const decoded = decodeMessage(bytes);
          if (!decoded.ok) {
            expect(decoded.error).toBeInstanceOf(TransportError);
            expect(decoded.error.reason).toBe("bad_frame");
          }
          expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
          const after = decodeMessage(Buffer.from(encodeMessage({ still: "working" })));
          expect(after).toEqual({ ok: true, value: { still: "working" } });
        }),
        { seed, numRuns: simRuns(200) },
      );
    });
  });

  it("never changes a prototype, even for a crafted __proto__ map", () => {
    // { "__proto__": { "polluted": true } } as MessagePack.
    const bytes = Buffer.concat([Buffer.from([0x81, 0xa9]), Buffer.from("__proto__"), Buffer.from([0x81, 0xa8]), Buffer.from("polluted"), Buffer.from([0xc3])]);
    const decoded = decodeMessage(bytes);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) {
      expect(Object.keys(decoded.value as object)).toEqual(["__proto__"]);
      expect(Object.getPrototypeOf(decoded.value)).toBe(Object.prototype);
    }
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});
