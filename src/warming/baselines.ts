/**
 * Baseline capacity policies for the replay, the ones platforms use today: a fixed keep-alive after
 * each request (10 minutes on Lambda-like platforms), Knative-style scale-to-zero, and no keep-alive.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import type { CapacityPolicy, ReplayView } from "./replay-types.js";

function checkMs(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw ValidationError.of(name, `${name} must be a finite number >= 0, got ${value}`);
  return value;
}

/** Instances serving or warming for a request: the floor of every policy. */
function busyCount(view: ReplayView): number {
  return view.instances.filter((i) => i.active > 0).length;
}

/**
 * Keeps every instance for `keepAliveMs` after it last served a request, then releases it; never
 * pre-warms. The default, 10 minutes, is the keep-alive of Lambda-like platforms that *Serverless in
 * the Wild* (Shahrad et al., USENIX ATC 2020) compares against.
 *
 * @example
 * ```ts
 * replayTrace(trace, fixedKeepAlivePolicy());           // 10 minutes
 * replayTrace(trace, fixedKeepAlivePolicy(60_000));     // 1 minute
 * ```
 */
export function fixedKeepAlivePolicy(keepAliveMs = 600_000): CapacityPolicy {
  const keep = checkMs("keepAliveMs", keepAliveMs);
  return {
    name: `keep-alive ${keep / 60_000} min`,
    decide: (view) => ({ target: view.instances.filter((i) => i.state !== "idle" || view.now - i.since < keep).length }),
  };
}

/** Releases every instance as soon as it is idle. */
export function noKeepAlivePolicy(): CapacityPolicy {
  return { name: "no keep-alive", decide: (view) => ({ target: busyCount(view) }) };
}

/** Settings of {@link knativeScaleToZeroPolicy}. */
export interface KnativeStyleOptions {
  /** Window of the average concurrency the instance count follows, ms (Knative: 60 s). */
  readonly stableWindowMs?: number;
  /** No request for this long scales to zero, ms (Knative: stable window + 30 s grace ≈ 90 s). */
  readonly scaleToZeroAfterMs?: number;
  /** Fraction of an instance's concurrency the scaler aims to use (Knative: 0.7). */
  readonly targetUtilization?: number;
}

/**
 * Knative-style: the instance count follows the average concurrency over the stable window (divided by
 * the per-instance concurrency times the target utilisation), never below one while requests arrived
 * within `scaleToZeroAfterMs`, and zero after that.
 *
 * @example
 * ```ts
 * replayTrace(trace, knativeScaleToZeroPolicy({ scaleToZeroAfterMs: 90_000 }));
 * ```
 */
export function knativeScaleToZeroPolicy(options: KnativeStyleOptions = {}): CapacityPolicy {
  const window = checkMs("stableWindowMs", options.stableWindowMs ?? 60_000);
  const idle = checkMs("scaleToZeroAfterMs", options.scaleToZeroAfterMs ?? 90_000);
  const utilization = options.targetUtilization ?? 0.7;
  if (!(utilization > 0 && utilization <= 1)) throw ValidationError.of("targetUtilization", `targetUtilization must be in (0, 1], got ${utilization}`);
  // Concurrency samples (time, in-flight) to integrate over the stable window.
  let samples: { at: number; inFlight: number }[] = [];
  return {
    name: `knative-style scale-to-zero ${idle / 1000} s`,
    reset: () => {
      samples = [];
    },
    decide: (view) => {
      samples.push({ at: view.now, inFlight: view.inFlight });
      const from = view.now - window;
      while (samples.length > 1 && (samples[1]?.at ?? Infinity) <= from) samples.shift();
      let area = 0;
      for (let i = 0; i < samples.length; i++) {
        const s = samples[i];
        if (s === undefined) continue;
        const next = samples[i + 1]?.at ?? view.now;
        area += s.inFlight * Math.max(0, next - Math.max(s.at, from));
      }
      const average = window > 0 ? area / window : view.inFlight;
      const wanted = Math.ceil(average / (view.options.concurrencyPerInstance * utilization));
      const recent = view.lastArrivalAt !== undefined && view.now - view.lastArrivalAt < idle;
      return { target: Math.max(busyCount(view), recent ? Math.max(1, wanted) : 0) };
    },
  };
}
