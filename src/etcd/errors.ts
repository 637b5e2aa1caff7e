/**
 * Typed errors of the etcd backends, and the translation of the client's gRPC errors into them.
 *
 * @module
 */
import { EdgeflowError, TimeoutError } from "../core/errors.js";

/** No member of the etcd cluster answered (all down, partitioned, or no quorum). Code `etcd.unavailable`. */
export class EtcdUnavailableError extends EdgeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("etcd.unavailable", message, options);
  }
}

/** A read or watch asked for a revision etcd has already compacted away. Code `etcd.compacted`. */
export class EtcdCompactedError extends EdgeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("etcd.compacted", message, options);
  }
}

/**
 * Turns whatever the etcd client threw into an edgeflow error; edgeflow errors pass through unchanged.
 * Matching is by class name and message because the client's error classes are not exported from its
 * root in a stable way across versions.
 */
export function translateEtcdError(error: unknown, what: string, timeoutMs: number): EdgeflowError {
  if (error instanceof EdgeflowError) return error;
  const name = error instanceof Error ? error.constructor.name : "";
  const message = error instanceof Error ? error.message : String(error);
  if (name === "GRPCDeadlineExceededError" || /deadline exceeded/i.test(message)) {
    return new TimeoutError(`etcd ${what} timed out after ${timeoutMs} ms`, timeoutMs);
  }
  if (/compacted/i.test(message)) return new EtcdCompactedError(`etcd ${what}: ${message}`, { cause: error });
  return new EtcdUnavailableError(`etcd ${what} failed: ${message}`, { cause: error });
}
