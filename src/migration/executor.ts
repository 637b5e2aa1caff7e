/**
 * {@link MigrationExecutor}: runs planned migrations through the phase machine, persisting state at
 * every phase boundary and periodically, with pause/resume, rollback, crash recovery from the store,
 * per-workload locks, history and metrics.
 *
 * @module
 */
import { freeze } from "immer";
import type { Clock } from "../core/clock.js";
import { CancelledError, ClosedError, NotFoundError, ValidationError, errorMessage, isEdgeflowError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { InMemoryLeaseStore, type LeaseStore } from "../lifecycle/lease-store.js";
import type { WorkloadAdapter } from "./adapter.js";
import type { Chunk } from "./chunk.js";
import { InvalidMigrationStateError, RollbackRequestedError } from "./errors.js";
import { MigrationHistory, recordOf } from "./history.js";
import { runPhase } from "./phases.js";
import { rollBack } from "./rollback.js";
import { MigrationRun, PauseSignal, type RunDependencies } from "./run.js";
import { InMemoryMigrationStore, type MigrationStateStore } from "./store.js";
import type { MigrationEvents, MigrationMetrics, MigrationPlan, MigrationProgress, MigrationRecord, MigrationState, WorkloadProgress } from "./types.js";

/** Construction options of {@link MigrationExecutor}. */
export interface MigrationExecutorOptions {
  readonly adapter: WorkloadAdapter;
  readonly clock: Clock;
  /** Where state is persisted (default: in memory, which survives an executor but not the process). */
  readonly store?: MigrationStateStore;
  /** Per-workload locks (default: an in-memory lease store on the clock, closed with the executor). */
  readonly leases?: LeaseStore;
  readonly events?: TypedEmitter<MigrationEvents>;
  /** Sees every chunk on its way to the target (a transport hop; fault injection in tests). */
  readonly link?: (chunk: Chunk) => Chunk | Promise<Chunk>;
  /** Validation gate after each wave's cutover; `false` rolls the migration back. */
  readonly validate?: RunDependencies["validate"];
  /** Finished migrations kept in history (default 1,000). */
  readonly historyLimit?: number;
}

const TERMINAL = new Set(["completed", "rolled_back"]);

interface Active {
  readonly run: MigrationRun;
  readonly done: Promise<MigrationState>;
}

/**
 * @example
 * ```ts
 * const executor = new MigrationExecutor({ adapter, clock, store });
 * const plan = await planner.plan({ source: "edge-a", target: "edge-b", workloads: [{ id: "cache" }] });
 * const final = await executor.execute(plan);           // "completed" or "rolled_back"
 * // after a crash, a new executor on the same store continues:
 * await new MigrationExecutor({ adapter, clock, store }).resume(final.id);
 * ```
 */
export class MigrationExecutor {
  /** Progress, phase, checkpoint and finish events. */
  readonly events: TypedEmitter<MigrationEvents>;
  private readonly deps: RunDependencies;
  private readonly ownsLeases: boolean;
  private readonly active = new Map<string, Active>();
  private readonly history: MigrationHistory;
  private nextId = 1;
  private closed = false;

  constructor(options: MigrationExecutorOptions) {
    this.events = options.events ?? new TypedEmitter<MigrationEvents>();
    this.ownsLeases = options.leases === undefined;
    this.deps = {
      adapter: options.adapter,
      clock: options.clock,
      store: options.store ?? new InMemoryMigrationStore(),
      leases: options.leases ?? new InMemoryLeaseStore({ clock: options.clock }),
      events: this.events,
      ...(options.link === undefined ? {} : { link: options.link }),
      ...(options.validate === undefined ? {} : { validate: options.validate }),
    };
    this.history = new MigrationHistory(options.historyLimit);
  }

  /**
   * Starts a migration and returns its id once its locks are taken and its first state persisted; the
   * migration runs on. {@link MigrationExecutor.wait} gives its outcome. Throws
   * `WorkloadLockedError` (nothing changed) when another migration holds one of the workloads.
   */
  async start(plan: MigrationPlan, options: { migrationId?: string; signal?: AbortSignal } = {}): Promise<string> {
    this.ensureOpen();
    const id = options.migrationId ?? `mig-${this.deps.clock.now().toString(36)}-${this.nextId++}`;
    if (this.active.has(id) || (await this.deps.store.load(id)) !== undefined) throw ValidationError.of("migrationId", `migration "${id}" already exists`, "duplicate_id");
    const now = this.deps.clock.now();
    const workloads: Record<string, WorkloadProgress> = {};
    for (const w of plan.request.workloads) {
      workloads[w.id] = { workloadId: w.id, stage: "pending", copyFrom: plan.request.source, cursor: null, round: 0, keysCopied: 0, rolledBack: false, leaseToken: null };
    }
    const state: MigrationState = {
      id,
      plan,
      phase: "planning",
      wave: 0,
      paused: false,
      cutoverRequested: false,
      workloads,
      rounds: [],
      transfer: { rawBytes: 0, wireBytes: 0, chunks: 0 },
      outageStartedAt: null,
      downtimeMs: 0,
      dataLossWindowMs: 0,
      failure: null,
      warnings: [],
      checkpoints: 0,
      lastCheckpointAt: now,
      startedAt: now,
      finishedAt: null,
      revision: 0,
    };
    const run = new MigrationRun(this.deps, state, options.signal);
    await run.acquireLocks(true);
    try {
      await run.checkpoint();
    } catch (error) {
      // Not persisted means not started: give the locks back so nothing is left half-applied.
      await run.releaseLocks().catch(() => undefined);
      run.stop();
      throw error;
    }
    this.history.noteStarted();
    this.launch(run);
    return id;
  }

  /** Starts a migration and resolves with its final (or paused) state. */
  async execute(plan: MigrationPlan, options: { migrationId?: string; signal?: AbortSignal } = {}): Promise<MigrationState> {
    return this.wait(await this.start(plan, options));
  }

  /** The outcome of a migration running here, or its stored state when it is not running. */
  async wait(migrationId: string): Promise<MigrationState> {
    const active = this.active.get(migrationId);
    return active === undefined ? this.get(migrationId) : active.done;
  }

  /**
   * Continues a migration from its last checkpoint: after {@link MigrationExecutor.pause}, or after a
   * crash (a new executor over the same store). A rollback in progress is continued.
   */
  async resume(migrationId: string, options: { signal?: AbortSignal } = {}): Promise<MigrationState> {
    this.ensureOpen();
    const running = this.active.get(migrationId);
    if (running !== undefined) {
      running.run.pauseRequested = false;
      return running.done;
    }
    const state = await this.get(migrationId);
    if (TERMINAL.has(state.phase)) return state;
    const run = new MigrationRun(this.deps, { ...state, paused: false }, options.signal);
    return this.launch(run).done;
  }

  /** Asks a running migration to pause after its current batch; resolves with the paused state. */
  async pause(migrationId: string): Promise<MigrationState> {
    const running = this.active.get(migrationId);
    if (running === undefined) {
      const state = await this.get(migrationId);
      if (TERMINAL.has(state.phase) || state.phase === "rolling_back" || state.phase === "failed") {
        throw new InvalidMigrationStateError(migrationId, `cannot pause in phase "${state.phase}"`);
      }
      if (state.paused) return state;
      const paused = { ...state, paused: true, revision: state.revision + 1 };
      await this.deps.store.save(paused);
      return paused;
    }
    running.run.pauseRequested = true;
    return running.done;
  }

  /** Requests cutover of an `incremental` migration (taken at the end of the current delta round). */
  async triggerCutover(migrationId: string): Promise<void> {
    const running = this.active.get(migrationId);
    const state = running?.run.state ?? (await this.get(migrationId));
    if (state.plan.request.strategy !== "incremental") throw new InvalidMigrationStateError(migrationId, "only incremental migrations wait for a cutover trigger");
    if (running !== undefined) running.run.state.cutoverRequested = true;
    else await this.deps.store.save({ ...state, cutoverRequested: true, revision: state.revision + 1 });
  }

  /**
   * Rolls a migration back: the source is authoritative again and serving, the target removed.
   * Idempotent (a rolled-back migration is returned as is) and resumable; refused once cleanup began.
   */
  async rollback(migrationId: string, options: { signal?: AbortSignal } = {}): Promise<MigrationState> {
    this.ensureOpen();
    const running = this.active.get(migrationId);
    if (running !== undefined) {
      this.refuseLateRollback(migrationId, running.run.state);
      running.run.rollbackRequested = true;
      running.run.pauseRequested = false;
      return running.done;
    }
    const state = await this.get(migrationId);
    if (state.phase === "rolled_back") return state;
    this.refuseLateRollback(migrationId, state);
    const run = new MigrationRun(this.deps, { ...state, paused: false }, options.signal);
    run.rollbackRequested = true;
    return this.launch(run).done;
  }

  /** The latest state of a migration (running or stored). */
  async get(migrationId: string): Promise<MigrationState> {
    const running = this.active.get(migrationId);
    if (running !== undefined) return freeze(structuredClone(running.run.state), true);
    const state = await this.deps.store.load(migrationId);
    if (state === undefined) throw new NotFoundError("migration", migrationId);
    return freeze(state, true);
  }

  /** Progress of a migration. */
  async progress(migrationId: string): Promise<MigrationProgress> {
    const running = this.active.get(migrationId);
    if (running !== undefined) return running.run.progress();
    const state = await this.get(migrationId);
    const run = new MigrationRun(this.deps, state, undefined);
    const p = run.progress();
    run.stop();
    return p;
  }

  /** Migrations not finished: running here, paused, or stored mid-way (e.g. left by a crashed executor). */
  async activeMigrations(): Promise<MigrationState[]> {
    const stored = await this.deps.store.list();
    return stored.filter((s) => !TERMINAL.has(s.phase)).map((s) => (this.active.has(s.id) ? structuredClone((this.active.get(s.id) as Active).run.state) : s));
  }

  /** Finished migrations seen by this executor, oldest first. */
  historyRecords(): readonly MigrationRecord[] {
    return this.history.list();
  }

  /** Success rate, mean duration and downtime, bytes. */
  async metrics(): Promise<MigrationMetrics> {
    return this.history.metrics((await this.activeMigrations()).length);
  }

  /** Pauses every running migration (each at its next batch boundary) and releases the lease store if owned. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const a of this.active.values()) a.run.pauseRequested = true;
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
    if (this.ownsLeases) this.deps.leases.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private refuseLateRollback(migrationId: string, state: MigrationState): void {
    if (state.phase === "completed" || state.phase === "cleanup") {
      throw new InvalidMigrationStateError(migrationId, `cannot roll back in phase "${state.phase}": the source is being or has been removed`);
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new ClosedError("migration executor");
  }

  private launch(run: MigrationRun): Active {
    const done = this.drive(run).finally(() => {
      this.active.delete(run.id);
      run.stop();
    });
    // The caller may only await `wait()`; an unobserved crash must not become an unhandled rejection.
    done.catch(() => undefined);
    const active = { run, done };
    this.active.set(run.id, active);
    return active;
  }

  private async drive(run: MigrationRun): Promise<MigrationState> {
    for (;;) {
      const phase = run.machine.phase;
      if (phase === "completed" || phase === "rolled_back") return this.finish(run);
      if (phase === "failed") {
        await run.transition("ROLLBACK");
        continue;
      }
      if (phase === "rolling_back") {
        await this.rollingBack(run);
        continue;
      }
      if (run.rollbackRequested && phase !== "cleanup") {
        await this.fail(run, new RollbackRequestedError(run.id));
        continue;
      }
      try {
        await runPhase(run);
      } catch (error) {
        if (error instanceof PauseSignal) {
          run.state.paused = true;
          await run.checkpoint();
          return freeze(structuredClone(run.state), true);
        }
        if (error instanceof CancelledError || run.signal?.aborted === true) throw error;
        if (phase === "cleanup") {
          // The source is partly removed: only going forward is safe. State stays in cleanup for resume().
          run.warn(`cleanup interrupted: ${errorMessage(error)}`);
          await run.checkpoint();
          throw error;
        }
        await this.fail(run, error);
      }
    }
  }

  private async rollingBack(run: MigrationRun): Promise<void> {
    try {
      await rollBack(run);
    } catch (error) {
      if (!(error instanceof CancelledError) && run.signal?.aborted !== true) {
        run.warn(`rollback interrupted: ${errorMessage(error)}`);
        await run.checkpoint();
      }
      throw error;
    }
    await run.transition("ROLLED_BACK");
  }

  private async fail(run: MigrationRun, error: unknown): Promise<void> {
    const code = isEdgeflowError(error) ? error.code : "migration.unexpected";
    run.state.failure = { code, message: errorMessage(error), phase: run.machine.phase };
    await run.transition("FAIL");
  }

  private finish(run: MigrationRun): MigrationState {
    const state = freeze(structuredClone(run.state), true);
    const record = recordOf(state);
    this.history.add(record);
    this.events.emit("migration:finished", record);
    return state;
  }
}
