/**
 * Retry decisions for node attempts.
 *
 * @module
 */
import { isEdgeflowError } from "../core/errors.js";
import type { ResolvedRetryPolicy } from "./types.js";

/** Wait before attempt `attempt + 1`, after `attempt` failed (attempt counts from 1). */
export function backoffDelay(policy: ResolvedRetryPolicy, attempt: number): number {
  const delay = policy.backoffMs * policy.backoffCoefficient ** (attempt - 1);
  return policy.maximumBackoffMs === undefined ? delay : Math.min(delay, policy.maximumBackoffMs);
}

/**
 * Whether an error may be retried. Validation errors (bad input or output) and cancellations never
 * are: trying again cannot fix them. Anything named in `nonRetryableErrorTypes`, by `code` or class
 * name, is not either.
 */
export function isRetryable(error: unknown, policy: ResolvedRetryPolicy | undefined): boolean {
  if (isEdgeflowError(error, "validation") || isEdgeflowError(error, "cancelled")) return false;
  if (policy === undefined) return false;
  const names = policy.nonRetryableErrorTypes;
  if (names.length === 0) return true;
  if (isEdgeflowError(error) && names.includes(error.code)) return false;
  return !(error instanceof Error && names.includes(error.name));
}
