import * as zlib from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32, crc32Fallback } from "../../src/storage/crc32.js";
import { encodeFrame, scanFrames } from "../../src/storage/frame.js";

describe("crc32", () => {
  it("matches the standard check value and Node's implementation", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(crc32Fallback(bytes)).toBe(crc32(bytes));
        const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
        if (native !== undefined) expect(crc32(bytes)).toBe(native(bytes) >>> 0);
      }),
    );
  });
});

describe("scanFrames", () => {
  const payloadsArb = fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 8 });

  it("reads back every framed payload", () => {
    fc.assert(
      fc.property(payloadsArb, (payloads) => {
        const scan = scanFrames(Buffer.concat(payloads.map((p) => encodeFrame(p))), { syncedLength: 0, tornTailAllowed: true }, 1024);
        expect(scan.kind).toBe("clean");
        expect(scan.frames.map((f) => Buffer.from(f.payload))).toEqual(payloads.map((p) => Buffer.from(p)));
      }),
    );
  });

  it("reports any strict prefix of the frames as torn at the last whole frame", () => {
    fc.assert(
      fc.property(payloadsArb, fc.nat(), (payloads, pick) => {
        const frames = payloads.map((p) => encodeFrame(p));
        const all = Buffer.concat(frames);
        const cut = pick % all.length;
        const scan = scanFrames(all.subarray(0, cut), { syncedLength: 0, tornTailAllowed: true }, 1024);
        const whole: number[] = [];
        let end = 0;
        for (const frame of frames) {
          if (end + frame.length > cut) break;
          end += frame.length;
          whole.push(end);
        }
        const expectedLength = whole.at(-1) ?? 0;
        if (expectedLength === cut) expect(scan.kind).toBe("clean");
        else expect(scan).toMatchObject({ kind: "torn", validLength: expectedLength });
        expect(scan.frames.length).toBe(whole.length);
      }),
    );
  });

  it("calls the same damage corruption in a sealed segment", () => {
    const buf = Buffer.concat([encodeFrame(Buffer.from("a")), encodeFrame(Buffer.from("b"))]);
    expect(scanFrames(buf.subarray(0, buf.length - 1), { syncedLength: 0, tornTailAllowed: false }, 1024)).toMatchObject({ kind: "corrupt", offset: 9 });
  });
});

describe("scanFrames with a synced length", () => {
  it("calls damage below the synced length corruption and past it a torn tail, reading each byte once", () => {
    const frames = ["a", "bb", "ccc"].map((p) => encodeFrame(Buffer.from(p)));
    const all = Buffer.concat(frames);
    const synced = (frames[0] as Buffer).length + (frames[1] as Buffer).length;
    const damagedSecond = Buffer.from(all);
    damagedSecond[synced - 1] = (damagedSecond[synced - 1] as number) ^ 1;
    expect(scanFrames(damagedSecond, { syncedLength: synced, tornTailAllowed: true }, 1024)).toMatchObject({ kind: "corrupt", offset: (frames[0] as Buffer).length });
    const damagedThird = Buffer.from(all);
    damagedThird[all.length - 1] = (damagedThird[all.length - 1] as number) ^ 1;
    expect(scanFrames(damagedThird, { syncedLength: synced, tornTailAllowed: true }, 1024)).toMatchObject({ kind: "torn", validLength: synced });
    expect(scanFrames(all.subarray(0, synced - 1), { syncedLength: synced, tornTailAllowed: true }, 1024)).toMatchObject({ kind: "corrupt" });
    expect(scanFrames(all, { syncedLength: synced, tornTailAllowed: true }, 1024).checkedBytes).toBe(all.length);
  });
});
