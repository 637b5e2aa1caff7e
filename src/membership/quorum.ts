/**
 * Quorum arithmetic for a configured voter set.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import { requireDistinct, requireId, requireNumber } from "../core/validation.js";
import type { QuorumView } from "./types.js";

/** Votes needed out of `voters`: a strict majority. */
export function majority(voters: number): number {
  requireNumber(voters, "voters", { integer: true, min: 0 });
  return Math.floor(voters / 2) + 1;
}

/**
 * The quorum view given the voters and which of them are reachable.
 *
 * @example
 * ```ts
 * quorumOf(["a", "b", "c"], new Set(["a", "b"])).hasQuorum; // true: 2 of 3
 * quorumOf(["a", "b", "c", "d"], new Set(["a", "b"])).hasQuorum; // false: 2 of 4 is not a majority
 * ```
 */
export function quorumOf(voters: readonly string[], reachable: ReadonlySet<string>): QuorumView {
  if (!Array.isArray(voters as unknown)) throw ValidationError.of("voters", "must be an array of member ids", "invalid_type");
  voters.forEach((v, i) => requireId(v, `voters[${i}]`));
  requireDistinct(voters, "voters");
  if (!(reachable instanceof Set)) throw ValidationError.of("reachable", "must be a Set of member ids", "invalid_type");
  const sorted = [...voters].sort();
  const up = sorted.filter((v) => reachable.has(v));
  const down = sorted.filter((v) => !reachable.has(v));
  const needed = majority(sorted.length);
  return { voters: sorted, needed, reachable: up, unreachable: down, hasQuorum: up.length >= needed };
}
