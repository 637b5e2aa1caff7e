/**
 * What the per-node examples share: a small fleet on two continents and a helper that lets virtual
 * time pass while a run that needs it (Raft, migrations) is in flight.
 */
import type { EdgeSpec, ManualClock } from "../../src/index.js";

/** Four edges: two in the EU (one still warming up), one in the UK, one in the US. Capacity in vCPU and MiB. */
export const sampleFleet: readonly EdgeSpec[] = [
  { id: "edge-par-1", region: "eu-west", coordinates: { lat: 48.86, lon: 2.35 }, capacity: { cpu: 16, memoryMb: 65_536 }, costPerHour: 1.1, complianceZones: ["eu"], lifecycleState: "active", health: "healthy" },
  { id: "edge-fra-1", region: "eu-central", coordinates: { lat: 50.11, lon: 8.68 }, capacity: { cpu: 32, memoryMb: 131_072 }, costPerHour: 1.4, complianceZones: ["eu"], lifecycleState: "warming", health: "healthy" },
  { id: "edge-lon-1", region: "uk-south", coordinates: { lat: 51.51, lon: -0.13 }, capacity: { cpu: 16, memoryMb: 65_536 }, costPerHour: 1.0, complianceZones: ["uk"], lifecycleState: "active", health: "healthy" },
  { id: "edge-nyc-1", region: "us-east", coordinates: { lat: 40.71, lon: -74.0 }, capacity: { cpu: 64, memoryMb: 262_144 }, costPerHour: 0.7, complianceZones: ["us"], lifecycleState: "active", health: "healthy" },
];

/** Advances the virtual clock in `stepMs` steps until `work` settles, and returns its result. */
export async function onVirtualTime<T>(clock: ManualClock, work: Promise<T>, stepMs = 10): Promise<T> {
  let settled = false;
  const done = work.finally(() => {
    settled = true;
  });
  // Handled here so a rejection is not reported as unhandled while time is still advancing.
  done.catch(() => undefined);
  while (!settled) await clock.advanceAsync(stepMs);
  return done;
}
