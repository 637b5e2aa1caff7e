/**
 * {@link MigrationRun}: one migration being driven — its state, phase machine, bandwidth bucket, the
 * retrying adapter calls, the chunked transfer, checkpoints and progress. Phases (`phases.ts`) and
 * rollback (`rollback.ts`) are functions over a run.
 *
 * @module
 */
import { sleep, type Clock } from "../core/clock.js";
import { CancelledError, ConflictError, TimeoutError, ValidationError } from "../core/errors.js";
import type { TypedEmitter } from "../core/events.js";
import type { LeaseStore } from "../lifecycle/lease-store.js";
import type { StateEntry, WorkloadAdapter, WorkloadRef } from "./adapter.js";
import { loadZlibCodec, openChunk, sealChunk, type Chunk } from "./chunk.js";
import { AdapterFailureError, ChecksumMismatchError, WorkloadLockedError } from "./errors.js";
import { PhaseMachine, type MigrationMachineEvent } from "./machine.js";
import type { MigrationStateStore } from "./store.js";
import { TokenBucket } from "./token-bucket.js";
import type { MigrationEvents, MigrationPhase, MigrationProgress, MigrationState, WorkloadProgress } from "./types.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Thrown inside a run when a pause request takes effect (between batches). */
export class PauseSignal extends Error {}

/** Everything a run needs from its executor. */
export interface RunDependencies {
  readonly adapter: WorkloadAdapter;
  readonly clock: Clock;
  readonly store: MigrationStateStore;
  readonly leases: LeaseStore;
  readonly events: TypedEmitter<MigrationEvents>;
  /** Sees every chunk between source and target (a transport hop, or a fault injector in tests). */
  readonly link?: (chunk: Chunk) => Chunk | Promise<Chunk>;
  /** A gate after each wave's cutover: false fails the migration (and rolls it back). */
  readonly validate?: (check: { migrationId: string; workloadId: string; target: string }) => boolean | Promise<boolean>;
}

/** Lease resource of a workload's migration lock. */
export const lockResource = (workloadId: string): string => `migration:workload:${workloadId}`;
/** Lease holder of a migration. */
export const lockHolder = (migrationId: string): string => `migration:${migrationId}`;

function retryable(error: unknown): boolean {
  return !(error instanceof ChecksumMismatchError || error instanceof ValidationError || error instanceof ConflictError || error instanceof CancelledError);
}

/** Phase share of overall progress, for `percent`. */
const PHASE_SPAN: Readonly<Record<MigrationPhase, readonly [number, number]>> = {
  planning: [0, 0],
  pre_sync: [0, 60],
  sync: [60, 85],
  cutover: [85, 92],
  validation: [92, 96],
  cleanup: [96, 100],
  completed: [100, 100],
  failed: [0, 0],
  rolling_back: [0, 100],
  rolled_back: [100, 100],
};

/** One migration being driven. */
export class MigrationRun {
  readonly deps: RunDependencies;
  readonly state: Mutable<MigrationState>;
  readonly machine: PhaseMachine;
  readonly bucket: TokenBucket;
  readonly signal: AbortSignal | undefined;
  pauseRequested = false;
  rollbackRequested = false;
  private seq = 0;
  private lastRenewAt: number;

  constructor(deps: RunDependencies, state: MigrationState, signal: AbortSignal | undefined) {
    this.deps = deps;
    this.state = structuredClone(state) as Mutable<MigrationState>;
    this.machine = new PhaseMachine(state.phase);
    const o = state.plan.request.options;
    this.bucket = new TokenBucket(deps.clock, { ratePerSec: o.bandwidthBytesPerSec, burst: o.burstBytes });
    this.signal = signal;
    this.lastRenewAt = deps.clock.now();
  }

  get id(): string {
    return this.state.id;
  }

  get options(): MigrationState["plan"]["request"]["options"] {
    return this.state.plan.request.options;
  }

  get source(): string {
    return this.state.plan.request.source;
  }

  get target(): string {
    return this.state.plan.request.target;
  }

  now(): number {
    return this.deps.clock.now();
  }

  ref(workloadId: string, edgeId: string): WorkloadRef {
    return { workloadId, edgeId };
  }

  progressOf(workloadId: string): WorkloadProgress {
    const p = this.state.workloads[workloadId];
    if (p === undefined) throw new Error(`no progress for workload "${workloadId}"`);
    return p;
  }

  setProgress(workloadId: string, patch: Partial<WorkloadProgress>): void {
    this.state.workloads = { ...this.state.workloads, [workloadId]: { ...this.progressOf(workloadId), ...patch } };
  }

  /** Stops at once when the executor is being torn down (a crash, as far as the migration knows). */
  throwIfAborted(): void {
    if (this.signal?.aborted) throw new CancelledError("migration run aborted", { cause: this.signal.reason });
  }

  /** Honours pause between batches. */
  checkPause(): void {
    this.throwIfAborted();
    if (this.pauseRequested) throw new PauseSignal();
  }

  /** Moves the machine and checkpoints at the phase boundary. */
  async transition(event: MigrationMachineEvent["type"]): Promise<void> {
    const from = this.machine.phase;
    const to = this.machine.send(event);
    this.state.phase = to;
    this.deps.events.emit("migration:phase", { migrationId: this.id, from, to, at: this.now() });
    await this.checkpoint();
  }

  /** Persists the state (a checkpoint). */
  async checkpoint(): Promise<void> {
    this.throwIfAborted();
    this.state.revision += 1;
    this.state.checkpoints += 1;
    this.state.lastCheckpointAt = this.now();
    await this.deps.store.save(structuredClone(this.state));
    this.deps.events.emit("migration:checkpoint", { migrationId: this.id, phase: this.state.phase, revision: this.state.revision, at: this.now() });
    this.emitProgress();
  }

  /** Checkpoints when the interval has passed on the clock; renews the locks when a third of their TTL passed. */
  async tick(): Promise<void> {
    if (this.now() - this.state.lastCheckpointAt >= this.options.checkpointIntervalMs) await this.checkpoint();
    if (this.now() - this.lastRenewAt >= this.options.leaseTtlMs / 3) await this.acquireLocks();
  }

  /** Takes (or extends) every workload's lock; all or nothing when `atomic`. */
  async acquireLocks(atomic = false): Promise<void> {
    const holder = lockHolder(this.id);
    const taken: Array<{ resource: string; token: number }> = [];
    for (const workloadId of Object.keys(this.state.workloads).sort()) {
      try {
        const lease = await this.deps.leases.acquire(lockResource(workloadId), holder, this.options.leaseTtlMs);
        taken.push({ resource: lease.resource, token: lease.token });
        this.setProgress(workloadId, { leaseToken: lease.token });
      } catch (error) {
        if (atomic) for (const t of taken) await this.deps.leases.release(t.resource, holder, t.token).catch(() => undefined);
        const current = await this.deps.leases.get(lockResource(workloadId));
        throw new WorkloadLockedError(workloadId, current?.holder ?? "another migration", error);
      }
    }
    this.lastRenewAt = this.now();
  }

  /** Releases every lock this migration holds (idempotent). */
  async releaseLocks(): Promise<void> {
    const holder = lockHolder(this.id);
    for (const workloadId of Object.keys(this.state.workloads).sort()) {
      const lease = await this.deps.leases.get(lockResource(workloadId));
      if (lease !== undefined && lease.holder === holder) await this.deps.leases.release(lease.resource, holder, lease.token);
      this.setProgress(workloadId, { leaseToken: null });
    }
  }

  /** Refuses a mutating step unless this migration still holds the workload's lease (fencing). */
  async fence(workloadId: string): Promise<void> {
    const token = this.progressOf(workloadId).leaseToken;
    if (token === null) throw new WorkloadLockedError(workloadId, "nobody (lock not taken)");
    await this.deps.leases.checkFence(lockResource(workloadId), token);
  }

  /** An adapter call with a timeout on the clock and retries with exponential backoff. */
  async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.throwIfAborted();
      try {
        return await this.withTimeout(operation, fn);
      } catch (error) {
        this.throwIfAborted();
        if (!retryable(error)) throw error;
        if (attempt >= this.options.maxAttempts) throw error instanceof AdapterFailureError ? error : new AdapterFailureError(operation, error, this.id);
        await this.sleep(this.options.retryBackoffMs * 2 ** (attempt - 1));
      }
    }
  }

  /** Waits on the clock; an abort is a {@link CancelledError}. */
  async sleep(ms: number): Promise<void> {
    try {
      await sleep(this.deps.clock, ms, this.signal);
    } catch (error) {
      throw new CancelledError("migration run aborted", { cause: error });
    }
  }

  /**
   * Copies `keys` of a workload from one edge to another through the bandwidth limit: read, seal
   * (frame, compress, SHA-256), the link, open (verify), fence, apply, acknowledge. Returns raw bytes.
   */
  async copyKeys(workloadId: string, from: string, to: string, keys: readonly string[], ack: boolean): Promise<number> {
    let bytes = 0;
    for (let i = 0; i < keys.length; i += this.options.batchKeys) {
      this.throwIfAborted();
      const batch = keys.slice(i, i + this.options.batchKeys);
      const entries = await this.call("read", () => this.deps.adapter.read(this.ref(workloadId, from), batch));
      bytes += await this.copyEntries(workloadId, from, to, entries, ack);
    }
    return bytes;
  }

  /** Sends entries already read (one chunk); see {@link MigrationRun.copyKeys}. */
  async copyEntries(workloadId: string, from: string, to: string, entries: readonly StateEntry[], ack: boolean): Promise<number> {
    const codec = this.options.compression ? await loadZlibCodec() : null;
    const sealed = sealChunk(this.seq++, entries, codec);
    const received = this.deps.link === undefined ? sealed : await this.deps.link(sealed);
    await this.bucket.take(received.wireBytes, this.signal === undefined ? {} : { signal: this.signal }).catch((error: unknown) => {
      throw new CancelledError("migration run aborted", { cause: error });
    });
    const opened = openChunk(received, codec);
    await this.fence(workloadId);
    await this.call("apply", () => this.deps.adapter.apply(this.ref(workloadId, to), opened));
    if (ack) {
      const keys = entries.map((e) => e.key);
      await this.call("ackChanges", () => this.deps.adapter.ackChanges(this.ref(workloadId, from), keys));
    }
    const t = this.state.transfer;
    this.state.transfer = { rawBytes: t.rawBytes + sealed.rawBytes, wireBytes: t.wireBytes + sealed.wireBytes, chunks: t.chunks + 1 };
    this.emitProgress();
    return sealed.rawBytes;
  }

  /** Adds a warning for the caller (once). */
  warn(message: string): void {
    if (!this.state.warnings.includes(message)) this.state.warnings = [...this.state.warnings, message];
  }

  /** Starts counting downtime (persisted first, so a crash never under-reports it). */
  async outageBegins(): Promise<void> {
    if (this.state.outageStartedAt === null) {
      this.state.outageStartedAt = this.now();
      await this.checkpoint();
    }
  }

  /** Stops counting downtime. */
  outageEnds(): void {
    if (this.state.outageStartedAt !== null) {
      this.state.downtimeMs += this.now() - this.state.outageStartedAt;
      this.state.outageStartedAt = null;
    }
  }

  progress(): MigrationProgress {
    const phase = this.state.phase;
    const [lo, hi] = PHASE_SPAN[phase];
    const total = Math.max(1, this.state.plan.totalBytes);
    const copied = this.state.transfer.rawBytes;
    const within = phase === "pre_sync" || phase === "sync" ? Math.min(1, copied / total) : phase === "completed" || phase === "rolled_back" ? 1 : 0.5;
    const elapsed = this.now() - this.state.startedAt;
    const terminal = phase === "completed" || phase === "rolled_back";
    const eta = terminal ? 0 : Math.max(0, this.state.plan.estimate.durationMs - elapsed);
    return {
      migrationId: this.id,
      phase,
      paused: this.state.paused,
      percent: Math.round((lo + (hi - lo) * within) * 10) / 10,
      bytesTransferred: copied,
      wireBytes: this.state.transfer.wireBytes,
      totalBytes: this.state.plan.totalBytes,
      etaMs: Number.isFinite(eta) ? eta : null,
      at: this.now(),
    };
  }

  emitProgress(): void {
    this.deps.events.emit("migration:progress", this.progress());
  }

  stop(): void {
    this.machine.stop();
  }

  private withTimeout<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const ms = this.options.callTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.deps.clock.clearTimer(timer);
        reject(new CancelledError("migration run aborted"));
      };
      const timer = this.deps.clock.setTimer(ms, () => {
        this.signal?.removeEventListener("abort", onAbort);
        reject(new TimeoutError(`adapter call "${operation}" took longer than ${ms} ms`, ms));
      });
      this.signal?.addEventListener("abort", onAbort, { once: true });
      fn().then(
        (value) => {
          this.deps.clock.clearTimer(timer);
          this.signal?.removeEventListener("abort", onAbort);
          resolve(value);
        },
        (error: unknown) => {
          this.deps.clock.clearTimer(timer);
          this.signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  }
}
