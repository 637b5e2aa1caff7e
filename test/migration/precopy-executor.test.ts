/**
 * The executor's live strategy against the pre-copy model: a workload of fixed-size keys rewritten
 * sequentially at a steady byte rate (on the clock) while the executor copies at a fixed bandwidth.
 * Rounds must match the model's (±1 where a remainder sits at the threshold), and the measured
 * downtime must be close to the predicted stop-and-copy time.
 */
import { describe, expect, it } from "vitest";
import { predictPreCopy } from "../../src/migration/precopy.js";
import { drive } from "./support/drive.js";
import { dataset, fixture } from "./support/fixture.js";

const KEYS = 200;
const VALUE = 1_000;
const BANDWIDTH = 100_000; // bytes/s

describe("live pre-copy in the executor matches the model", () => {
  for (const ratio of [0, 0.3, 0.6, 1.2]) {
    it(`dirty rate ${ratio * 100}% of bandwidth`, async () => {
      const f = fixture({ w: dataset(KEYS, VALUE) });
      const keys = [...dataset(KEYS, VALUE).keys()];
      const options = { bandwidthBytesPerSec: BANDWIDTH, burstBytes: 2_000, batchKeys: 10, stopCopyThresholdBytes: 10_000, maxRounds: 8 };
      const executor = f.executor();
      // Writer: one key rewritten every `everyMs`, sweeping the keyspace.
      const everyMs = ratio === 0 ? Number.POSITIVE_INFINITY : (VALUE / (ratio * BANDWIDTH)) * 1000;
      let cursor = 0;
      let stopped = false;
      const tick = (): void => {
        if (stopped) return;
        try {
          f.adapter.write("w", keys[cursor % KEYS] as string, new Uint8Array(VALUE).fill(cursor & 255));
          cursor++;
        } catch {
          // paused at cutover
        }
        f.clock.setTimer(everyMs, tick);
      };
      if (ratio > 0) f.clock.setTimer(everyMs, tick);
      const final = await drive(f.clock, executor.execute(await f.plan({ options })).finally(() => (stopped = true)));
      expect(final.phase).toBe("completed");
      // Frames carry a key and 17 bytes of header per entry on top of the value.
      const entryBytes = VALUE + 6 + 17;
      const model = predictPreCopy({ sizeBytes: KEYS * entryBytes, dirtyRateBytesPerSec: ratio * BANDWIDTH * (entryBytes / VALUE), bandwidthBytesPerSec: BANDWIDTH, stopCopyThresholdBytes: options.stopCopyThresholdBytes, maxRounds: options.maxRounds });
      const preCopyRounds = Math.max(...final.rounds.filter((r) => !r.stopAndCopy).map((r) => r.round));
      expect(Math.abs(preCopyRounds - model.rounds)).toBeLessThanOrEqual(1);
      if (preCopyRounds === model.rounds) {
        // Page (key) granularity and the batch size bound the error: a couple of batches.
        const slack = ((2 * options.batchKeys * entryBytes) / BANDWIDTH) * 1000;
        expect(Math.abs(final.downtimeMs - model.downtimeMs)).toBeLessThanOrEqual(0.15 * model.downtimeMs + slack);
      }
      if (ratio >= 1) {
        expect(model.converged).toBe(false);
        expect(preCopyRounds).toBe(options.maxRounds);
      }
      await executor.close();
    });
  }
});
