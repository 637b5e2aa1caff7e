/**
 * Zod schemas of migration inputs and outputs; the TS types in `types.ts` are checked against them.
 *
 * @module
 */
import { z } from "zod";
import type { MigrationOptions } from "./types.js";

const id = z.string().trim().min(1, "must not be empty");
const nonNegative = z.number().finite().nonnegative();

/** Defaults of every migration option: a 1 Gbit/s link, 64 MiB stop-copy threshold, 30 rounds, 1 s budget. */
export const DEFAULT_MIGRATION_OPTIONS: MigrationOptions = Object.freeze({
  bandwidthBytesPerSec: 125_000_000,
  burstBytes: 4 * 1024 * 1024,
  compression: false,
  batchKeys: 256,
  stopCopyThresholdBytes: 64 * 1024 * 1024,
  maxRounds: 30,
  downtimeBudgetMs: 1_000,
  checkpointIntervalMs: 5_000,
  waveSize: 1,
  deltaIntervalMs: 1_000,
  callTimeoutMs: 30_000,
  maxAttempts: 3,
  retryBackoffMs: 100,
  leaseTtlMs: 60_000,
});

/** Migration options as accepted from callers; omitted fields take {@link DEFAULT_MIGRATION_OPTIONS}. */
export const migrationOptionsSchema = z
  .object({
    bandwidthBytesPerSec: z.number().finite().positive(),
    burstBytes: z.number().int().positive(),
    compression: z.boolean(),
    batchKeys: z.number().int().positive().max(100_000),
    stopCopyThresholdBytes: nonNegative,
    maxRounds: z.number().int().positive().max(1_000),
    downtimeBudgetMs: nonNegative,
    checkpointIntervalMs: z.number().finite().positive(),
    waveSize: z.number().int().positive(),
    deltaIntervalMs: nonNegative,
    callTimeoutMs: z.number().finite().positive(),
    maxAttempts: z.number().int().positive().max(100),
    retryBackoffMs: nonNegative,
    leaseTtlMs: z.number().int().positive().max(2_147_483_647),
  })
  .partial()
  .strict();

/** One workload of a request. */
export const migrationWorkloadSchema = z
  .object({
    id,
    sizeBytes: nonNegative.optional(),
    dirtyRateBytesPerSec: nonNegative.optional(),
    requests: z.record(z.string(), nonNegative).optional(),
    residency: z.array(id).optional(),
    capabilities: z.array(id).optional(),
  })
  .strict();

/** The migration strategies. */
export const migrationStrategySchema = z.enum(["live", "staged", "bulk", "incremental", "emergency"]);

/** A migration request; cross-field rules (source ≠ target, unique workloads, window order) included. */
export const migrationRequestSchema = z
  .object({
    source: id,
    target: id,
    workloads: z.array(migrationWorkloadSchema).min(1, "at least one workload is required"),
    strategy: migrationStrategySchema.default("live"),
    window: z.object({ start: z.number().finite(), end: z.number().finite() }).strict().optional(),
    options: migrationOptionsSchema.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.source === r.target) ctx.addIssue({ code: "custom", path: ["target"], message: `target must differ from source ("${r.source}")` });
    const seen = new Set<string>();
    r.workloads.forEach((w, i) => {
      if (seen.has(w.id)) ctx.addIssue({ code: "custom", path: ["workloads", i, "id"], message: `duplicate workload "${w.id}"` });
      seen.add(w.id);
    });
    if (r.window !== undefined && r.window.end <= r.window.start) {
      ctx.addIssue({ code: "custom", path: ["window", "end"], message: "window end must be after its start" });
    }
  });

/** A request as callers write it (strategy and options optional). */
export type MigrationRequestInput = z.input<typeof migrationRequestSchema>;

/** Phases, as a schema for node outputs. */
export const migrationPhaseSchema = z.enum([
  "planning",
  "pre_sync",
  "sync",
  "cutover",
  "validation",
  "cleanup",
  "completed",
  "failed",
  "rolling_back",
  "rolled_back",
]);

const failureSchema = z.object({ code: z.string(), message: z.string(), phase: migrationPhaseSchema }).nullable();

/** A strategy's estimate. */
export const strategyEstimateSchema = z.object({
  strategy: migrationStrategySchema,
  durationMs: z.number(),
  downtimeMs: z.number(),
  bytesSent: z.number(),
  feasible: z.boolean(),
  dataLossWindowMs: z.number(),
  notes: z.array(z.string()).readonly(),
});

/** The pre-copy model's output. */
export const preCopyEstimateSchema = z.object({
  rounds: z.number().int(),
  converged: z.boolean(),
  dirtyRatio: z.number(),
  stopCopyBytes: z.number(),
  downtimeMs: z.number(),
  totalMs: z.number(),
  bytesSent: z.number(),
  roundBytes: z.array(z.number()).readonly(),
});

/** A plan, as a node output. */
export const migrationPlanSchema = z.object({
  totalBytes: z.number(),
  estimate: strategyEstimateSchema,
  preCopy: z.record(z.string(), preCopyEstimateSchema),
  recommendation: migrationStrategySchema.nullable(),
  alternatives: z.array(strategyEstimateSchema).readonly(),
  warnings: z.array(z.string()).readonly(),
  plannedAt: z.number(),
});

/** A progress report. */
export const migrationProgressSchema = z.object({
  migrationId: z.string(),
  phase: migrationPhaseSchema,
  paused: z.boolean(),
  percent: z.number(),
  bytesTransferred: z.number(),
  wireBytes: z.number(),
  totalBytes: z.number(),
  etaMs: z.number().nullable(),
  at: z.number(),
});

/** A finished migration. */
export const migrationRecordSchema = z.object({
  migrationId: z.string(),
  strategy: migrationStrategySchema,
  source: z.string(),
  target: z.string(),
  workloads: z.array(z.string()).readonly(),
  outcome: z.enum(["completed", "rolled_back"]),
  startedAt: z.number(),
  finishedAt: z.number(),
  durationMs: z.number(),
  downtimeMs: z.number(),
  dataLossWindowMs: z.number(),
  rounds: z.number().int(),
  rawBytes: z.number(),
  wireBytes: z.number(),
  failure: failureSchema,
  warnings: z.array(z.string()).readonly(),
});

/** Aggregates over finished migrations. */
export const migrationMetricsSchema = z.object({
  started: z.number().int(),
  completed: z.number().int(),
  rolledBack: z.number().int(),
  active: z.number().int(),
  successRate: z.number().nullable(),
  meanDurationMs: z.number().nullable(),
  meanDowntimeMs: z.number().nullable(),
  rawBytes: z.number(),
  wireBytes: z.number(),
  compressionRatio: z.number().nullable(),
});

/** The caller-facing summary of a migration's state (node outputs). */
export const migrationSummarySchema = z.object({
  migrationId: z.string(),
  strategy: migrationStrategySchema,
  source: z.string(),
  target: z.string(),
  phase: migrationPhaseSchema,
  paused: z.boolean(),
  downtimeMs: z.number(),
  dataLossWindowMs: z.number(),
  rounds: z.number().int(),
  rawBytes: z.number(),
  wireBytes: z.number(),
  checkpoints: z.number().int(),
  failure: failureSchema,
  warnings: z.array(z.string()).readonly(),
});

/** A migration's summary. */
export type MigrationSummary = z.infer<typeof migrationSummarySchema>;
