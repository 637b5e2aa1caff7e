/**
 * Live workload migration: planning with the pre-copy model, a phase machine with checkpoints,
 * pause/resume and rollback, bandwidth limits, integrity checks, and pluggable workload adapters.
 * The Redis adapter is a separate entry point (`edgeflow/migration/redis`).
 *
 * @module
 */
export type { ReplicaInfo, SnapshotPage, StateEntry, WorkloadAdapter, WorkloadRef } from "./adapter.js";
export { loadZlibCodec, type Chunk, type ChunkCodec } from "./chunk.js";
export { capacityFromEdges, complianceFromPlacement, type CapacityChecker, type ComplianceChecker } from "./checks.js";
export {
  AdapterFailureError,
  ChecksumMismatchError,
  ComplianceViolationError,
  InsufficientCapacityError,
  InvalidMigrationStateError,
  MigrationError,
  OutsideWindowError,
  RollbackRequestedError,
  SourceUnavailableError,
  ValidationFailedError,
  WorkloadLockedError,
} from "./errors.js";
export { estimateStrategies, recommendStrategy, type SizedWorkload } from "./estimates.js";
export { MigrationExecutor, type MigrationExecutorOptions } from "./executor.js";
export { MigrationHistory, recordOf, summaryOf } from "./history.js";
export { MIGRATION_TRANSITIONS, migrationMachine, type MigrationMachineEvent, type MigrationPhaseStates } from "./machine.js";
export { InMemoryWorkloadAdapter, WorkloadUnavailableError, type AdapterOperation, type FaultHook } from "./memory-adapter.js";
export { MigrationPlanner, type PlannerDependencies } from "./planner.js";
export { predictPreCopy, shouldStopAndCopy, type PreCopyParams } from "./precopy.js";
export { MIGRATION_ADAPTER, MIGRATION_SERVICE, MigrationService, type MigrationServiceOptions } from "./service.js";
export {
  DEFAULT_MIGRATION_OPTIONS,
  migrationMetricsSchema,
  migrationOptionsSchema,
  migrationPhaseSchema,
  migrationPlanSchema,
  migrationProgressSchema,
  migrationRecordSchema,
  migrationRequestSchema,
  migrationStrategySchema,
  migrationSummarySchema,
  migrationWorkloadSchema,
  preCopyEstimateSchema,
  strategyEstimateSchema,
  type MigrationRequestInput,
  type MigrationSummary,
} from "./schemas.js";
export { simulatePreCopy, type PreCopySimulationParams, type PreCopySimulationResult } from "./simulation.js";
export { InMemoryMigrationStore, type MigrationStateStore } from "./store.js";
export { TokenBucket } from "./token-bucket.js";
export * from "./types.js";
