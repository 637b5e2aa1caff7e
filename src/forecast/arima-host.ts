/**
 * Runs `arima` fits in a `worker_threads` worker, one at a time, so a slow fit never blocks the event
 * loop and a crash never reaches the caller. The worker is replaced after every failure (a crashed
 * `arima` 0.2.8 module instance fails every later call), every timeout and every cancellation.
 *
 * @module
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { SystemClock, type Clock } from "../core/clock.js";
import { CancelledError, ClosedError, TimeoutError, errorMessage } from "../core/errors.js";
import { ForecastFailedError } from "./errors.js";
import { ARIMA_WORKER_SOURCE } from "./arima-worker-source.js";

/** Model orders passed to `arima` (its option names). */
export interface ArimaOrders {
  readonly p: number;
  readonly d: number;
  readonly q: number;
  readonly P?: number;
  readonly D?: number;
  readonly Q?: number;
  readonly s?: number;
  /** AutoARIMA: p, d, q, P, D, Q become the search's upper bounds. */
  readonly auto?: boolean;
}

/** One fit-and-predict request. */
export interface ArimaJob {
  readonly series: readonly number[];
  readonly options: ArimaOrders;
  readonly horizon: number;
}

/** The raw answer of `arima`: point forecasts and their variances. */
export interface ArimaOutput {
  readonly mean: readonly number[];
  readonly variance: readonly number[];
}

/** Settings of {@link ArimaWorkerHost}. */
export interface ArimaWorkerHostOptions {
  /** Clock for fit timeouts (default {@link SystemClock}). */
  readonly clock?: Clock;
  /** Default time limit of one fit, ms (default 30 000). */
  readonly timeoutMs?: number;
}

type Reply = { id: number; ok: true; mean: number[]; variance: number[] } | { id: number; ok: false; error: string };

interface Pending {
  readonly id: number;
  resolve(output: ArimaOutput): void;
  reject(error: Error): void;
}

/**
 * Owns one ARIMA worker thread (started on first use). Jobs run one after another.
 *
 * @example
 * ```ts
 * await using host = new ArimaWorkerHost();
 * const { mean, variance } = await host.run({ series, options: { p: 2, d: 1, q: 1 }, horizon: 12 });
 * ```
 */
export class ArimaWorkerHost {
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly arimaPath: string;
  private worker: Worker | undefined;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private closed = false;
  private restarts = 0;

  constructor(options: ArimaWorkerHostOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.arimaPath = createRequire(import.meta.url).resolve("arima");
  }

  /** How many times a worker was thrown away after a failure, timeout or cancellation. */
  get replacements(): number {
    return this.restarts;
  }

  /**
   * Fits and predicts in the worker. Rejects with {@link ForecastFailedError} when `arima` throws or
   * the worker dies, {@link TimeoutError} after `timeoutMs`, {@link CancelledError} on abort; in each
   * case the worker is replaced before the next job.
   */
  run(job: ArimaJob, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ArimaOutput> {
    if (this.closed) return Promise.reject(new ClosedError("ArimaWorkerHost"));
    const result = this.queue.then(() => this.execute(job, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Stops the worker; later `run` calls reject with a closed error. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await this.discard();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private execute(job: ArimaJob, options: { timeoutMs?: number; signal?: AbortSignal }): Promise<ArimaOutput> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new CancelledError("ARIMA fit cancelled", { cause: signal.reason }));
    if (this.closed) return Promise.reject(new ClosedError("ArimaWorkerHost"));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return new Promise<ArimaOutput>((resolve, reject) => {
      const finish = (): void => {
        this.clock.clearTimer(timer);
        signal?.removeEventListener("abort", onAbort);
        this.pending = undefined;
      };
      const fail = (error: Error): void => {
        finish();
        this.restarts++;
        void this.discard().then(() => reject(error));
      };
      const onAbort = (): void => fail(new CancelledError("ARIMA fit cancelled", { cause: signal?.reason }));
      const timer = this.clock.setTimer(timeoutMs, () => fail(new TimeoutError(`ARIMA fit did not finish within ${timeoutMs} ms`, timeoutMs)));
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending = {
        id,
        resolve: (output) => {
          finish();
          resolve(output);
        },
        reject: fail,
      };
      worker.postMessage({ id, series: [...job.series], options: job.options, horizon: job.horizon });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(ARIMA_WORKER_SOURCE, { eval: true, workerData: { arimaPath: this.arimaPath } });
    worker.unref();
    worker.on("message", (reply: Reply) => {
      const pending = this.pending;
      if (pending === undefined || pending.id !== reply.id) return;
      if (reply.ok) pending.resolve({ mean: reply.mean, variance: reply.variance });
      else pending.reject(new ForecastFailedError("arima", reply.error));
    });
    worker.on("error", (error) => {
      if (this.worker === worker) this.worker = undefined;
      this.pending?.reject(new ForecastFailedError("arima", `worker crashed: ${errorMessage(error)}`, { cause: error }));
    });
    worker.on("exit", (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.pending?.reject(new ForecastFailedError("arima", `worker exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private async discard(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker === undefined) return;
    await worker.terminate();
  }
}
