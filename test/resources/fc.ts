import { simRuns, simSeed } from "../support/sim.js";

/** fast-check parameters: quick by default, `SIM_RUNS` for deep runs, `SIM_SEED` to replay a failure. */
export function fcParams(quickRuns: number): { numRuns: number; seed?: number } {
  const runs = simRuns(quickRuns);
  return process.env["SIM_SEED"] === undefined ? { numRuns: runs } : { numRuns: runs, seed: simSeed() };
}
