import type { Clock } from "../../../src/core/clock.js";
import { Random } from "../../../src/core/random.js";
import { compareHlc, HybridLogicalClock } from "../../../src/ordering/hlc.js";
import type { HlcTimestamp, OrderingEvent } from "../../../src/ordering/types.js";

class DriftingClock implements Clock {
  constructor(
    private readonly base: { time: number },
    private readonly drift: number,
  ) {}
  now(): number {
    return this.base.time + this.drift;
  }
  setTimer(): { id: number } {
    throw new Error("not used");
  }
  clearTimer(): void {}
}

export interface History {
  readonly origins: string[];
  readonly events: OrderingEvent<number>[];
  /** Per origin, its last sequence number and a timestamp above all of its events. */
  readonly finalHeartbeats: { origin: string; seq: number; hlc: HlcTimestamp }[];
  /** Largest wall in the history. */
  readonly maxWall: number;
}

/**
 * A random causal history: origins with drifting clocks publish events, learn each other's events in
 * random order (updating their HLC), and name learned events as dependencies. Some events reuse an
 * earlier id (application-level duplicates); some write one of a few keys.
 */
export function randomHistory(seed: number, options: { origins?: number; events?: number; duplicateIdRate?: number; forwardDepRate?: number } = {}): History {
  const random = new Random(seed);
  const n = options.origins ?? random.int(2, 4);
  const total = options.events ?? random.int(5, 60);
  const origins = Array.from({ length: n }, (_, i) => `o${i}`);
  const base = { time: 1_000 };
  const clocks = origins.map((nodeId) => new HybridLogicalClock({ nodeId, clock: new DriftingClock(base, random.int(-100, 100)), maxOffsetMs: 10_000 }));
  const seen = origins.map(() => [] as OrderingEvent<number>[]);
  const seqs = origins.map(() => 0);
  const events: OrderingEvent<number>[] = [];
  for (let k = 0; k < total; k++) {
    base.time += random.int(0, 2);
    // Learn a few events first (a receive event on the learner's clock).
    for (let l = random.int(0, 2); l > 0 && events.length > 0; l--) {
      const learner = random.int(0, n - 1);
      const learned = random.pick(events);
      (clocks[learner] as HybridLogicalClock).update(learned.hlc);
      (seen[learner] as OrderingEvent<number>[]).push(learned);
    }
    const o = random.int(0, n - 1);
    const mine = seen[o] as OrderingEvent<number>[];
    const deps = mine.length === 0 ? [] : [...new Set(Array.from({ length: random.int(0, 2) }, () => random.pick(mine).id))];
    // A dependency on an event some origin has not stamped yet: causally impossible, so it must be
    // rejected, identically everywhere, whether or not a replica has received that event yet.
    if ((options.forwardDepRate ?? 0) > 0 && random.bool(options.forwardDepRate ?? 0)) {
      const f = random.int(0, n - 1);
      deps.push(`${origins[f]}-${(seqs[f] as number) + random.int(1, 3)}`);
    }
    const seq = (seqs[o] = (seqs[o] as number) + 1);
    const reuse = events.length > 0 && random.bool(options.duplicateIdRate ?? 0.05);
    const id = reuse ? random.pick(events).id : `${origins[o]}-${seq}`;
    const key = random.bool(0.6) ? `k${random.int(0, 2)}` : undefined;
    const event: OrderingEvent<number> = { id, origin: origins[o] as string, seq, hlc: (clocks[o] as HybridLogicalClock).now(), deps, key, payload: k };
    events.push(event);
    mine.push(event);
  }
  const maxWall = Math.max(...events.map((e) => e.hlc.wall));
  const finalHeartbeats = origins.map((origin, i) => ({ origin, seq: seqs[i] as number, hlc: { wall: maxWall + 1, logical: 0, nodeId: origin } }));
  return { origins, events, finalHeartbeats, maxWall };
}

/** Whether `events` (in delivery order) respect every dependency and each origin's sequence. */
export function causalViolations(delivered: readonly OrderingEvent[], all: readonly OrderingEvent[]): string[] {
  const position = new Map<string, number>();
  delivered.forEach((e, i) => position.set(`${e.origin}#${e.seq}`, i));
  const firstById = new Map<string, number>();
  delivered.forEach((e, i) => {
    if (!firstById.has(e.id)) firstById.set(e.id, i);
  });
  const problems: string[] = [];
  delivered.forEach((e, i) => {
    for (const dep of e.deps) {
      const at = firstById.get(dep);
      if (at === undefined || at >= i) problems.push(`${e.id} delivered before its dependency ${dep}`);
    }
    const prev = position.get(`${e.origin}#${e.seq - 1}`);
    const prevExists = all.some((x) => x.origin === e.origin && x.seq === e.seq - 1);
    if (prevExists && prev !== undefined && prev >= i) problems.push(`${e.origin}#${e.seq} before its predecessor`);
  });
  for (let i = 1; i < delivered.length; i++) {
    if (compareHlc((delivered[i - 1] as OrderingEvent).hlc, (delivered[i] as OrderingEvent).hlc) >= 0) problems.push(`not in HLC order at ${i}`);
  }
  return problems;
}
