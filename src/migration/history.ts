/**
 * History of finished migrations and the metrics derived from it.
 *
 * @module
 */
import { freeze } from "immer";
import type { MigrationSummary } from "./schemas.js";
import type { MigrationMetrics, MigrationRecord, MigrationState } from "./types.js";

/** The record of a finished migration (`completed` or `rolled_back`). */
export function recordOf(state: MigrationState): MigrationRecord {
  const request = state.plan.request;
  const finishedAt = state.finishedAt ?? state.lastCheckpointAt;
  return freeze(
    {
      migrationId: state.id,
      strategy: request.strategy,
      source: request.source,
      target: request.target,
      workloads: request.workloads.map((w) => w.id),
      outcome: state.phase === "completed" ? "completed" : "rolled_back",
      startedAt: state.startedAt,
      finishedAt,
      durationMs: finishedAt - state.startedAt,
      downtimeMs: state.downtimeMs,
      dataLossWindowMs: state.dataLossWindowMs,
      rounds: Math.max(0, ...state.rounds.filter((r) => !r.stopAndCopy).map((r) => r.round)),
      rawBytes: state.transfer.rawBytes,
      wireBytes: state.transfer.wireBytes,
      failure: state.failure,
      warnings: state.warnings,
    },
    true,
  );
}

/** The caller-facing summary of a migration's state. */
export function summaryOf(state: MigrationState): MigrationSummary {
  const request = state.plan.request;
  return freeze(
    {
      migrationId: state.id,
      strategy: request.strategy,
      source: request.source,
      target: request.target,
      phase: state.phase,
      paused: state.paused,
      downtimeMs: state.downtimeMs,
      dataLossWindowMs: state.dataLossWindowMs,
      rounds: Math.max(0, ...state.rounds.filter((r) => !r.stopAndCopy).map((r) => r.round)),
      rawBytes: state.transfer.rawBytes,
      wireBytes: state.transfer.wireBytes,
      checkpoints: state.checkpoints,
      failure: state.failure,
      warnings: state.warnings,
    },
    true,
  );
}

const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Finished migrations, oldest first, bounded to the most recent `limit`. */
export class MigrationHistory {
  private readonly records: MigrationRecord[] = [];
  private readonly limit: number;
  private started = 0;

  constructor(limit = 1_000) {
    this.limit = limit;
  }

  /** Counts a migration that began. */
  noteStarted(): void {
    this.started++;
  }

  add(record: MigrationRecord): void {
    if (this.records.some((r) => r.migrationId === record.migrationId)) return;
    this.records.push(record);
    if (this.records.length > this.limit) this.records.shift();
  }

  list(): readonly MigrationRecord[] {
    return freeze([...this.records]);
  }

  /** Aggregates; `active` is supplied by the executor. */
  metrics(active: number): MigrationMetrics {
    const done = this.records;
    const completed = done.filter((r) => r.outcome === "completed");
    const raw = done.reduce((a, r) => a + r.rawBytes, 0);
    const wire = done.reduce((a, r) => a + r.wireBytes, 0);
    return freeze({
      started: Math.max(this.started, done.length),
      completed: completed.length,
      rolledBack: done.length - completed.length,
      active,
      successRate: done.length === 0 ? null : completed.length / done.length,
      meanDurationMs: mean(done.map((r) => r.durationMs)),
      meanDowntimeMs: mean(done.map((r) => r.downtimeMs)),
      rawBytes: raw,
      wireBytes: wire,
      compressionRatio: raw === 0 ? null : wire / raw,
    });
  }
}
