import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValidationError } from "../../src/core/errors.js";
import { chordDistanceKm, estimateRttMs, haversineKm, RttTable, rttForDistanceMs, toUnitVector } from "../../src/placement/geo.js";
import { simRuns, simSeed } from "../support/sim.js";

describe("geo", () => {
  it("haversine gives known great-circle distances", () => {
    expect(haversineKm({ lat: 51.5074, lon: -0.1278 }, { lat: 48.8566, lon: 2.3522 })).toBeCloseTo(343.6, 0); // London–Paris
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(Math.PI * 6371.0088, 3); // antipodes
    expect(haversineKm({ lat: 10, lon: 20 }, { lat: 10, lon: 20 })).toBe(0);
  });

  it("the RTT model is base + routeFactor × 2 × distance / fibre speed", () => {
    expect(rttForDistanceMs(0)).toBe(5);
    expect(rttForDistanceMs(1_000)).toBeCloseTo(5 + (1.5 * 2 * 1_000) / 200, 10); // 20 ms
    expect(rttForDistanceMs(1_000, { baseMs: 0, fibreKmPerMs: 200, routeFactor: 1 })).toBe(10);
    expect(estimateRttMs({ lat: 0, lon: 0 }, { lat: 0, lon: 0 })).toBe(5);
  });

  it("property: the chord formula used by the scorer equals haversine", () => {
    const point = fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }) });
    fc.assert(
      fc.property(point, point, (a, b) => {
        const [ax, ay, az] = toUnitVector(a);
        const [bx, by, bz] = toUnitVector(b);
        expect(chordDistanceKm(ax, ay, az, bx, by, bz)).toBeCloseTo(haversineKm(a, b), 3);
      }),
      { numRuns: simRuns(500), seed: simSeed(500) },
    );
  });

  it("measured RTT tables refuse nonsense", () => {
    const table = new RttTable().set("e", "users", 12);
    expect(table.get("e", "users")).toBe(12);
    expect(table.size).toBe(1);
    expect(() => table.set("e", "users", -1)).toThrow(ValidationError);
  });
});
