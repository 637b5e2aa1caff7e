import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { decodeEntries, encodeEntries, loadZlibCodec, openChunk, sealChunk } from "../../src/migration/chunk.js";
import { ChecksumMismatchError } from "../../src/migration/errors.js";
import { MIGRATION_TRANSITIONS, PhaseMachine, type MigrationMachineEvent } from "../../src/migration/machine.js";
import { TokenBucket } from "../../src/migration/token-bucket.js";
import type { MigrationPhase } from "../../src/migration/types.js";

const entry = fc.record(
  {
    key: fc.string({ maxLength: 20 }),
    value: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }),
    ttlMs: fc.integer({ min: 1, max: 1e9 }),
  },
  { requiredKeys: ["key", "value"] },
);

describe("chunks", () => {
  it("frame round-trips any entries", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
        expect(decodeEntries(encodeEntries(entries))).toEqual(entries);
      }),
    );
  });

  it("a flipped byte never reaches apply as different data, compressed or not", async () => {
    const zlib = await loadZlibCodec();
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 10 }), fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), (entries, compress, where, mask) => {
        const codec = compress ? zlib : null;
        const chunk = sealChunk(0, entries, codec);
        expect(openChunk(chunk, codec)).toEqual(entries);
        const payload = new Uint8Array(chunk.payload);
        const at = where % payload.length;
        payload[at] = (payload[at] ?? 0) ^ mask;
        // A flip in deflate's padding bits can inflate to the very same bytes: that is no corruption
        // of the data. Anything else must be refused before it is applied.
        let opened: unknown;
        try {
          opened = openChunk({ ...chunk, payload }, codec);
        } catch (error) {
          expect(error).toBeInstanceOf(ChecksumMismatchError);
          return;
        }
        expect(compress).toBe(true);
        expect(opened).toEqual(entries);
      }),
    );
  });

  it("accounts raw and wire bytes", async () => {
    const entries = [{ key: "k", value: new Uint8Array(10_000).fill(7) }];
    const plain = sealChunk(0, entries, null);
    const packed = sealChunk(1, entries, await loadZlibCodec());
    expect(plain.rawBytes).toBe(plain.wireBytes);
    expect(packed.rawBytes).toBe(plain.rawBytes);
    expect(packed.wireBytes).toBeLessThan(packed.rawBytes / 20);
  });
});

describe("TokenBucket", () => {
  it("passes the burst at once, then paces at the rate on the clock", async () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket(clock, { ratePerSec: 1_000, burst: 500 });
    await bucket.take(500);
    let done = false;
    const next = bucket.take(250).then(() => (done = true));
    await clock.advanceAsync(249);
    expect(done).toBe(false);
    await clock.advanceAsync(1);
    await next;
    expect(done).toBe(true);
    // A take larger than the burst goes into debt that the next take waits out.
    expect(bucket.waitMs(0)).toBe(0);
    const big = bucket.take(2_000);
    await clock.advanceAsync(2_000);
    await big;
    expect(bucket.available()).toBeCloseTo(0, 6);
  });

  it("never exceeds the rate over time", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 3_000 }), { minLength: 1, maxLength: 30 }), async (takes) => {
        const clock = new ManualClock(0);
        const bucket = new TokenBucket(clock, { ratePerSec: 10_000, burst: 1_000 });
        for (const n of takes) {
          const p = bucket.take(n);
          await clock.runAll();
          await p;
        }
        const total = takes.reduce((a, b) => a + b, 0);
        expect(clock.now()).toBeGreaterThanOrEqual(((total - 1_000) / 10_000) * 1000 - 1e-6);
      }),
      { numRuns: 30 },
    );
  });

  it("refuses bad settings", () => {
    expect(() => new TokenBucket(new ManualClock(0), { ratePerSec: 0, burst: 1 })).toThrow(ValidationError);
  });
});

describe("phase machine", () => {
  it("implements exactly the declared transitions", () => {
    const events: Array<MigrationMachineEvent["type"]> = ["NEXT", "NEXT_WAVE", "FAIL", "ROLLBACK", "ROLLED_BACK"];
    for (const [phase, moves] of Object.entries(MIGRATION_TRANSITIONS) as Array<[MigrationPhase, Partial<Record<string, MigrationPhase>>]>) {
      for (const event of events) {
        const machine = new PhaseMachine(phase);
        const to = moves[event];
        if (to === undefined) expect(() => machine.send(event)).toThrow();
        else expect(machine.send(event)).toBe(to);
        machine.stop();
      }
    }
  });

  it("walks the happy path and the rollback path", () => {
    const m = new PhaseMachine("planning");
    const seen = [m.phase];
    for (let i = 0; i < 6; i++) seen.push(m.send("NEXT"));
    expect(seen).toEqual(["planning", "pre_sync", "sync", "cutover", "validation", "cleanup", "completed"]);
    const r = new PhaseMachine("sync");
    expect([r.send("FAIL"), r.send("ROLLBACK"), r.send("ROLLED_BACK")]).toEqual(["failed", "rolling_back", "rolled_back"]);
  });
});
