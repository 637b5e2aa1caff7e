/**
 * Conflict detection on keyed writes. A write conflicts with a key's current value when it is
 * concurrent with it: neither causally precedes the other. Causality comes from vector clocks the
 * service computes over its configured origins (explicit `deps` plus each origin's own sequence), so
 * detection is exact, not a guess from timestamps.
 *
 * @module
 * @internal
 */
import { freeze } from "immer";
import { compareHlc } from "./hlc.js";
import type { ConflictPolicy, ConflictResolution, OrderingEvent } from "./types.js";

/** A vector clock: per origin index, the highest sequence number causally seen. */
export type VectorClock = number[];

/** `a` has seen everything `b` has. */
export function dominates(a: VectorClock, b: VectorClock): boolean {
  for (let i = 0; i < b.length; i++) if ((a[i] ?? 0) < (b[i] ?? 0)) return false;
  return true;
}

/** Component-wise maximum. */
export function join(a: VectorClock, b: VectorClock): VectorClock {
  const out = a.slice();
  for (let i = 0; i < b.length; i++) if ((b[i] ?? 0) > (out[i] ?? 0)) out[i] = b[i] ?? 0;
  return out;
}

interface KeyState<P> {
  /** The last write folded into the value. */
  writer: OrderingEvent<P>;
  /** The writes the value reflects: a superseding write must have seen all of them. */
  covers: VectorClock;
  value: P;
  stamp: number;
}

/** The resolved value of one key. */
export interface ResolvedValue<P> {
  readonly value: P;
  /** Id of the last write folded into the value. */
  readonly writer: string;
}

/** Keys' current values, least recently written evicted beyond `maxKeys`. */
export class KeyRegister<P> {
  private readonly keys = new Map<string, KeyState<P>>();
  // Write order for eviction, with lazily skipped stale entries (a Map's delete-and-reinsert would
  // leave V8 hash-table holes that make finding the oldest key slow).
  // Two parallel arrays rather than an object per write: nothing per write for the collector to trace.
  private recencyKeys: string[] = [];
  private recencyStamps: number[] = [];
  private head = 0;
  private clock = 0;

  constructor(
    private readonly policy: ConflictPolicy<P>,
    private readonly maxKeys: number,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  get(key: string): ResolvedValue<P> | undefined {
    const state = this.keys.get(key);
    return state === undefined ? undefined : { value: state.value, writer: state.writer.id };
  }

  /** Applies a delivered write; returns the resolution when it was concurrent with the current value. */
  apply(event: OrderingEvent<P>, key: string, vc: VectorClock): ConflictResolution<P> | undefined {
    const state = this.keys.get(key);
    if (state === undefined || dominates(vc, state.covers)) {
      this.set(key, { writer: event, covers: vc, value: event.payload, stamp: 0 });
      return undefined;
    }
    // Delivered late (its dependencies arrived late) and already superseded: nothing to resolve.
    if (dominates(state.covers, vc)) return undefined;
    const covers = join(state.covers, vc);
    const current = state.writer;
    let winner: OrderingEvent<P> | undefined;
    let value: P;
    switch (this.policy.kind) {
      case "last-writer-wins":
        winner = compareHlc(event.hlc, current.hlc) > 0 ? event : current;
        value = winner === event ? event.payload : state.value;
        break;
      case "first-writer-wins":
        winner = compareHlc(event.hlc, current.hlc) < 0 ? event : current;
        value = winner === event ? event.payload : state.value;
        break;
      case "merge": {
        const [first, second] = compareHlc(current.hlc, event.hlc) < 0 ? [current, event] : [event, current];
        // Frozen like every payload, so a caller holding the value cannot change what replicas agreed on.
        value = freeze(this.policy.merge(key, { ...first, payload: first === current ? state.value : first.payload }, { ...second, payload: second === current ? state.value : second.payload }), true);
        winner = undefined;
        break;
      }
    }
    // A winner keeps only its own causal history, so a write that saw the winner supersedes it;
    // a merged value reflects both writes, so a superseding write must have seen both.
    const nextCovers = winner === undefined ? covers : winner === event ? vc : state.covers;
    this.set(key, { writer: winner ?? event, covers: nextCovers, value, stamp: 0 });
    return { key, policy: this.policy.kind, current: current.id, incoming: event.id, winner: winner?.id, value };
  }

  private set(key: string, state: KeyState<P>): void {
    state.stamp = ++this.clock;
    this.keys.set(key, state);
    this.recencyKeys.push(key);
    this.recencyStamps.push(state.stamp);
    // Evict the least recently written key: skip queue entries superseded by a later write.
    while (this.keys.size > this.maxKeys && this.head < this.recencyKeys.length) {
      const oldest = this.recencyKeys[this.head] as string;
      const stamp = this.recencyStamps[this.head++];
      if (this.keys.get(oldest)?.stamp === stamp) this.keys.delete(oldest);
    }
    if (this.head > 1024 && this.head * 2 > this.recencyKeys.length) {
      this.recencyKeys = this.recencyKeys.slice(this.head);
      this.recencyStamps = this.recencyStamps.slice(this.head);
      this.head = 0;
    }
    if (this.recencyKeys.length > 4 * this.maxKeys + 1024) {
      // Mostly rewrites of the same keys: rebuild the queue from the live entries (a Map iterates in
      // insertion order, not write order, hence the sort).
      const live = [...this.keys].sort((a, b) => a[1].stamp - b[1].stamp);
      this.recencyKeys = live.map(([k]) => k);
      this.recencyStamps = live.map(([, s]) => s.stamp);
      this.head = 0;
    }
  }
}
