/**
 * Recording client histories against real etcd for `checkLinearizable`, and the fencing checks of the
 * lease workload.
 */
import { performance } from "node:perf_hooks";
import { isEdgeflowError } from "../../../src/core/errors.js";
import type { KvInput, KvOutput, Operation } from "../../../src/testing/index.js";

/**
 * Whether a failed call may still have taken effect: the request timed out, was cancelled, or the
 * connection broke. Anything else (a validation error, a lease conflict) certainly did nothing.
 */
export function outcomeUnknown(error: unknown): boolean {
  return isEdgeflowError(error, "timeout") || isEdgeflowError(error, "etcd.unavailable") || isEdgeflowError(error, "cancelled");
}

/** A key-value history being recorded by concurrent clients on one clock. */
export class KvHistory {
  readonly operations: Operation<KvInput, KvOutput>[] = [];
  /** Calls whose outcome stayed unknown (recorded as still running, for writes; dropped, for reads). */
  unknown = 0;

  /**
   * Runs `call`, recording it as `input` answered with `toOutput(result)`. A failure of unknown outcome
   * is recorded as never returning for a write (it may take effect at any later time) and left out
   * for a read (it changed nothing); `undefined` is returned then. Other failures are rethrown.
   */
  async record<T>(clientId: string, input: KvInput, call: () => Promise<T>, toOutput: (result: T) => KvOutput): Promise<T | undefined> {
    const start = performance.now();
    try {
      const result = await call();
      this.operations.push({ clientId, input, output: toOutput(result), call: start, return: performance.now() });
      return result;
    } catch (error) {
      if (!outcomeUnknown(error)) throw error;
      this.unknown++;
      if (input.kind !== "get") this.operations.push({ clientId, input, output: undefined, call: start, return: Number.POSITIVE_INFINITY });
      return undefined;
    }
  }
}

/** One lease a holder was granted, with when it asked and heard back (one clock for all clients). */
export interface Grant {
  readonly holder: string;
  readonly resource: string;
  readonly token: number;
  readonly acquireCall: number;
  readonly acquireReturn: number;
}

/**
 * Fencing tokens across holders: a token belongs to one holder and resource, and a lease on a resource
 * granted to a different holder after another's grant on it was returned carries a larger token. (The
 * same holder may get its token again: re-acquiring a live lease keeps it.) Returns the violations.
 */
export function tokenViolations(grants: readonly Grant[]): string[] {
  const problems: string[] = [];
  const owner = new Map<number, string>();
  for (const g of grants) {
    const who = `${g.holder}@${g.resource}`;
    const known = owner.get(g.token);
    if (known !== undefined && known !== who) problems.push(`token ${g.token} granted to ${known} and to ${who}`);
    owner.set(g.token, who);
  }
  for (const a of grants) {
    for (const b of grants) {
      if (a.resource === b.resource && a.holder !== b.holder && b.acquireCall > a.acquireReturn && b.token <= a.token) {
        problems.push(`${b.holder} asked for a lease after ${a.holder} got token ${a.token}, yet got token ${b.token}`);
      }
    }
  }
  return problems;
}

/** A fenced use's value: the token and holder that wrote it. */
export function fencedValue(token: number, holder: string, use: number): string {
  return `${token}:${holder}:${use}`;
}

/** The token a fenced value was written under (0 for none yet). */
export function fencedToken(value: string | null): number {
  return value === null ? 0 : Number(value.split(":")[0]);
}

/**
 * The fenced uses of one resource in the order they took effect, rebuilt from the compare-and-set
 * chain (each use replaces exactly the value it read, and values never repeat), and the violations:
 * a use whose token is older than the one before it, or a confirmed use missing from the chain.
 */
export function fencingViolations(history: readonly Operation<KvInput, KvOutput>[], key: string): { chain: string[]; problems: string[] } {
  const writes = history.filter((op) => op.input.kind === "cas" && op.input.key === key && (op.output === undefined || op.output.ok === true));
  // A confirmed write wins over one of unknown outcome from the same value: only one of them can have happened.
  const byExpected = new Map<string | null, Operation<KvInput, KvOutput>>();
  for (const op of writes) {
    if (op.input.kind !== "cas") continue;
    if (op.output !== undefined || !byExpected.has(op.input.expected)) byExpected.set(op.input.expected, op);
  }
  const chain: string[] = [];
  const problems: string[] = [];
  let current: string | null = null;
  for (let op = byExpected.get(null); op !== undefined && op.input.kind === "cas"; op = byExpected.get(current)) {
    const next = op.input.value;
    if (next === null || chain.includes(next)) break;
    if (fencedToken(next) < fencedToken(current)) problems.push(`${next} took effect after ${String(current)}: an older token used after a newer one`);
    chain.push(next);
    current = next;
  }
  for (const op of writes) {
    if (op.input.kind === "cas" && op.output !== undefined && op.input.value !== null && !chain.includes(op.input.value)) problems.push(`confirmed use ${op.input.value} is not in the chain of uses`);
  }
  return { chain, problems };
}
