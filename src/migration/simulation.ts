/**
 * A page-level simulation of live pre-copy, to check the model against: a workload of `pages` pages is
 * copied at a fixed bandwidth while writes dirty pages at a fixed byte rate, round after round, with the
 * same stop-and-copy rule as the executor ({@link shouldStopAndCopy}). Virtual time only.
 *
 * @module
 */
import { Random } from "../core/random.js";
import { shouldStopAndCopy, type PreCopyParams } from "./precopy.js";

/** Inputs of {@link simulatePreCopy}. */
export interface PreCopySimulationParams extends PreCopyParams {
  /** Page size, bytes (the unit of dirtying and copying). */
  readonly pageBytes: number;
  /**
   * Where writes land: `sequential` (a log-like sweep, each write a new page until the state wraps:
   * the model's assumption) or `uniform` (random pages: re-dirtied pages count once, so the dirty set
   * grows slower than `D·t`).
   */
  readonly pattern: "sequential" | "uniform";
  readonly seed?: number;
}

/** What the simulation measured. */
export interface PreCopySimulationResult {
  readonly rounds: number;
  readonly converged: boolean;
  readonly stopCopyBytes: number;
  readonly downtimeMs: number;
  readonly totalMs: number;
  readonly bytesSent: number;
  readonly roundBytes: readonly number[];
}

/**
 * @example
 * ```ts
 * const r = simulatePreCopy({ sizeBytes: 4 * 2 ** 30, pageBytes: 65_536, dirtyRateBytesPerSec: 25e6,
 *   bandwidthBytesPerSec: 125e6, stopCopyThresholdBytes: 64 * 2 ** 20, maxRounds: 30, pattern: "sequential" });
 * r.rounds; // matches predictPreCopy(...).rounds
 * ```
 */
export function simulatePreCopy(params: PreCopySimulationParams): PreCopySimulationResult {
  const pages = Math.max(1, Math.round(params.sizeBytes / params.pageBytes));
  const pageBytes = params.pageBytes;
  const pageMs = (pageBytes / params.bandwidthBytesPerSec) * 1000;
  const writesPerMs = params.dirtyRateBytesPerSec / pageBytes / 1000;
  const random = new Random(params.seed ?? 1);
  let dirty = new Uint8Array(pages);
  let dirtyList: number[] = [];
  let cursor = 0;
  let owed = 0;
  const dirtyDuring = (ms: number): void => {
    owed += writesPerMs * ms;
    while (owed >= 1) {
      owed -= 1;
      const page = params.pattern === "sequential" ? cursor++ % pages : random.int(0, pages - 1);
      if (dirty[page] === 0) {
        dirty[page] = 1;
        dirtyList.push(page);
      }
    }
  };
  const roundBytes: number[] = [];
  let totalMs = 0;
  let sent = 0;
  let rounds = 0;
  let toCopy = pages;
  for (;;) {
    // Copy `toCopy` pages one at a time while writes keep arriving.
    for (let i = 0; i < toCopy; i++) dirtyDuring(pageMs);
    totalMs += toCopy * pageMs;
    sent += toCopy * pageBytes;
    roundBytes.push(toCopy * pageBytes);
    rounds++;
    toCopy = dirtyList.length;
    dirty = new Uint8Array(pages);
    dirtyList = [];
    if (shouldStopAndCopy(toCopy * pageBytes, rounds, params)) break;
  }
  const stopCopyBytes = toCopy * pageBytes;
  const downtimeMs = toCopy * pageMs;
  roundBytes.push(stopCopyBytes);
  return {
    rounds,
    converged: stopCopyBytes <= params.stopCopyThresholdBytes,
    stopCopyBytes,
    downtimeMs,
    totalMs: totalMs + downtimeMs,
    bytesSent: sent + stopCopyBytes,
    roundBytes,
  };
}
