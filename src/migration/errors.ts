/**
 * Errors of the migration engine. Codes are `migration.<reason>`; every one says what is wrong and where.
 *
 * @module
 */
import { EdgeflowError } from "../core/errors.js";

/** Base of every migration-specific error. */
export class MigrationError extends EdgeflowError {
  /** The migration concerned, when there is one. */
  readonly migrationId: string | null;

  constructor(reason: string, message: string, options: { migrationId?: string; cause?: unknown } = {}) {
    super(`migration.${reason}`, message, { cause: options.cause });
    this.migrationId = options.migrationId ?? null;
  }
}

/** The target lacks room for the workloads. */
export class InsufficientCapacityError extends MigrationError {
  readonly target: string;
  /** Resource → `{ needed, available }`. */
  readonly shortfall: Readonly<Record<string, { readonly needed: number; readonly available: number }>>;

  constructor(target: string, shortfall: Readonly<Record<string, { needed: number; available: number }>>) {
    const parts = Object.entries(shortfall).map(([r, s]) => `${r} needs ${s.needed}, ${s.available} available`);
    super("insufficient_capacity", `target "${target}" lacks capacity: ${parts.join("; ")}`);
    this.target = target;
    this.shortfall = shortfall;
  }
}

/** A workload may not run on the target (residency, capabilities, labels, lifecycle or health filters). */
export class ComplianceViolationError extends MigrationError {
  readonly target: string;
  readonly workloadId: string;
  readonly reasons: readonly string[];

  constructor(target: string, workloadId: string, reasons: readonly string[]) {
    super("compliance_violation", `workload "${workloadId}" may not run on "${target}": ${reasons.join("; ")}`);
    this.target = target;
    this.workloadId = workloadId;
    this.reasons = reasons;
  }
}

/** The migration cannot fit its time window. */
export class OutsideWindowError extends MigrationError {
  constructor(message: string) {
    super("outside_window", message);
  }
}

/** A chunk or final checksum did not match: the copy is not what the source holds. */
export class ChecksumMismatchError extends MigrationError {
  readonly expected: string;
  readonly actual: string;

  constructor(what: string, expected: string, actual: string, migrationId?: string) {
    super("checksum_mismatch", `${what}: expected sha256 ${expected}, got ${actual}`, migrationId === undefined ? {} : { migrationId });
    this.expected = expected;
    this.actual = actual;
  }
}

/** Another migration holds a lock on one of the workloads. */
export class WorkloadLockedError extends MigrationError {
  readonly workloadId: string;

  constructor(workloadId: string, holder: string, cause?: unknown) {
    super("workload_locked", `workload "${workloadId}" is being migrated by "${holder}"`, { cause });
    this.workloadId = workloadId;
  }
}

/** The request is not allowed in the migration's current phase (e.g. resume of a completed migration). */
export class InvalidMigrationStateError extends MigrationError {
  constructor(migrationId: string, message: string) {
    super("invalid_state", `migration "${migrationId}": ${message}`, { migrationId });
  }
}

/** An adapter call kept failing after every retry. */
export class AdapterFailureError extends MigrationError {
  readonly operation: string;

  constructor(operation: string, cause: unknown, migrationId?: string) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super("adapter_failure", `adapter call "${operation}" failed: ${why}`, migrationId === undefined ? { cause } : { migrationId, cause });
    this.operation = operation;
  }
}

/** The source is unreachable and the strategy needs it, or no replica exists for `emergency`. */
export class SourceUnavailableError extends MigrationError {
  constructor(message: string) {
    super("source_unavailable", message);
  }
}

/** The target failed its post-cutover validation (unhealthy, or the caller's gate said no). */
export class ValidationFailedError extends MigrationError {
  readonly workloadId: string;

  constructor(workloadId: string, why: string, migrationId?: string) {
    super("validation_failed", `workload "${workloadId}" failed validation on the target: ${why}`, migrationId === undefined ? {} : { migrationId });
    this.workloadId = workloadId;
  }
}

/** The caller asked for a rollback. */
export class RollbackRequestedError extends MigrationError {
  constructor(migrationId: string) {
    super("rollback_requested", `rollback of migration "${migrationId}" was requested`, { migrationId });
  }
}
