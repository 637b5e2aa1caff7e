import { settle, type ManualClock } from "../../../src/core/clock.js";

/**
 * Runs `promise` to completion on virtual time: lets pending callbacks run, then jumps the clock to the
 * next timer whenever the code under test is waiting on one. `onStep` runs between jumps (a writer).
 */
export async function drive<T>(clock: ManualClock, promise: Promise<T>, onStep?: () => void, maxSteps = 200_000): Promise<T> {
  let done = false;
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => {
      done = true;
      outcome = { ok: true, value };
    },
    (error: unknown) => {
      done = true;
      outcome = { ok: false, error };
    },
  );
  for (let step = 0; step < maxSteps; step++) {
    await settle();
    if (done) break;
    onStep?.();
    const next = clock.nextDue();
    if (next === undefined) {
      await settle();
      if (done) break;
      throw new Error("stuck: nothing pending on the clock and the promise has not settled");
    }
    clock.advanceTo(next);
  }
  if (outcome === undefined) throw new Error(`did not settle in ${maxSteps} steps`);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
