import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { OrderingBackpressureError } from "../../src/ordering/errors.js";
import { GlobalOrderingService } from "../../src/ordering/service.js";
import type { OrderingEvent } from "../../src/ordering/types.js";
import { randomHistory, type History } from "./support/history.js";

function deliveredIds(service: GlobalOrderingService<number>): string[] {
  return service.orderedSince(0, 1_000_000).entries.map((e) => `${e.event.origin}#${e.event.seq}`);
}

/** Feeds every event in a random order; refused ones are re-sent later, heartbeats come when nothing else helps. */
function feedBounded(history: History, seed: number, maxBuffered: number): GlobalOrderingService<number> {
  const random = new Random(seed);
  const service = new GlobalOrderingService<number>({ nodeId: "replica", origins: history.origins, clock: new ManualClock(history.maxWall), maxBuffered });
  let pending: OrderingEvent<number>[] = random.shuffle([...history.events]);
  let heartbeatsSent = false;
  while (pending.length > 0) {
    const refused: OrderingEvent<number>[] = [];
    for (const event of pending) {
      try {
        service.receive(event);
      } catch (error) {
        expect(error).toBeInstanceOf(OrderingBackpressureError);
        refused.push(event);
      }
      expect(service.status().buffered).toBeLessThanOrEqual(maxBuffered + history.origins.length);
    }
    if (refused.length === pending.length) {
      // No progress: origins heartbeat (as they do periodically), and then the buffer must not be wedged.
      expect(heartbeatsSent).toBe(false);
      for (const hb of history.finalHeartbeats) service.heartbeat(hb.origin, hb.seq, hb.hlc);
      heartbeatsSent = true;
    } else {
      heartbeatsSent = false;
    }
    pending = refused;
  }
  for (const hb of history.finalHeartbeats) service.heartbeat(hb.origin, hb.seq, hb.hlc);
  return service;
}

describe("GlobalOrderingService buffer bound", () => {
  it("never holds more than maxBuffered plus one per origin, never wedges, and delivers what an unbounded replica delivers", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.integer({ min: 1, max: 6 }), (historySeed, arrivalSeed, maxBuffered) => {
        const history = randomHistory(historySeed);
        const bounded = feedBounded(history, arrivalSeed, maxBuffered);
        const unbounded = feedBounded(history, arrivalSeed, 1_000_000);
        expect(deliveredIds(bounded)).toEqual(deliveredIds(unbounded));
        expect(bounded.status().buffered).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
