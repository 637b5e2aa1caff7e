import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { compareHlc, MAX_LOGICAL, MAX_WALL } from "../../src/ordering/hlc.js";
import { decodeHlc, decodeHlcBinary, encodeHlc, encodeHlcBinary } from "../../src/ordering/hlc-codec.js";
import type { HlcTimestamp } from "../../src/ordering/types.js";

const nodeIdArb = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 });
const timestampArb: fc.Arbitrary<HlcTimestamp> = fc.record({
  // Bias towards ties so logical and nodeId decide the order often.
  wall: fc.oneof(fc.integer({ min: 0, max: MAX_WALL }), fc.integer({ min: 0, max: 3 })),
  logical: fc.oneof(fc.integer({ min: 0, max: MAX_LOGICAL }), fc.integer({ min: 0, max: 2 })),
  nodeId: fc.oneof(nodeIdArb, fc.constantFrom("a", "ab", "b")),
});

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

describe("HLC encodings", () => {
  it("the string encoding round-trips exactly", () => {
    fc.assert(fc.property(timestampArb, (ts) => {
      expect(decodeHlc(encodeHlc(ts))).toEqual(ts);
    }));
  });

  it("the binary encoding round-trips exactly", () => {
    fc.assert(fc.property(timestampArb, (ts) => {
      expect(decodeHlcBinary(encodeHlcBinary(ts))).toEqual(ts);
    }));
  });

  it("string and binary encodings sort like the timestamps", () => {
    fc.assert(
      fc.property(timestampArb, timestampArb, (a, b) => {
        const expected = Math.sign(compareHlc(a, b));
        const sa = encodeHlc(a);
        const sb = encodeHlc(b);
        expect(Math.sign(sa < sb ? -1 : sa > sb ? 1 : 0)).toBe(expected);
        expect(Math.sign(compareBytes(encodeHlcBinary(a), encodeHlcBinary(b)))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("is compact: 16 characters or 8 bytes plus the node id", () => {
    const ts = { wall: 1_700_000_000_000, logical: 3, nodeId: "edge-a" };
    expect(encodeHlc(ts)).toBe("018bcfe568000003edge-a");
    expect(encodeHlcBinary(ts).length).toBe(14);
  });

  it("refuses malformed input with a ValidationError", () => {
    for (const text of ["", "018bcfe568000003", "018BCFE568000003edge-a", "zz8bcfe568000003edge-a", "018bcfe568000003has space"]) {
      expect(() => decodeHlc(text)).toThrow(ValidationError);
    }
    expect(() => decodeHlcBinary(new Uint8Array(8))).toThrow(ValidationError);
    expect(() => decodeHlcBinary(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0x20]))).toThrow(ValidationError);
    expect(() => encodeHlc({ wall: -1, logical: 0, nodeId: "a" })).toThrow(/wall/);
    for (const value of [null, undefined, 42]) {
      expect(() => encodeHlc(value as never)).toThrow(ValidationError);
      expect(() => encodeHlcBinary(value as never)).toThrow(ValidationError);
    }
  });
});
