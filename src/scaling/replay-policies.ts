/**
 * The scalers as {@link CapacityPolicy}s of the policy replay (`src/warming/replay.ts`), so KPA, HPA,
 * predictive and hybrid scaling can be replayed on real traces and compared on SLO misses, cold
 * starts and instance-seconds.
 *
 * Concurrency is measured as Knative's queue-proxy does: the time-weighted average of in-flight
 * requests over each second, from the replay's arrival and completion events.
 *
 * @module
 */
import type { SyncForecaster } from "../forecast/types.js";
import type { CapacityPolicy, ReplayView } from "../warming/replay-types.js";
import { HpaAutoscaler, type HpaConfigInput, type PodSample } from "./hpa.js";
import { KpaAutoscaler, type KpaConfigInput } from "./kpa.js";
import { PredictivePlanner, type PredictiveConfigInput } from "./predictive.js";

/** Time-weighted in-flight requests per second, and per-step means of those seconds. */
class ConcurrencyMeter {
  private area = 0;
  private lastTime = 0;
  private lastLevel = 0;
  private second = 0;
  readonly seconds: number[] = [];
  readonly steps: number[] = [];
  private stepSum = 0;
  private stepCount = 0;

  constructor(private readonly stepMs: number) {}

  reset(start: number): void {
    this.area = 0;
    this.lastTime = start;
    this.lastLevel = 0;
    this.second = Math.floor(start / 1000);
    this.seconds.length = 0;
    this.steps.length = 0;
    this.stepSum = 0;
    this.stepCount = 0;
  }

  /** Advances to `now` with the level held since the last call, closing whole seconds; returns the seconds closed. */
  advance(now: number, level: number): number[] {
    const closed: number[] = [];
    while ((this.second + 1) * 1000 <= now) {
      const edge = (this.second + 1) * 1000;
      this.area += this.lastLevel * (edge - this.lastTime);
      const mean = this.area / 1000;
      closed.push(mean);
      this.seconds.push(mean);
      this.stepSum += mean;
      this.stepCount += 1;
      if (this.stepCount * 1000 >= this.stepMs) {
        this.steps.push(this.stepSum / this.stepCount);
        this.stepSum = 0;
        this.stepCount = 0;
      }
      this.area = 0;
      this.lastTime = edge;
      this.second += 1;
    }
    this.area += this.lastLevel * (now - this.lastTime);
    this.lastTime = now;
    this.lastLevel = level;
    return closed;
  }
}

function readyCount(view: ReplayView): number {
  return view.instances.filter((i) => i.state !== "warming").length;
}

/**
 * Knative's KPA under replay: one concurrency sample per second, a decision every `tickMs` (Knative's
 * 2 s). `targetConcurrency` defaults to the replay's per-instance concurrency (Knative's
 * `containerConcurrency`), of which `targetUtilization` (70 %) is aimed at.
 */
export function kpaPolicy(config: KpaConfigInput = {}, options: { readonly name?: string; readonly tickMs?: number } = {}): CapacityPolicy {
  const tickMs = options.tickMs ?? 2_000;
  const meter = new ConcurrencyMeter(1_000);
  let kpa: KpaAutoscaler | undefined;
  let nextTick = 0;
  let target = 0;
  return {
    name: options.name ?? "KPA",
    reset(start) {
      meter.reset(start);
      kpa = undefined;
      nextTick = start;
      target = 0;
    },
    decide(view) {
      kpa ??= new KpaAutoscaler({ targetConcurrency: view.options.concurrencyPerInstance, ...config });
      const k = kpa;
      const closed = meter.advance(view.now, view.inFlight);
      closed.forEach((mean, i) => k.observe(view.now - (closed.length - i) * 1000, mean));
      if (view.now >= nextTick) {
        target = k.scale(view.now, readyCount(view)).desired;
        nextTick = view.now + tickMs;
      }
      return { target };
    },
  };
}

/**
 * Kubernetes' HPA under replay: per-pod average concurrency as an `AverageValue` metric with target
 * `targetUtilization × concurrencyPerInstance`, evaluated every `syncMs` (the controller's 15 s);
 * warming instances are unready pods. The HPA cannot scale to zero: `minReplicas` is at least 1.
 */
export function hpaPolicy(config: HpaConfigInput = {}, options: { readonly name?: string; readonly syncMs?: number; readonly targetUtilization?: number } = {}): CapacityPolicy {
  const syncMs = options.syncMs ?? 15_000;
  const meter = new ConcurrencyMeter(1_000);
  let hpa: HpaAutoscaler | undefined;
  let nextSync = 0;
  let target = 1;
  let windowStart = 0;
  return {
    name: options.name ?? "HPA",
    reset(start) {
      meter.reset(start);
      hpa = undefined;
      nextSync = start;
      target = 1;
      windowStart = 0;
    },
    decide(view) {
      const perPod = view.options.concurrencyPerInstance * (options.targetUtilization ?? 0.7);
      hpa ??= new HpaAutoscaler({ minReplicas: 1, maxReplicas: 10_000, metrics: [{ name: "concurrency", target: { type: "AverageValue", averageValue: perPod } }], ...config });
      meter.advance(view.now, view.inFlight);
      if (view.now >= nextSync) {
        // Metrics-server reports a recent average (here the seconds since the last sync), shared over ready pods.
        const recent = meter.seconds.slice(windowStart);
        windowStart = meter.seconds.length;
        const mean = recent.length > 0 ? recent.reduce((a, b) => a + b, 0) / recent.length : view.inFlight;
        const ready = readyCount(view);
        const unready = view.instances.length - ready;
        const pods: PodSample[] = [...Array.from({ length: ready }, () => ({ ready: true, value: ready > 0 ? mean / ready : 0 })), ...Array.from({ length: unready }, () => ({ ready: false }))];
        const current = Math.max(1, view.instances.length);
        if (ready === 0) pods.push({ ready: true, value: mean });
        target = hpa.recommend(view.now, current, { concurrency: { pods } }).desired;
        nextSync = view.now + syncMs;
      }
      return { target };
    },
  };
}

/** Settings of the predictive and hybrid replay policies. */
export interface PredictivePolicyOptions {
  readonly name?: string;
  /** Planner settings; `stepMs` is also the history step. */
  readonly planner: PredictiveConfigInput;
  /** Share of per-instance concurrency one instance is sized for (default 0.7, as KPA). */
  readonly targetUtilization?: number;
  /** Makes a fresh forecaster for each replay. */
  readonly forecaster: () => SyncForecaster;
  /** Re-plan at most this often, ms (default: the step). */
  readonly planEveryMs?: number;
  /**
   * What a step of history holds: the mean or the busiest second's arrival rate (default `peak`:
   * capacity must cover the bursts inside a step, not its average).
   */
  readonly aggregate?: "mean" | "peak";
}

/**
 * Arrivals per second, aggregated per step. Forecasting arrivals rather than concurrency keeps the
 * history independent of the policy's own capacity (concurrency includes waits the policy caused);
 * concurrency follows by Little's law from the mean service time of completed requests.
 */
class ArrivalMeter {
  private second = 0;
  private count = 0;
  private stepValues: number[] = [];
  readonly steps: number[] = [];
  private served = 0;
  private serviceTotal = 0;

  constructor(
    private readonly stepMs: number,
    private readonly aggregate: "mean" | "peak",
  ) {}

  reset(start: number): void {
    this.second = Math.floor(start / 1000);
    this.count = 0;
    this.stepValues = [];
    this.steps.length = 0;
    this.served = 0;
    this.serviceTotal = 0;
  }

  advance(now: number): void {
    while ((this.second + 1) * 1000 <= now) {
      this.stepValues.push(this.count);
      this.count = 0;
      this.second += 1;
      if (this.stepValues.length * 1000 >= this.stepMs) {
        const v = this.aggregate === "peak" ? Math.max(...this.stepValues) : this.stepValues.reduce((a, b) => a + b, 0) / this.stepValues.length;
        this.steps.push(v);
        this.stepValues = [];
      }
    }
  }

  arrival(now: number): void {
    this.advance(now);
    this.count += 1;
  }

  completed(serviceMs: number): void {
    this.served += 1;
    this.serviceTotal += serviceMs;
  }

  /** Mean service time of completed requests, seconds (1 s before any completes). */
  meanServiceSeconds(): number {
    return this.served > 0 ? this.serviceTotal / this.served / 1000 : 1;
  }
}

function plannerPolicy(options: PredictivePolicyOptions, reactive: CapacityPolicy | undefined, name: string): CapacityPolicy {
  const stepMs = options.planner.stepMs ?? 60_000;
  const planEvery = options.planEveryMs ?? stepMs;
  const meter = new ArrivalMeter(stepMs, options.aggregate ?? "peak");
  let planner: PredictivePlanner | undefined;
  let nextPlan = 0;
  let planned = 0;
  return {
    name,
    reset(start) {
      meter.reset(start);
      planner = new PredictivePlanner(options.planner, options.forecaster());
      nextPlan = start;
      planned = 0;
      reactive?.reset?.(start);
    },
    observe(event, view) {
      if (event.type === "arrival") meter.arrival(event.at);
      else meter.completed(event.arrival.serviceMs);
      reactive?.observe?.(event, view);
    },
    decide(view) {
      planner ??= new PredictivePlanner(options.planner, options.forecaster());
      meter.advance(view.now);
      const perInstance = view.options.concurrencyPerInstance * (options.targetUtilization ?? 0.7);
      if (view.now >= nextPlan) {
        // Plan in concurrency: arrivals per second × mean service seconds (Little's law).
        const service = meter.meanServiceSeconds();
        planned = planner.plan(meter.steps, view.inFlight / service, perInstance / service).target;
        nextPlan = view.now + planEvery;
      }
      // Between plans the observed floor still applies: a forecast never holds capacity below live demand.
      const floor = Math.ceil(view.inFlight / perInstance - 1e-9);
      const own = Math.max(planned, floor);
      return { target: reactive === undefined ? own : Math.max(own, reactive.decide(view).target) };
    },
  };
}

/** Predictive scaling alone under replay. */
export function predictivePolicy(options: PredictivePolicyOptions): CapacityPolicy {
  return plannerPolicy(options, undefined, options.name ?? "predictive");
}

/** Hybrid under replay: the larger of the KPA count and the predictive plan. */
export function hybridPolicy(options: PredictivePolicyOptions & { readonly kpa?: KpaConfigInput }): CapacityPolicy {
  return plannerPolicy(options, kpaPolicy(options.kpa ?? {}), options.name ?? "hybrid");
}
