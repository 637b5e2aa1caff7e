/** Number of seeded runs for simulations: a quick default, `SIM_RUNS=N` for deep runs. */
export function simRuns(quickDefault: number): number {
  const raw = process.env["SIM_RUNS"];
  if (raw === undefined || raw === "") return quickDefault;
  const runs = Number(raw);
  if (!Number.isSafeInteger(runs) || runs <= 0) throw new Error(`SIM_RUNS must be a positive integer, got "${raw}"`);
  return runs;
}

/** A base seed: `SIM_SEED` replays a failing run; otherwise fixed so CI is reproducible. */
export function simSeed(fallback = 1): number {
  const raw = process.env["SIM_SEED"];
  return raw === undefined || raw === "" ? fallback : Number(raw);
}

/** Runs `body(seed)` and, if it throws, rethrows with the seed and the replay command in the message. */
export async function withSeed<T>(seed: number, body: (seed: number) => T | Promise<T>): Promise<T> {
  try {
    return await body(seed);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const wrapped = new Error(`simulation failed with seed ${seed} (replay: SIM_SEED=${seed} SIM_RUNS=1 npm test): ${message}`, { cause: error });
    throw wrapped;
  }
}
