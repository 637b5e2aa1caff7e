/**
 * Cold starts with and without predictive warming: each service's requests are replayed against
 * Knative-style scale-to-zero (the baseline) and against the hybrid warming policy, with the warm
 * capacity of the latter sampled per minute for the report.
 *
 * @module
 */
import { hybridWarmingPolicy, knativeScaleToZeroPolicy, replayTrace, type CapacityPolicy, type ReplayOptionsInput } from "../../src/index.js";
import { MINUTE_MS, type FleetTrace } from "./trace.js";

/** A policy's totals over every service. */
export interface PolicyTotals {
  readonly policy: string;
  readonly requests: number;
  readonly coldStarts: number;
  /** Percent of requests that started cold. */
  readonly coldStartPercent: number;
  /** Instance-hours kept warm. */
  readonly warmInstanceHours: number;
  /** Mean wait of the requests that waited, ms. */
  readonly meanWaitMs: number;
}

/** Per minute: warm instances (fleet-wide, with warming) and requests in flight. */
export interface CapacityPoint {
  readonly minute: number;
  readonly warmInstances: number;
  readonly inFlight: number;
}

export interface WarmingComparison {
  readonly baseline: PolicyTotals;
  readonly warmed: PolicyTotals;
  readonly coldStartsAvoided: number;
  readonly capacity: readonly CapacityPoint[];
  /** Settings of the replay, for the summary. */
  readonly coldStartMs: number;
  readonly concurrencyPerInstance: number;
}

/** Loading an inference model onto a fresh instance. */
const REPLAY_OPTIONS = { coldStartMs: 10_000, concurrencyPerInstance: 4, tickMs: 1_000 } satisfies ReplayOptionsInput;

/** Wraps a policy to note, per minute, the last instance count and in-flight requests it saw. */
function sampled(policy: CapacityPolicy, into: Map<number, { warm: number; inFlight: number }>): CapacityPolicy {
  return {
    name: policy.name,
    reset: (start) => policy.reset?.(start),
    observe: (event, view) => policy.observe?.(event, view),
    decide: (view) => {
      const minute = Math.floor(view.now / MINUTE_MS);
      const seen = into.get(minute);
      into.set(minute, { warm: Math.max(seen?.warm ?? 0, view.instances.length), inFlight: Math.max(seen?.inFlight ?? 0, view.inFlight) });
      return policy.decide(view);
    },
  };
}

function totals(policy: string, reports: readonly ReturnType<typeof replayTrace>[]): PolicyTotals {
  const requests = reports.reduce((s, r) => s + r.requests, 0);
  const coldStarts = reports.reduce((s, r) => s + r.coldStarts, 0);
  const waited = reports.reduce((s, r) => s + r.waitedRequests, 0);
  return {
    policy,
    requests,
    coldStarts,
    coldStartPercent: requests === 0 ? 0 : (100 * coldStarts) / requests,
    warmInstanceHours: reports.reduce((s, r) => s + r.warmInstanceSeconds, 0) / 3600,
    meanWaitMs: waited === 0 ? 0 : reports.reduce((s, r) => s + r.meanWaitMs * r.waitedRequests, 0) / waited,
  };
}

/** Replays every service of `trace` under both policies. */
export function compareWarming(trace: FleetTrace): WarmingComparison {
  const services = [...new Set(trace.requests.map((r) => r.service))].sort();
  const baseline: ReturnType<typeof replayTrace>[] = [];
  const warmed: ReturnType<typeof replayTrace>[] = [];
  const perService: Map<number, { warm: number; inFlight: number }>[] = [];
  const options = { ...REPLAY_OPTIONS, start: 0, end: trace.durationMs };
  for (const service of services) {
    const arrivals = trace.requests.filter((r) => r.service === service).map(({ at, serviceMs }) => ({ at, serviceMs }));
    baseline.push(replayTrace(arrivals, knativeScaleToZeroPolicy(), options));
    const samples = new Map<number, { warm: number; inFlight: number }>();
    warmed.push(replayTrace(arrivals, sampled(hybridWarmingPolicy(), samples), options));
    perService.push(samples);
  }
  const capacity: CapacityPoint[] = [];
  for (let minute = 0; minute < trace.durationMs / MINUTE_MS; minute++) {
    let warm = 0;
    let inFlight = 0;
    for (const samples of perService) {
      warm += samples.get(minute)?.warm ?? 0;
      inFlight += samples.get(minute)?.inFlight ?? 0;
    }
    capacity.push({ minute, warmInstances: warm, inFlight });
  }
  const base = totals(baseline[0]?.policy ?? "scale-to-zero", baseline);
  const warm = totals(warmed[0]?.policy ?? "hybrid warming", warmed);
  return {
    baseline: base,
    warmed: warm,
    coldStartsAvoided: base.coldStarts - warm.coldStarts,
    capacity,
    coldStartMs: REPLAY_OPTIONS.coldStartMs,
    concurrencyPerInstance: REPLAY_OPTIONS.concurrencyPerInstance,
  };
}
