/**
 * Bounds one etcd request by a timeout on the injected clock and by an optional `AbortSignal`, and
 * translates the client's errors into typed edgeflow errors.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";
import { CancelledError, TimeoutError } from "../core/errors.js";
import { translateEtcdError } from "./errors.js";

/** Options every etcd-backed call accepts. */
export interface EtcdCallOptions {
  /** Aborting rejects the call with a `CancelledError`; the request may still have reached etcd. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `request` and settles with it, unless `timeoutMs` passes first (`TimeoutError`) or `signal`
 * aborts (`CancelledError`). A late answer is dropped: the caller has already been told it failed.
 */
export async function boundedCall<T>(clock: Clock, what: string, timeoutMs: number, request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted === true) throw new CancelledError(`etcd ${what} cancelled`, { cause: signal.reason });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clock.clearTimer(timer);
      signal?.removeEventListener("abort", onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(new CancelledError(`etcd ${what} cancelled`, { cause: signal?.reason }));
    };
    const timer = clock.setTimer(timeoutMs, () => {
      if (finish()) reject(new TimeoutError(`etcd ${what} timed out after ${timeoutMs} ms`, timeoutMs));
    });
    signal?.addEventListener("abort", onAbort, { once: true });
    request().then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        if (finish()) reject(translateEtcdError(error, what, timeoutMs));
      },
    );
  });
}
