/**
 * The iterative pre-copy model of Clark et al., "Live Migration of Virtual Machines" (NSDI 2005).
 *
 * Round 1 copies the whole state while the workload keeps writing; each later round copies what was
 * dirtied during the previous one. With state size `S`, bandwidth `B` and dirty rate `D`, round `i`
 * copies `V_i = min(S, D · V_{i-1} / B)`: the remainder shrinks geometrically by `D / B`, so pre-copy
 * converges only when `D < B`. Writes stop for the final stop-and-copy, once the remainder is under a
 * threshold or after a maximum number of rounds; that copy is the downtime.
 *
 * @module
 */
import type { PreCopyEstimate } from "./types.js";

/** Inputs of {@link predictPreCopy}. */
export interface PreCopyParams {
  readonly sizeBytes: number;
  readonly dirtyRateBytesPerSec: number;
  readonly bandwidthBytesPerSec: number;
  readonly stopCopyThresholdBytes: number;
  readonly maxRounds: number;
}

/**
 * Whether to stop pre-copying and cut over, given what is left to copy after `roundsDone` rounds.
 * The executor, the simulation and the model all decide with this one function.
 */
export function shouldStopAndCopy(remainingBytes: number, roundsDone: number, params: Pick<PreCopyParams, "stopCopyThresholdBytes" | "maxRounds">): boolean {
  return remainingBytes <= params.stopCopyThresholdBytes || roundsDone >= params.maxRounds;
}

/**
 * Predicts rounds, downtime, total time and bytes sent for a live migration.
 *
 * @example
 * ```ts
 * const gib = 2 ** 30;
 * const e = predictPreCopy({ sizeBytes: 4 * gib, dirtyRateBytesPerSec: 25e6, bandwidthBytesPerSec: 125e6,
 *   stopCopyThresholdBytes: 64 * 2 ** 20, maxRounds: 30 });
 * e.rounds;      // 3: 4.3 GB, then 0.86 GB, then 172 MB; 34 MB left ≤ threshold
 * e.downtimeMs;  // ≈ 275 ms (34 MB stop-and-copy at 125 MB/s)
 * ```
 */
export function predictPreCopy(params: PreCopyParams): PreCopyEstimate {
  const { sizeBytes: size, dirtyRateBytesPerSec: dirty, bandwidthBytesPerSec: bandwidth } = params;
  const roundBytes: number[] = [];
  let totalMs = 0;
  let sent = 0;
  let toCopy = size;
  let rounds = 0;
  for (;;) {
    const ms = (toCopy / bandwidth) * 1000;
    roundBytes.push(toCopy);
    sent += toCopy;
    totalMs += ms;
    rounds++;
    // Writes during this round dirty at most the whole state once.
    toCopy = Math.min(size, (dirty * ms) / 1000);
    if (shouldStopAndCopy(toCopy, rounds, params)) break;
  }
  const downtimeMs = (toCopy / bandwidth) * 1000;
  roundBytes.push(toCopy);
  return {
    rounds,
    converged: toCopy <= params.stopCopyThresholdBytes,
    dirtyRatio: dirty / bandwidth,
    stopCopyBytes: toCopy,
    downtimeMs,
    totalMs: totalMs + downtimeMs,
    bytesSent: sent + toCopy,
    roundBytes,
  };
}
