/**
 * Capped exponential backoff with jitter for reconnects, in Temporal's retry vocabulary.
 *
 * @module
 */
import { z } from "zod";
import type { Random } from "../core/random.js";

export const backoffSchema = z
  .object({
    /** Delay before the first retry. */
    initialInterval: z.number().finite().min(0).default(100),
    /** Factor applied per further attempt. */
    backoffCoefficient: z.number().finite().min(1).default(2),
    /** Cap on the delay. */
    maximumInterval: z.number().finite().min(0).default(10_000),
    /** Fraction of the delay that is random: the delay is drawn uniformly from `[d·(1-jitter), d]`. */
    jitter: z.number().min(0).max(1).default(0.5),
  })
  .strict()
  .refine((b) => b.maximumInterval >= b.initialInterval, { message: "maximumInterval must be >= initialInterval", path: ["maximumInterval"] });

export type BackoffPolicy = z.input<typeof backoffSchema>;
export type ResolvedBackoff = z.output<typeof backoffSchema>;

/** Delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(policy: ResolvedBackoff, attempt: number, random: Random): number {
  const base = Math.min(policy.maximumInterval, policy.initialInterval * policy.backoffCoefficient ** Math.min(attempt, 64));
  return policy.jitter === 0 ? base : base * (1 - policy.jitter * random.float());
}
