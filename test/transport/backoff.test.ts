import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ManualClock } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { backoffDelay, backoffSchema } from "../../src/transport/backoff.js";
import type { TcpTransportEvent } from "../../src/tcp.js";
import { simRuns, simSeed } from "../support/sim.js";
import { link, startNode, waitFor } from "./tcp-helpers.js";

describe("reconnect backoff", () => {
  it("grows exponentially, is capped, and jitters only downwards within the jitter fraction", () => {
    const policy = fc.record({
      initialInterval: fc.integer({ min: 1, max: 1_000 }),
      backoffCoefficient: fc.double({ min: 1, max: 4, noNaN: true }),
      extra: fc.integer({ min: 0, max: 60_000 }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(policy, fc.nat({ max: 64 }), fc.integer(), ({ extra, ...p }, attempt, seed) => {
        const resolved = backoffSchema.parse({ ...p, maximumInterval: p.initialInterval + extra });
        const base = Math.min(resolved.maximumInterval, resolved.initialInterval * resolved.backoffCoefficient ** attempt);
        const delay = backoffDelay(resolved, attempt, new Random(seed));
        expect(delay).toBeLessThanOrEqual(base);
        expect(delay).toBeGreaterThanOrEqual(base * (1 - resolved.jitter) * (1 - 1e-12));
        expect(delay).toBeLessThanOrEqual(resolved.maximumInterval);
        // Same seed, same delay.
        expect(backoffDelay(resolved, attempt, new Random(seed))).toBe(delay);
      }),
      { numRuns: simRuns(300), seed: simSeed(1) },
    );
  });

  it("refuses a cap below the initial interval", () => {
    expect(backoffSchema.safeParse({ initialInterval: 100, maximumInterval: 10 }).success).toBe(false);
  });

  it("TcpTransport redials on its injected clock", async () => {
    const clock = new ManualClock(0);
    const a = await startNode<string>({ localId: "a", clock, random: new Random(3), reconnect: { initialInterval: 1_000, maximumInterval: 1_000, jitter: 0 } });
    const b1 = await startNode<string>({ localId: "b" });
    const events: TcpTransportEvent[] = [];
    a.transport.onEvent((e) => events.push(e));
    try {
      link(a, b1);
      await waitFor(() => a.transport.metrics().peers["b"]?.connected === true, "first connection");
      await b1.transport.close();
      await waitFor(() => events.some((e) => e.type === "reconnect_scheduled"), "a reconnect to be scheduled");
      expect(events.find((e) => e.type === "reconnect_scheduled")).toEqual({ type: "reconnect_scheduled", peer: "b", attempt: 1, delayMs: 1_000 });
      const b2 = await startNode<string>({ localId: "b", listen: { port: b1.port } });
      b2.transport.addPeer("a");
      try {
        // Nothing redials until virtual time passes.
        expect(a.transport.metrics().reconnects).toBe(0);
        clock.advance(999);
        expect(a.transport.metrics().reconnects).toBe(0);
        clock.advance(1);
        expect(a.transport.metrics().reconnects).toBe(1);
        await waitFor(() => a.transport.metrics().peers["b"]?.connected === true, "the redial to succeed");
      } finally {
        await b2.transport.close();
      }
    } finally {
      await a.transport.close();
    }
  });
});
