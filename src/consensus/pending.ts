/**
 * The host's proposals waiting to be applied, by log index. Several may wait on one index: a member
 * whose uncommitted entries were overwritten can lead again and propose at the same indexes, and
 * the earlier waiters must still be settled, never silently replaced.
 *
 * @module
 */
import type { LogEntry } from "../storage/types.js";
import { ProposalLostError } from "./errors.js";
import type { Waiter } from "./waiter.js";

interface Pending<T> {
  readonly term: number;
  readonly waiter: Waiter<T>;
}

export class PendingProposals<T> {
  private readonly byIndex = new Map<number, Array<Pending<T>>>();

  get size(): number {
    return this.byIndex.size;
  }

  /** Waiters held, over all indexes. */
  get count(): number {
    let n = 0;
    for (const list of this.byIndex.values()) n += list.length;
    return n;
  }

  /** Drops `waiter` (cancelled by its caller) without settling it. */
  remove(waiter: unknown): void {
    for (const [i, list] of this.byIndex) {
      const kept = list.filter((p) => p.waiter !== waiter);
      if (kept.length === list.length) continue;
      if (kept.length === 0) this.byIndex.delete(i);
      else this.byIndex.set(i, kept);
      return;
    }
  }

  add(index: number, term: number, waiter: Waiter<T>): void {
    const list = this.byIndex.get(index);
    if (list === undefined) this.byIndex.set(index, [{ term, waiter }]);
    else list.push({ term, waiter });
  }

  /**
   * `entry` was applied: the waiter proposed in its term gets `value`; any other waiter on its
   * index proposed an entry that lost the index and goes to `fail`.
   */
  settle(entry: LogEntry, value: () => T, fail: (waiter: Waiter<T>, error: unknown) => void): boolean {
    const list = this.byIndex.get(entry.index);
    if (list === undefined) return false;
    this.byIndex.delete(entry.index);
    let matched = false;
    for (const p of list) {
      if (p.term === entry.term) {
        matched = true;
        p.waiter.resolve(value());
      } else fail(p.waiter, new ProposalLostError(entry.index, p.term));
    }
    return matched;
  }

  /**
   * An entry of term `term` was applied at `index`. Terms never decrease along a log, so every later
   * index holds an entry of at least `term` once committed: proposals there from older terms are lost.
   */
  failOlderAfter(index: number, term: number, fail: (waiter: Waiter<T>, error: unknown) => void): void {
    for (const [i, list] of this.byIndex) {
      if (i <= index) continue;
      const kept = list.filter((p) => {
        if (p.term >= term) return true;
        fail(p.waiter, new ProposalLostError(i, p.term));
        return false;
      });
      if (kept.length === 0) this.byIndex.delete(i);
      else if (kept.length !== list.length) this.byIndex.set(i, kept);
    }
  }

  /** Fails (with `error(index)`) every waiter at or below `upTo`. */
  failUpTo(upTo: number, error: (index: number) => unknown, fail: (waiter: Waiter<T>, error: unknown) => void): void {
    for (const [i, list] of this.byIndex) {
      if (i > upTo) continue;
      this.byIndex.delete(i);
      for (const p of list) fail(p.waiter, error(i));
    }
  }

  /** Drops waiters past their deadline (they fail themselves with a TimeoutError). */
  expire(now: number, timeoutMs: number): void {
    for (const [i, list] of this.byIndex) {
      const kept = list.filter((p) => !p.waiter.expire(now, timeoutMs));
      if (kept.length === 0) this.byIndex.delete(i);
      else if (kept.length !== list.length) this.byIndex.set(i, kept);
    }
  }

  failAll(error: unknown, fail: (waiter: Waiter<T>, error: unknown) => void): void {
    const lists = [...this.byIndex.values()];
    this.byIndex.clear();
    for (const list of lists) for (const p of list) fail(p.waiter, error);
  }
}
