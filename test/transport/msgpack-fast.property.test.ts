import fc from "fast-check";
import { Packr, Unpackr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../src/transport/codec.js";
import { DECLINED, MAX_FAST_DEPTH, readMessagePack } from "../../src/transport/msgpack-reader.js";
import { writeMessagePack, writtenBuffer } from "../../src/transport/msgpack-writer.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

// The codec's msgpackr settings: the hand-written reader and writer must agree with them byte for byte.
const packr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 90 }), fc.string({ minLength: 60, maxLength: 300 }));
const key = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: "binary", maxLength: 6 }), fc.constantFrom("constructor", "toString", "valueOf", "0", "12"));
const number = fc.oneof(
  fc.integer(),
  fc.integer({ min: -0x80, max: 0x80 }),
  fc.constantFrom(0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffff_ffff, 0x1_0000_0000, -0x20, -0x21, -0x80, -0x81, -0x8000, -0x8001, -0x8000_0000, -0x8000_0001, -0, 2 ** 53, -(2 ** 53)),
  fc.double(),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie("value"), { maxLength: 20 }),
    fc.array(fc.tuple(key, tie("value")), { maxLength: 20 }).map((pairs) => {
      const object: Record<string, unknown> = {};
      for (const [k, v] of pairs) object[k] = v;
      return object;
    }),
  ),
}));

/** Strict equality through the structure: `Object.is` for leaves, bytes by content, own keys in order. */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

function hasOwnConstructor(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasOwnConstructor);
  if (typeof v !== "object" || v === null || v instanceof Uint8Array) return false;
  return Object.hasOwn(v, "constructor") || Object.values(v).some(hasOwnConstructor);
}

function written(v: unknown): Buffer | undefined {
  const end = writeMessagePack(v, Buffer.alloc(16), 0);
  return end < 0 ? undefined : Buffer.from(writtenBuffer().subarray(0, end));
}

function msgpackrDecode(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: unpackr.unpack(bytes) };
  } catch {
    return { ok: false };
  }
}

describe("hand-written MessagePack reader and writer", () => {
  it("property: the writer writes exactly msgpackr's bytes, and the reader decodes them as msgpackr does", async () => {
    await withSeed(simSeed(41), (seed) => {
      fc.assert(
        fc.property(value, (v) => {
          const ours = written(v);
          const theirs = Buffer.from(packr.pack(v));
          // An object whose own `constructor` hides Object's is left to msgpackr; nothing else is.
          if (ours === undefined) expect(hasOwnConstructor(v)).toBe(true);
          else expect(ours.toString("hex")).toBe(theirs.toString("hex"));
          const read = readMessagePack(theirs);
          expect(read).not.toBe(DECLINED);
          expect(same(read, unpackr.unpack(theirs))).toBe(true);
        }),
        { seed, numRuns: simRuns(400) },
      );
    });
  });

  it("property: on any bytes the reader either declines or agrees with msgpackr, and never decodes what msgpackr refuses", async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      // Valid encodings cut short, with a byte changed, or with bytes appended.
      fc.tuple(value, fc.nat(), fc.nat({ max: 255 }), fc.uint8Array({ maxLength: 4 })).map(([v, at, byte, tail]) => {
        const encoded = Buffer.from(packr.pack(v));
        const variant = at % 3;
        if (variant === 0) return encoded.subarray(0, at % (encoded.length + 1));
        if (variant === 1) {
          encoded[at % encoded.length] = byte;
          return encoded;
        }
        return Buffer.concat([encoded, tail]);
      }),
    );
    await withSeed(simSeed(42), (seed) => {
      fc.assert(
        fc.property(bytes, (input) => {
          // A `__proto__` key is renamed by msgpackr and kept by the codec: compared in the codec's own tests.
          fc.pre(!input.includes("__proto__"));
          const read = readMessagePack(input);
          if (read === DECLINED) return;
          const reference = msgpackrDecode(input);
          expect(reference.ok).toBe(true);
          if (reference.ok) expect(same(read, reference.value)).toBe(true);
        }),
        { seed, numRuns: simRuns(1000) },
      );
    });
  });

  it("declines declared lengths beyond the payload without allocating for them, and deep nesting past its limit", () => {
    for (const claim of ["dd7fffffff", "dfffffffff", "c6fffffff0", "dbffffffff"]) expect(readMessagePack(Buffer.from(claim, "hex"))).toBe(DECLINED);
    const deep = Buffer.concat([Buffer.alloc(MAX_FAST_DEPTH + 1, 0x91), Buffer.from([0xc0])]);
    expect(readMessagePack(deep)).toBe(DECLINED);
    // The codec then falls back to msgpackr, which decodes what the stack allows.
    const decoded = decodeMessage(deep);
    expect(decoded.ok).toBe(true);
    const shallow = Buffer.concat([Buffer.alloc(MAX_FAST_DEPTH, 0x91), Buffer.from([0xc0])]);
    expect(readMessagePack(shallow)).not.toBe(DECLINED);
  });

  it("keeps a __proto__ key as an own property, and leaves exotic values to msgpackr", () => {
    const crafted = Buffer.concat([Buffer.from([0x81, 0xa9]), Buffer.from("__proto__"), Buffer.from([0x81, 0xa8]), Buffer.from("polluted"), Buffer.from([0xc3])]);
    const read = readMessagePack(crafted) as Record<string, unknown>;
    expect(Object.keys(read)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    for (const exotic of [new Date(0), new Map([["a", 1]]), 2n ** 40n, new Uint16Array(2), Object.create(null) as object, { toJSON: () => 1 }]) {
      expect(written(exotic)).toBeUndefined();
      // Through the codec they still round-trip as msgpackr encodes them.
      const decoded = decodeMessage(Buffer.from(encodeMessage(exotic)));
      expect(decoded.ok).toBe(true);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(written(cyclic)).toBeUndefined();
    expect(() => encodeMessage(cyclic)).toThrow(expect.objectContaining({ reason: "invalid_message" }) as Error);
  });

  it("decodes keys the same at every position of a map: repeated keys keep the last value, __proto__ stays an own key", async () => {
    // Maps of up to six entries with keys from a small set, so that every position sees repeats, `__proto__` and numeric keys.
    const keyAt = fc.constantFrom("a", "b", "__proto__", "0", "constructor");
    const entries = fc.array(fc.tuple(keyAt, fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 6 });
    await withSeed(simSeed(43), (seed) => {
      fc.assert(
        fc.property(entries, (pairs) => {
          const bytes = Buffer.concat([Buffer.from([0x80 | pairs.length]), ...pairs.map(([k, v]) => Buffer.concat([Buffer.from([0xa0 | k.length]), Buffer.from(k), Buffer.from([v])]))]);
          const read = readMessagePack(bytes) as Record<string, unknown>;
          const expected: Record<string, unknown> = {};
          for (const [k, v] of pairs) Object.defineProperty(expected, k, { value: v, enumerable: true, writable: true, configurable: true });
          expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
          expect(Object.keys(read)).toEqual(Object.keys(expected));
          for (const k of Object.keys(expected)) expect(Object.getOwnPropertyDescriptor(read, k)?.value).toBe(Object.getOwnPropertyDescriptor(expected, k)?.value);
        }),
        { seed, numRuns: simRuns(200) },
      );
    });
  });
});
