/**
 * Duration, downtime and bytes of each strategy, from the pre-copy model and the link bandwidth.
 *
 * @module
 */
import { predictPreCopy, type PreCopyParams } from "./precopy.js";
import type { MigrationOptions, MigrationStrategy, StrategyEstimate } from "./types.js";

/** A workload's size and dirty rate, as the estimates need them. */
export interface SizedWorkload {
  readonly id: string;
  readonly sizeBytes: number;
  readonly dirtyRateBytesPerSec: number;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

function params(size: number, dirty: number, o: MigrationOptions): PreCopyParams {
  return { sizeBytes: size, dirtyRateBytesPerSec: dirty, bandwidthBytesPerSec: o.bandwidthBytesPerSec, stopCopyThresholdBytes: o.stopCopyThresholdBytes, maxRounds: o.maxRounds };
}

function live(ws: readonly SizedWorkload[], o: MigrationOptions): StrategyEstimate {
  const size = sum(ws.map((w) => w.sizeBytes));
  const dirty = sum(ws.map((w) => w.dirtyRateBytesPerSec));
  const e = predictPreCopy(params(size, dirty, o));
  const notes = [`${e.rounds} pre-copy round${e.rounds === 1 ? "" : "s"}, then ${Math.round(e.stopCopyBytes)} bytes stop-and-copy`];
  if (!e.converged) notes.push(`dirty rate is ${(e.dirtyRatio * 100).toFixed(0)}% of bandwidth: pre-copy does not converge, stop-and-copy after ${o.maxRounds} rounds`);
  return { strategy: "live", durationMs: e.totalMs, downtimeMs: e.downtimeMs, bytesSent: e.bytesSent, feasible: true, dataLossWindowMs: 0, notes };
}

/**
 * `incremental` syncs deltas every `deltaIntervalMs` until the caller cuts over. In steady state a
 * delta holds what was dirtied during one interval plus its own copy: `V = D·i / (1 − D/B)`, finite
 * only when `D < B`; cutover then copies one such delta.
 */
function incremental(ws: readonly SizedWorkload[], o: MigrationOptions): StrategyEstimate {
  const base = live(ws, o);
  const size = sum(ws.map((w) => w.sizeBytes));
  const dirty = sum(ws.map((w) => w.dirtyRateBytesPerSec));
  const ratio = dirty / o.bandwidthBytesPerSec;
  if (ratio >= 1) {
    return { ...base, strategy: "incremental", feasible: false, downtimeMs: (size / o.bandwidthBytesPerSec) * 1000, notes: ["dirty rate at or above bandwidth: deltas never catch up"] };
  }
  const delta = Math.min(size, (dirty * (o.deltaIntervalMs / 1000)) / (1 - ratio));
  const first = (size / o.bandwidthBytesPerSec) * 1000;
  const downtimeMs = (delta / o.bandwidthBytesPerSec) * 1000;
  return {
    strategy: "incremental",
    durationMs: first + downtimeMs,
    downtimeMs,
    bytesSent: size + delta,
    feasible: true,
    dataLossWindowMs: 0,
    notes: [`steady-state delta ${Math.round(delta)} bytes per ${o.deltaIntervalMs} ms; runs until cutover is triggered (duration is the minimum)`],
  };
}

function staged(ws: readonly SizedWorkload[], o: MigrationOptions): StrategyEstimate {
  let durationMs = 0;
  let downtimeMs = 0;
  let bytesSent = 0;
  let waves = 0;
  for (let i = 0; i < ws.length; i += o.waveSize) {
    const wave = live(ws.slice(i, i + o.waveSize), o);
    durationMs += wave.durationMs;
    downtimeMs += wave.downtimeMs;
    bytesSent += wave.bytesSent;
    waves++;
  }
  return { strategy: "staged", durationMs, downtimeMs, bytesSent, feasible: true, dataLossWindowMs: 0, notes: [`${waves} wave${waves === 1 ? "" : "s"} of up to ${o.waveSize} workload(s), validation gate between waves; downtime is the sum over waves, each workload pauses only in its own wave`] };
}

function bulk(ws: readonly SizedWorkload[], o: MigrationOptions): StrategyEstimate {
  const size = sum(ws.map((w) => w.sizeBytes));
  const ms = (size / o.bandwidthBytesPerSec) * 1000;
  return { strategy: "bulk", durationMs: ms, downtimeMs: ms, bytesSent: size, feasible: true, dataLossWindowMs: 0, notes: ["stopped for the whole copy"] };
}

function emergency(ws: readonly SizedWorkload[], o: MigrationOptions, replicaLagMs: number | null): StrategyEstimate {
  const b = bulk(ws, o);
  const notes = replicaLagMs === null ? ["no replica known: restores from the source if it still answers"] : [`restores from a replica ${Math.round(replicaLagMs)} ms behind`];
  return { ...b, strategy: "emergency", dataLossWindowMs: replicaLagMs ?? 0, notes };
}

/** Estimates every strategy for the workloads; `replicaLagMs` is the freshest replica's age (emergency). */
export function estimateStrategies(ws: readonly SizedWorkload[], o: MigrationOptions, replicaLagMs: number | null): Record<MigrationStrategy, StrategyEstimate> {
  return { live: live(ws, o), incremental: incremental(ws, o), staged: staged(ws, o), bulk: bulk(ws, o), emergency: emergency(ws, o, replicaLagMs) };
}

/**
 * The strategy to use instead of `requested` when it is infeasible or over the downtime budget: the
 * fastest that meets the budget, else the one with least downtime; `null` when `requested` is fine.
 */
export function recommendStrategy(estimates: Record<MigrationStrategy, StrategyEstimate>, requested: MigrationStrategy, budgetMs: number): MigrationStrategy | null {
  const chosen = estimates[requested];
  if (chosen.feasible && chosen.downtimeMs <= budgetMs) return null;
  const candidates = (["live", "incremental", "staged", "bulk"] as const).map((s) => estimates[s]).filter((e) => e.feasible);
  const meeting = candidates.filter((e) => e.downtimeMs <= budgetMs).sort((a, b) => a.durationMs - b.durationMs);
  const best = meeting[0] ?? [...candidates].sort((a, b) => a.downtimeMs - b.downtimeMs)[0];
  return best === undefined || best.strategy === requested ? null : best.strategy;
}
