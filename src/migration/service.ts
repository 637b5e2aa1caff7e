/**
 * {@link MigrationService}: the planner and the executor behind one object, the shape the
 * `EdgeMigration` node and most applications use.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import type { LeaseStore } from "../lifecycle/lease-store.js";
import type { WorkloadAdapter } from "./adapter.js";
import type { Chunk } from "./chunk.js";
import type { CapacityChecker, ComplianceChecker } from "./checks.js";
import { MigrationExecutor } from "./executor.js";
import { MigrationPlanner } from "./planner.js";
import type { MigrationRequestInput } from "./schemas.js";
import type { MigrationStateStore } from "./store.js";
import type { MigrationMetrics, MigrationPlan, MigrationProgress, MigrationRecord, MigrationState } from "./types.js";

/** The key under which nodes find the shared {@link MigrationService}. */
export const MIGRATION_SERVICE: ServiceKey<MigrationService> = serviceKey<MigrationService>("migration.service");

/**
 * The key under which nodes find the {@link WorkloadAdapter} for the shared service; register your
 * platform's adapter here (or a whole service under {@link MIGRATION_SERVICE}).
 */
export const MIGRATION_ADAPTER: ServiceKey<WorkloadAdapter> = serviceKey<WorkloadAdapter>("migration.adapter");

/** What a {@link MigrationService} is built from; only `clock` and `adapter` are required. */
export interface MigrationServiceOptions {
  readonly clock: Clock;
  readonly adapter: WorkloadAdapter;
  readonly store?: MigrationStateStore;
  readonly leases?: LeaseStore;
  /** Free capacity of targets (a resource pool, or `capacityFromEdges`). */
  readonly capacity?: CapacityChecker;
  /** Compliance of targets (`complianceFromPlacement`). */
  readonly compliance?: ComplianceChecker;
  readonly link?: (chunk: Chunk) => Chunk | Promise<Chunk>;
  readonly validate?: (check: { migrationId: string; workloadId: string; target: string }) => boolean | Promise<boolean>;
}

/**
 * @example
 * ```ts
 * const migrations = new MigrationService({ clock, adapter });
 * const plan = await migrations.plan({ source: "edge-a", target: "edge-b", workloads: [{ id: "cache" }] });
 * const id = await migrations.start(plan);
 * migrations.events.on("migration:progress", (p) => console.log(p.phase, p.percent));
 * const final = await migrations.wait(id);
 * ```
 */
export class MigrationService {
  readonly planner: MigrationPlanner;
  readonly executor: MigrationExecutor;

  constructor(options: MigrationServiceOptions) {
    this.planner = new MigrationPlanner({
      clock: options.clock,
      adapter: options.adapter,
      ...(options.capacity === undefined ? {} : { capacity: options.capacity }),
      ...(options.compliance === undefined ? {} : { compliance: options.compliance }),
    });
    this.executor = new MigrationExecutor({
      adapter: options.adapter,
      clock: options.clock,
      ...(options.store === undefined ? {} : { store: options.store }),
      ...(options.leases === undefined ? {} : { leases: options.leases }),
      ...(options.link === undefined ? {} : { link: options.link }),
      ...(options.validate === undefined ? {} : { validate: options.validate }),
    });
  }

  /** Progress, phase, checkpoint and finish events of every migration. */
  get events(): MigrationExecutor["events"] {
    return this.executor.events;
  }

  /** Validates and estimates a request (see {@link MigrationPlanner.plan}). */
  plan(request: MigrationRequestInput, options: { signal?: AbortSignal } = {}): Promise<MigrationPlan> {
    return this.planner.plan(request, options);
  }

  /** Starts a planned migration; resolves with its id once its locks are held. */
  start(plan: MigrationPlan, options: { migrationId?: string; signal?: AbortSignal } = {}): Promise<string> {
    return this.executor.start(plan, options);
  }

  /** Plans (when given a request) and runs a migration to its end (or a pause). */
  async execute(planOrRequest: MigrationPlan | MigrationRequestInput, options: { migrationId?: string; signal?: AbortSignal } = {}): Promise<MigrationState> {
    const plan = "estimate" in planOrRequest ? planOrRequest : await this.plan(planOrRequest, options);
    return this.executor.execute(plan, options);
  }

  wait(migrationId: string): Promise<MigrationState> {
    return this.executor.wait(migrationId);
  }

  progress(migrationId: string): Promise<MigrationProgress> {
    return this.executor.progress(migrationId);
  }

  pause(migrationId: string): Promise<MigrationState> {
    return this.executor.pause(migrationId);
  }

  resume(migrationId: string, options: { signal?: AbortSignal } = {}): Promise<MigrationState> {
    return this.executor.resume(migrationId, options);
  }

  rollback(migrationId: string, options: { signal?: AbortSignal } = {}): Promise<MigrationState> {
    return this.executor.rollback(migrationId, options);
  }

  triggerCutover(migrationId: string): Promise<void> {
    return this.executor.triggerCutover(migrationId);
  }

  get(migrationId: string): Promise<MigrationState> {
    return this.executor.get(migrationId);
  }

  active(): Promise<MigrationState[]> {
    return this.executor.activeMigrations();
  }

  history(): readonly MigrationRecord[] {
    return this.executor.historyRecords();
  }

  metrics(): Promise<MigrationMetrics> {
    return this.executor.metrics();
  }

  async close(): Promise<void> {
    await this.executor.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
