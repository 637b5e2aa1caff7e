/**
 * The base prediction strategies. Each looks at the {@link UsageStore} and returns, per edge, how
 * likely it is to be used within the horizon (`confidence`), when capacity should be warm (`at`) and
 * why. Confidences from expected counts use the Poisson chance of at least one use: 1 − e^(−λ).
 *
 * @module
 */
import type { Random } from "../core/random.js";
import { HoltWintersForecaster } from "../forecast/holt-winters.js";
import { SeasonalNaiveForecaster } from "../forecast/seasonal-naive.js";
import type { SyncForecaster } from "../forecast/types.js";
import { haversineKm, kMeans, type LatLon } from "./geo.js";
import { idleTimePolicy, type IdleTimePolicyOptions } from "./idle-histogram.js";
import { HOUR_MS, WEEK_MS, lowerBound, type UsageStore } from "./usage-store.js";
import type { BaseStrategy, EdgeSite } from "./types.js";

/** One strategy's opinion about one edge. */
export interface Candidate {
  readonly edge: string;
  readonly confidence: number;
  readonly at: number;
  readonly reasons: readonly string[];
}

/** What every strategy is given. */
export interface StrategyInput {
  readonly store: UsageStore;
  readonly now: number;
  readonly horizonMs: number;
  /** Bucket width of the time-series strategy, ms. */
  readonly bucketMs: number;
  /** Season length of the time-series strategy, in buckets (1: none). */
  readonly seasonBuckets: number;
  /** How far back "recent" reaches for the workload and geographic strategies, ms. */
  readonly recentMs: number;
  readonly sites: ReadonlyMap<string, EdgeSite>;
  readonly random: Random;
  readonly idleTime: IdleTimePolicyOptions;
  /** Makes the time-series forecaster for `buckets` points of history. */
  readonly forecaster?: (buckets: number) => SyncForecaster;
}

const poisson = (expected: number): number => 1 - Math.exp(-Math.max(0, expected));

function defaultForecaster(buckets: number, season: number): SyncForecaster {
  return buckets >= Math.max(8, 2 * season + 1) ? new HoltWintersForecaster({ damped: true }) : new SeasonalNaiveForecaster();
}

/** Forecast of per-edge demand from bucketed use counts. */
export function timeSeriesStrategy(input: StrategyInput): Candidate[] {
  const { store, now, bucketMs, horizonMs } = input;
  const out: Candidate[] = [];
  const horizon = Math.max(1, Math.ceil(horizonMs / bucketMs));
  const current = Math.floor(now / bucketMs) * bucketMs;
  for (const [edge, usage] of store.edges) {
    const first = usage.times[0];
    if (first === undefined) continue;
    const start = Math.floor(first / bucketMs) * bucketMs;
    const buckets = Math.floor((current - start) / bucketMs);
    if (buckets < 3) continue;
    const series = store.counts(edge, start, bucketMs, buckets);
    // A season is only usable with two of them in the history; with less, seasonal-naive would repeat
    // the whole history as if it were one season.
    const season = buckets >= 2 * input.seasonBuckets ? input.seasonBuckets : 1;
    const model = input.forecaster?.(buckets) ?? defaultForecaster(buckets, season);
    model.fitSync(series, { period: season, maxHorizon: horizon });
    const mean = model.predict(horizon, { level: 0.8 }).mean.map((v) => Math.max(0, v));
    // The current, partial bucket is already under way: count only the part of it still ahead.
    const ahead = 1 - (now - current) / bucketMs;
    const expected = mean.reduce((sum, v, i) => sum + (i === 0 ? v * ahead : v), 0);
    const firstBusy = mean.findIndex((v) => v >= 0.5);
    out.push({
      edge,
      confidence: poisson(expected),
      at: firstBusy <= 0 ? now : current + firstBusy * bucketMs,
      reasons: [`${model.name} forecasts ${expected.toFixed(2)} uses in the next ${(horizonMs / 60_000).toFixed(0)} min from ${buckets} buckets of ${(bucketMs / 60_000).toFixed(0)} min`],
    });
  }
  return out;
}

/** Where an edge is: its registered site, else the centroid of its users' locations. */
function siteOf(input: StrategyInput, edge: string): LatLon | undefined {
  const site = input.sites.get(edge);
  if (site !== undefined) return site.location;
  const sum = input.store.edges.get(edge)?.locationSum;
  return sum !== undefined && sum.n > 0 ? { lat: sum.lat / sum.n, lon: sum.lon / sum.n } : undefined;
}

/** Clusters of recent user locations, each sent to its nearest edge. */
export function geographicStrategy(input: StrategyInput): Candidate[] {
  const { store, now, recentMs, horizonMs } = input;
  const from = now - recentMs;
  const points = store.located.filter((p) => p.at >= from && p.at <= now);
  if (points.length === 0) return [];
  const edges = [...new Set([...input.sites.keys(), ...store.edges.keys()])].sort();
  const placed = edges.map((id) => ({ id, at: siteOf(input, id) })).filter((e): e is { id: string; at: LatLon } => e.at !== undefined);
  if (placed.length === 0) return [];
  const k = Math.max(1, Math.min(placed.length, Math.ceil(Math.sqrt(points.length / 2)), 8));
  const clusters = kMeans(points, k, input.random.fork("geographic"));
  const rate = points.length / recentMs;
  const byEdge = new Map<string, { expected: number; reasons: string[] }>();
  for (const cluster of clusters) {
    let nearest = placed[0] as { id: string; at: LatLon };
    let best = Number.POSITIVE_INFINITY;
    for (const e of placed) {
      const d = haversineKm(cluster.center, e.at);
      if (d < best) {
        best = d;
        nearest = e;
      }
    }
    const entry = byEdge.get(nearest.id) ?? { expected: 0, reasons: [] };
    entry.expected += rate * (cluster.size / points.length) * horizonMs;
    entry.reasons.push(`${cluster.size} recent uses cluster around (${cluster.center.lat.toFixed(3)}, ${cluster.center.lon.toFixed(3)}), ${best.toFixed(1)} km from this edge`);
    byEdge.set(nearest.id, entry);
  }
  return [...byEdge].map(([edge, e]) => ({ edge, confidence: poisson(e.expected), at: now, reasons: e.reasons }));
}

/** Per-user weekly activity: users likely active in the coming hours, sent to their usual edge. */
export function userBehaviorStrategy(input: StrategyInput): Candidate[] {
  const { store, now, horizonMs } = input;
  // Every hour-of-week slot the horizon overlaps, starting with the current one.
  const slots: number[] = [];
  const firstHour = Math.floor(now / HOUR_MS);
  const lastHour = Math.floor((now + Math.max(horizonMs, 1) - 1) / HOUR_MS);
  for (let h = firstHour; h <= lastHour; h++) slots.push(Math.floor(((h * HOUR_MS) % WEEK_MS) / HOUR_MS));
  const byEdge = new Map<string, { miss: number; users: number; at: number }>();
  for (const [userId, user] of [...store.users].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const weeks = Math.max(1, Math.ceil((Math.min(now, user.lastSeen) - user.firstSeen + 1) / WEEK_MS));
    let p = 0;
    let at = now;
    for (let i = 0; i < slots.length; i++) {
      const active = user.slotWeeks.get(slots[i] ?? -1)?.size ?? 0;
      const share = Math.min(1, active / weeks);
      if (share > p) {
        p = share;
        at = i === 0 ? now : (firstHour + i) * HOUR_MS;
      }
    }
    if (p <= 0 || userId === "") continue;
    let edge = "";
    let uses = -1;
    for (const [e, n] of user.edges) if (n > uses || (n === uses && e < edge)) [edge, uses] = [e, n];
    const entry = byEdge.get(edge) ?? { miss: 1, users: 0, at };
    entry.miss *= 1 - p;
    entry.users++;
    entry.at = Math.min(entry.at, at);
    byEdge.set(edge, entry);
  }
  return [...byEdge].map(([edge, e]) => ({
    edge,
    confidence: 1 - e.miss,
    at: e.at,
    reasons: [`${e.users} user(s) who usually use this edge are often active in the coming hour(s) of the week`],
  }));
}

/** Recent workload rate and mix per edge (the mix also sizes every decision's resources). */
export function workloadStrategy(input: StrategyInput): Candidate[] {
  const { store, now, recentMs, horizonMs } = input;
  const out: Candidate[] = [];
  for (const [edge, usage] of store.edges) {
    const recent = usage.recent.filter((r) => r.timestamp >= now - recentMs && r.timestamp <= now);
    if (recent.length === 0) continue;
    const mix = new Map<string, number>();
    for (const r of recent) mix.set(r.workloadType, (mix.get(r.workloadType) ?? 0) + 1);
    const described = [...mix].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([type, n]) => `${((100 * n) / recent.length).toFixed(0)}% ${type}`);
    const expected = (recent.length / recentMs) * horizonMs;
    out.push({ edge, confidence: poisson(expected), at: now, reasons: [`${recent.length} uses in the last ${(recentMs / 60_000).toFixed(0)} min (${described.join(", ")})`] });
  }
  return out;
}

/** Mean resources per use of the edge's recent workload mix. */
export function workloadResources(store: UsageStore, edge: string): Record<string, number> {
  const recent = store.edges.get(edge)?.recent ?? [];
  const sums: Record<string, number> = {};
  for (const r of recent) for (const [k, v] of Object.entries(r.resources)) sums[k] = (sums[k] ?? 0) + v;
  const out: Record<string, number> = {};
  for (const k of Object.keys(sums).sort()) out[k] = (sums[k] ?? 0) / Math.max(1, recent.length);
  return out;
}

/** The idle-time histogram policy of *Serverless in the Wild*, per edge. */
export function idleTimeStrategy(input: StrategyInput): Candidate[] {
  const { store, now, horizonMs } = input;
  const out: Candidate[] = [];
  for (const [edge, usage] of store.edges) {
    const last = usage.times[usage.times.length - 1];
    if (last === undefined || usage.idleTimes.length === 0) continue;
    const window = idleTimePolicy(usage.idleTimes, input.idleTime);
    const from = last + window.prewarmMs;
    const to = last + window.keepAliveMs;
    if (to < now || from > now + horizonMs) continue;
    // Chance of the next use inside the horizon given the idle time so far, from the observed idle times.
    const idleSoFar = now - last;
    const sorted = [...usage.idleTimes].sort((a, b) => a - b);
    const atLeast = sorted.length - lowerBound(sorted, idleSoFar);
    const within = lowerBound(sorted, idleSoFar + horizonMs) - lowerBound(sorted, idleSoFar);
    const confidence = atLeast > 0 ? within / atLeast : 0.5;
    out.push({
      edge,
      confidence,
      at: Math.max(now, from),
      reasons: [window.reason, `warm ${(window.prewarmMs / 1000).toFixed(0)}-${(window.keepAliveMs / 1000).toFixed(0)} s after the last use (${(idleSoFar / 1000).toFixed(0)} s ago)`],
    });
  }
  return out;
}

/** Every base strategy by name. */
export const STRATEGY_FUNCTIONS: Readonly<Record<BaseStrategy, (input: StrategyInput) => Candidate[]>> = {
  time_series: timeSeriesStrategy,
  geographic: geographicStrategy,
  user_behavior: userBehaviorStrategy,
  workload: workloadStrategy,
  idle_time: idleTimeStrategy,
};
