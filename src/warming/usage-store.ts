/**
 * What the warmer remembers of past usage, bounded by a retention period: per-edge use times and
 * per-bucket counts, per-edge recent workload records, per-user weekly activity, and recent located
 * uses. Pure data; strategies read it.
 *
 * @module
 */
import type { UsageRecord } from "./types.js";

/** Milliseconds in an hour and a week (weekly activity is kept in 168 hour-of-week slots). */
export const HOUR_MS = 3_600_000;
export const WEEK_MS = 7 * 24 * HOUR_MS;

/** Per-edge memory. */
export interface EdgeUsage {
  /** Use times, ascending (inserted in order; late records are placed by binary search). */
  readonly times: number[];
  /** Gaps between consecutive uses, ms, in arrival order (most recent last). */
  readonly idleTimes: number[];
  /** The most recent records, for the workload mix. */
  readonly recent: UsageRecord[];
  /** Mean location of the edge's located uses (its users' centroid), when any. */
  locationSum: { lat: number; lon: number; n: number };
}

/** Per-user memory: distinct weeks active in each hour-of-week slot, and uses per edge. */
export interface UserUsage {
  readonly slotWeeks: Map<number, Set<number>>;
  readonly edges: Map<string, number>;
  firstSeen: number;
  lastSeen: number;
}

/** Settings of a {@link UsageStore}. */
export interface UsageStoreSettings {
  readonly retentionMs: number;
  readonly recentPerEdge: number;
  readonly maxIdleTimes: number;
  readonly maxLocated: number;
}

function insertSorted(times: number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  if (hi === 0 || (times[hi - 1] ?? 0) <= t) {
    times.push(t);
    return times.length - 1;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] ?? 0) <= t) lo = mid + 1;
    else hi = mid;
  }
  times.splice(lo, 0, t);
  return lo;
}

/** First index with `times[i] >= t`. */
export function lowerBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] ?? 0) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bounded memory of usage. */
export class UsageStore {
  readonly edges = new Map<string, EdgeUsage>();
  readonly users = new Map<string, UserUsage>();
  /** Recent located uses, oldest first. */
  readonly located: { readonly at: number; readonly edge: string; readonly lat: number; readonly lon: number }[] = [];
  records = 0;

  constructor(private readonly settings: UsageStoreSettings) {}

  add(record: UsageRecord): void {
    this.records++;
    let edge = this.edges.get(record.edge);
    if (edge === undefined) {
      edge = { times: [], idleTimes: [], recent: [], locationSum: { lat: 0, lon: 0, n: 0 } };
      this.edges.set(record.edge, edge);
    }
    const index = insertSorted(edge.times, record.timestamp);
    // Only in-order uses extend the idle-time history; a late record does not rewrite it.
    if (index === edge.times.length - 1 && index > 0) {
      edge.idleTimes.push(record.timestamp - (edge.times[index - 1] ?? record.timestamp));
      if (edge.idleTimes.length > this.settings.maxIdleTimes) edge.idleTimes.shift();
    }
    edge.recent.push(record);
    if (edge.recent.length > this.settings.recentPerEdge) edge.recent.shift();
    if (record.location !== undefined) {
      edge.locationSum.lat += record.location.lat;
      edge.locationSum.lon += record.location.lon;
      edge.locationSum.n++;
      this.located.push({ at: record.timestamp, edge: record.edge, lat: record.location.lat, lon: record.location.lon });
      if (this.located.length > this.settings.maxLocated) this.located.shift();
    }
    if (record.user !== undefined) {
      let user = this.users.get(record.user);
      if (user === undefined) {
        user = { slotWeeks: new Map(), edges: new Map(), firstSeen: record.timestamp, lastSeen: record.timestamp };
        this.users.set(record.user, user);
      }
      const slot = Math.floor((record.timestamp % WEEK_MS) / HOUR_MS);
      const week = Math.floor(record.timestamp / WEEK_MS);
      let weeks = user.slotWeeks.get(slot);
      if (weeks === undefined) {
        weeks = new Set();
        user.slotWeeks.set(slot, weeks);
      }
      weeks.add(week);
      user.edges.set(record.edge, (user.edges.get(record.edge) ?? 0) + 1);
      user.firstSeen = Math.min(user.firstSeen, record.timestamp);
      user.lastSeen = Math.max(user.lastSeen, record.timestamp);
    }
  }

  /** Drops use times older than the retention period before `now`. */
  prune(now: number): void {
    const cutoff = now - this.settings.retentionMs;
    for (const edge of this.edges.values()) {
      const drop = lowerBound(edge.times, cutoff);
      if (drop > 0) edge.times.splice(0, drop);
    }
    while (this.located.length > 0 && (this.located[0]?.at ?? 0) < cutoff) this.located.shift();
  }

  /** Whether `edge` was used in `[from, to)`. */
  usedBetween(edge: string, from: number, to: number): boolean {
    const times = this.edges.get(edge)?.times;
    if (times === undefined) return false;
    const i = lowerBound(times, from);
    return i < times.length && (times[i] ?? Number.POSITIVE_INFINITY) < to;
  }

  /** Edges used in `[from, to)`, sorted. */
  edgesUsedBetween(from: number, to: number): string[] {
    return [...this.edges.keys()].filter((e) => this.usedBetween(e, from, to)).sort();
  }

  /** Uses of `edge` per bucket from `from` (inclusive) for `buckets` buckets. */
  counts(edge: string, from: number, bucketMs: number, buckets: number): number[] {
    const out = new Array<number>(buckets).fill(0);
    const times = this.edges.get(edge)?.times ?? [];
    for (let i = lowerBound(times, from); i < times.length; i++) {
      const b = Math.floor(((times[i] ?? 0) - from) / bucketMs);
      if (b >= buckets) break;
      out[b] = (out[b] ?? 0) + 1;
    }
    return out;
  }
}
